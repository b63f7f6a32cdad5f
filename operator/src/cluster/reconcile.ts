// VectorCluster reconcile. The contract (controller-runtime's): given a key, make the world
// match the resource's spec as it is NOW, whatever events led here; be idempotent; return
// "requeue after" or throw to be retried with backoff. Reads come from informer caches, writes
// are server-side applies of desired objects built by pure functions (build/).
import type { V1StatefulSet } from '@kubernetes/client-node';
import { safeParse, vectorClusterSpecSchema, VECTOR_CLUSTER, PAUSED_ANNOTATION, parseShardingState } from '../../../api/index.js';
import { Deps } from '../controllers/deps.js';
import { VectorClusterObject, clusterNameOf, parseKey } from '../resources.js';
import { ClusterInput, DesiredObjects, desiredObjects, namesOf, selectorString, SERVICE_MONITOR_API_VERSION } from '../build/index.js';
import { applyInOrder } from '../kube/apply.js';
import { isConflict, isNotFound, messageOf } from '../../../api/index.js';
import { Step, StepsContext, step, runSteps, CONTINUE, stop, Outcome, requeueAfter } from '../runtime/steps.js';
import { decideReplicas, PlacedClass } from './scaledown.js';
import { clusterStatus, CLUSTER_STATUS_FIELDS } from './status.js';
import { podsOfCluster, podFacts } from '../status/pods.js';
import { statusPatch } from '../status/patch.js';

interface ClusterCtx extends StepsContext {
  deps: Deps;
  namespace: string;
  name: string;
  obj?: VectorClusterObject;
  input?: ClusterInput;
  invalid?: string;
  replicas?: number;
  blocked?: { predicate: string; message: string };
  /** Built once the replica count is decided. */
  desired?: DesiredObjects;
}

export const clusterSteps: Step<ClusterCtx>[] = [
  step('load the VectorCluster', load),
  step('validate the spec', validate),
  step('decide replicas (scale-down safety)', decide),
  step('pod identity: ServiceAccount, Role, RoleBinding', applyPodIdentity),
  step('Services: headless and client', applyServices),
  step('StatefulSet', applyStatefulSet),
  step('PodDisruptionBudget', applyPodDisruptionBudget),
  step('ServiceMonitor', reconcileServiceMonitor),
];

const finalSteps: Step<ClusterCtx>[] = [step('write status', writeStatus)];

export async function reconcileCluster(deps: Deps, key: string): Promise<Outcome> {
  const ctx: ClusterCtx = { deps, ...parseKey(key) };
  const outcome = await runSteps(ctx, clusterSteps, finalSteps);
  // Level-triggered safety net: look again later even if no event arrives (drift repair).
  if (ctx.obj && outcome.requeueAfterMs === undefined) outcome.requeueAfterMs = deps.resyncMs;
  return outcome;
}

function load(ctx: ClusterCtx) {
  ctx.obj = ctx.deps.caches.clusters.get(ctx.name, ctx.namespace);
  if (!ctx.obj) return stop('not found: deleted (children are garbage-collected through owner references)');
  if (ctx.obj.metadata?.annotations?.[PAUSED_ANNOTATION] === 'true') return stop(`paused by ${PAUSED_ANNOTATION}`);
  if (ctx.obj.metadata?.deletionTimestamp) return stop('being deleted');
  return CONTINUE;
}

function validate(ctx: ClusterCtx) {
  const parsed = safeParse(vectorClusterSpecSchema, ctx.obj!.spec, 'spec');
  if (!parsed.ok) {
    ctx.invalid = `invalid spec: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
    ctx.deps.events.record(ctx.obj!, 'Warning', 'InvalidSpec', ctx.invalid);
    return stop('invalid spec');
  }
  ctx.input = { name: ctx.name, namespace: ctx.namespace, uid: ctx.obj!.metadata!.uid!, spec: parsed.value };
  return CONTINUE;
}

/** Sharding states of the VectorClasses placed on this cluster (unparseable ones count as none). */
function placedClasses(ctx: ClusterCtx): PlacedClass[] {
  const out: PlacedClass[] = [];
  for (const cls of ctx.deps.caches.classes.list(ctx.namespace)) {
    if (clusterNameOf(cls) !== ctx.name || !cls.status?.sharding) continue;
    try {
      out.push({ name: cls.metadata!.name!, state: parseShardingState(cls.status.sharding) });
    } catch {
      // A corrupt state is reported on the class; the cluster cannot reason about it.
    }
  }
  return out;
}

function decide(ctx: ClusterCtx) {
  const sts = ctx.deps.caches.statefulSets.get(namesOf(ctx.name).statefulSet, ctx.namespace);
  const decision = decideReplicas(namesOf(ctx.name).statefulSet, ctx.input!.spec.replicas, sts?.spec?.replicas, placedClasses(ctx));
  ctx.replicas = decision.replicas;
  ctx.desired = desiredObjects(ctx.input!, ctx.replicas);
  if (decision.blocked) {
    ctx.blocked = decision.blocked;
    ctx.deps.events.record(ctx.obj!, 'Warning', 'ScaleDownBlocked', decision.blocked.message);
  }
  return CONTINUE;
}

async function applyPodIdentity(ctx: ClusterCtx) {
  const d = ctx.desired!;
  await applyInOrder(ctx.deps.client, [d.serviceAccount, d.role, d.roleBinding]);
  return CONTINUE;
}

async function applyServices(ctx: ClusterCtx) {
  const d = ctx.desired!;
  await applyInOrder(ctx.deps.client, [d.headlessService, d.clientService]);
  return CONTINUE;
}

async function applyStatefulSet(ctx: ClusterCtx) {
  const before = ctx.deps.caches.statefulSets.get(namesOf(ctx.name).statefulSet, ctx.namespace);
  const applied = (await ctx.deps.client.apply(ctx.desired!.statefulSet)) as V1StatefulSet;
  const from = before?.spec?.replicas;
  if (from === undefined) ctx.deps.events.record(ctx.obj!, 'Normal', 'Created', `created StatefulSet ${applied.metadata?.name} with ${ctx.replicas} pods`);
  else if (from !== ctx.replicas) ctx.deps.events.record(ctx.obj!, 'Normal', 'Scaled', `scaled StatefulSet ${applied.metadata?.name} from ${from} to ${ctx.replicas} pods`);
  return CONTINUE;
}

async function applyPodDisruptionBudget(ctx: ClusterCtx) {
  await ctx.deps.client.apply(ctx.desired!.podDisruptionBudget);
  return CONTINUE;
}

async function reconcileServiceMonitor(ctx: ClusterCtx) {
  const wanted = ctx.desired!.serviceMonitor;
  if (!(await ctx.deps.kinds.serviceMonitorsAvailable())) {
    if (!wanted) return CONTINUE;
    // No event announces a CRD installed later: look again when the discovery answer expires.
    ctx.deps.log.debug('monitoring requested but the ServiceMonitor CRD is not installed', { cluster: ctx.name });
    return requeueAfter(ctx.deps.kinds.ttlMs, 'ServiceMonitor CRD not installed');
  }
  if (wanted) {
    await ctx.deps.client.apply(wanted);
    return CONTINUE;
  }
  const ref = { apiVersion: SERVICE_MONITOR_API_VERSION, kind: 'ServiceMonitor', namespace: ctx.namespace, name: namesOf(ctx.name).serviceMonitor };
  const existing = await ctx.deps.client.get(ref);
  if (existing?.metadata?.ownerReferences?.some((o) => o.uid === ctx.obj!.metadata?.uid)) await ctx.deps.client.delete(ref);
  return CONTINUE;
}

async function writeStatus(ctx: ClusterCtx) {
  if (!ctx.obj || ctx.endedAt === 'load the VectorCluster') return CONTINUE;
  // The phase depends on the previous one (Ready -> Degraded): read it from the server, not from
  // a cache that may not have seen our last status write yet.
  const current = await ctx.deps.client.getCustom<VectorClusterObject>(VECTOR_CLUSTER.plural, ctx.namespace, ctx.name);
  if (!current) return CONTINUE;
  const sts = ctx.deps.caches.statefulSets.get(namesOf(ctx.name).statefulSet, ctx.namespace);
  const error = ctx.error !== undefined && !isConflict(ctx.error) ? messageOf(ctx.error) : undefined;
  const status = clusterStatus({
    generation: ctx.obj.metadata?.generation,
    previous: current.status,
    desired: ctx.input?.spec.replicas,
    statefulSetReplicas: ctx.replicas ?? sts?.spec?.replicas,
    invalid: ctx.invalid,
    blocked: ctx.blocked,
    error,
    pods: podsOfCluster(ctx.deps.caches.pods, ctx.namespace, ctx.name).map(podFacts),
    selector: selectorString(ctx.name),
    nowIso: new Date(ctx.deps.clock.now()).toISOString(),
  });
  const patch = statusPatch(current.status, status, CLUSTER_STATUS_FIELDS);
  if (!patch) return CONTINUE;
  try {
    await ctx.deps.client.mergePatchStatus(VECTOR_CLUSTER.plural, ctx.namespace, ctx.name, { status: patch });
  } catch (e) {
    if (isNotFound(e)) return CONTINUE; // deleted meanwhile
    if (ctx.error === undefined) throw e;
    ctx.deps.log.warn('could not write status', { cluster: `${ctx.namespace}/${ctx.name}`, error: messageOf(e) });
  }
  // A blocked scale-down is re-checked regularly: a class deleted elsewhere may unblock it.
  return ctx.blocked ? requeueAfter(30_000, 'scale-down blocked') : CONTINUE;
}
