// VectorClass reconcile: validate the class against its cluster, place its shards once (the
// sharding state is written to status with a resourceVersion precondition and never
// recomputed), report per-shard readiness and counts, and on deletion wait until no pod holds
// the class's shards before releasing the finalizer. Same contract as cluster/reconcile.ts.
import {
  safeParse, vectorClassSpecSchema, VectorClassSpec, VECTOR_CLASS, CLASS_FINALIZER, PAUSED_ANNOTATION, POD_REPORT_ANNOTATION,
  parseShardingState, createShardingState, ShardingState, PlacedWith,
} from '../../../api/index.js';
import { Deps } from '../controllers/deps.js';
import { VectorClassObject, clusterNameOf, parseKey } from '../resources.js';
import { namesOf } from '../build/index.js';
import { isConflict, isNotFound, messageOf } from '../../../api/index.js';
import { Step, StepsContext, step, runSteps, CONTINUE, stop, requeueAfter, Outcome } from '../runtime/steps.js';
import { podsOfCluster, podFacts, PodFacts } from '../status/pods.js';
import { statusPatch } from '../status/patch.js';
import { Problem, checkCluster, checkReplication, checkUniqueName, checkImmutable, placedWithOf } from './validate.js';
import { classStatus, CLASS_STATUS_FIELDS } from './status.js';

interface ClassCtx extends StepsContext {
  deps: Deps;
  namespace: string;
  name: string;
  obj?: VectorClassObject;
  spec?: VectorClassSpec;
  /** Pods placement may use: <set>-0 .. <set>-(podCount-1). */
  podCount?: number;
  state?: ShardingState;
  placedWith?: PlacedWith;
  problem?: Problem;
  deleting?: string;
  finalized?: boolean;
}

export const classSteps: Step<ClassCtx>[] = [
  step('load the VectorClass', load),
  step('finalize if deleted (hand-off with the pods)', finalizeIfDeleted),
  step('ensure the finalizer', ensureFinalizer),
  step('validate the spec', validate),
  step('read the sharding state', readState),
  step('check the cluster', checkAgainstCluster),
  step('check immutable fields', checkImmutableFields),
  step('place shards (once)', place),
];

const finalSteps: Step<ClassCtx>[] = [step('write status', writeStatus)];

export async function reconcileClass(deps: Deps, key: string): Promise<Outcome> {
  const ctx: ClassCtx = { deps, ...parseKey(key) };
  const outcome = await runSteps(ctx, classSteps, finalSteps);
  if (ctx.obj && !ctx.finalized && outcome.requeueAfterMs === undefined) outcome.requeueAfterMs = deps.resyncMs;
  return outcome;
}

function load(ctx: ClassCtx) {
  ctx.obj = ctx.deps.caches.classes.get(ctx.name, ctx.namespace);
  if (!ctx.obj) return stop('not found');
  if (ctx.obj.metadata?.annotations?.[PAUSED_ANNOTATION] === 'true') return stop(`paused by ${PAUSED_ANNOTATION}`);
  return CONTINUE;
}

function podsOf(ctx: ClassCtx): PodFacts[] {
  const cluster = ctx.spec?.clusterRef.name ?? clusterNameOf(ctx.obj!);
  return cluster ? podsOfCluster(ctx.deps.caches.pods, ctx.namespace, cluster).map(podFacts) : [];
}

function stateOf(obj: VectorClassObject): ShardingState | undefined {
  return obj.status?.sharding ? parseShardingState(obj.status.sharding) : undefined;
}

async function finalizeIfDeleted(ctx: ClassCtx) {
  const obj = ctx.obj!;
  if (!obj.metadata?.deletionTimestamp) return CONTINUE;
  const finalizers = obj.metadata.finalizers ?? [];
  if (!finalizers.includes(CLASS_FINALIZER)) return stop('being deleted; nothing of ours to finalize');
  let shards = new Set<string>();
  try {
    shards = new Set(stateOf(obj)?.physical.map((p) => p.name) ?? []);
  } catch {
    // A corrupt state names no shards we could wait for.
  }
  const holders = podsOf(ctx).filter((p) => Object.keys(p.report?.shards ?? {}).some((s) => shards.has(s)));
  if (holders.length) {
    ctx.deleting = `waiting for pods ${holders.map((p) => p.name).join(', ')} to delete the data of this class's shards (they still list them in ${POD_REPORT_ANNOTATION})`;
    return requeueAfter(10_000, 'pods still hold shards');
  }
  const rest = finalizers.filter((f) => f !== CLASS_FINALIZER);
  await ctx.deps.client.mergePatchCustom(VECTOR_CLASS.plural, ctx.namespace, ctx.name, {
    metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers: rest.length ? rest : null },
  });
  ctx.finalized = true;
  ctx.deps.events.record(obj, 'Normal', 'Finalized', 'no pod holds data of this class any more; released the finalizer');
  return stop('finalized');
}

async function ensureFinalizer(ctx: ClassCtx) {
  const finalizers = ctx.obj!.metadata?.finalizers ?? [];
  if (finalizers.includes(CLASS_FINALIZER)) return CONTINUE;
  ctx.obj = await ctx.deps.client.mergePatchCustom<VectorClassObject>(VECTOR_CLASS.plural, ctx.namespace, ctx.name, {
    metadata: { resourceVersion: ctx.obj!.metadata?.resourceVersion, finalizers: [...finalizers, CLASS_FINALIZER] },
  });
  return CONTINUE;
}

function reject(ctx: ClassCtx, problem: Problem) {
  ctx.problem = problem;
  ctx.deps.events.record(ctx.obj!, 'Warning', problem.reason, problem.message);
  return stop(problem.reason);
}

function validate(ctx: ClassCtx) {
  const parsed = safeParse(vectorClassSpecSchema, ctx.obj!.spec, 'spec');
  if (parsed.ok) {
    ctx.spec = parsed.value;
    return CONTINUE;
  }
  const message = `invalid spec: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
  return reject(ctx, { reason: 'InvalidSpec', invalid: true, message });
}

function readState(ctx: ClassCtx) {
  try {
    ctx.state = stateOf(ctx.obj!);
  } catch (e) {
    return reject(ctx, { reason: 'CorruptShardingState', invalid: true, message: `status.sharding does not parse (${(e as Error).message}); it is never recomputed automatically: restore it from a backup` });
  }
  ctx.placedWith = ctx.obj!.status?.placedWith;
  return CONTINUE;
}

function checkAgainstCluster(ctx: ClassCtx) {
  const spec = ctx.spec!;
  const found = checkCluster(spec, ctx.namespace, ctx.deps.caches.clusters.get(spec.clusterRef.name, ctx.namespace));
  if (!('cluster' in found)) return reject(ctx, found);
  const sts = ctx.deps.caches.statefulSets.get(namesOf(spec.clusterRef.name).statefulSet, ctx.namespace);
  // While a scale-down is pending or refused, place only on pods that stay.
  ctx.podCount = Math.min(found.cluster.replicas, sts?.spec?.replicas ?? found.cluster.replicas);
  if (ctx.state) return CONTINUE; // placed classes keep their name and replicas
  const problem = checkReplication(spec, found.cluster, ctx.podCount) ?? checkUniqueName(ctx.obj!, spec, ctx.deps.caches.classes.list(ctx.namespace));
  return problem ? reject(ctx, problem) : CONTINUE;
}

function checkImmutableFields(ctx: ClassCtx) {
  if (!ctx.state) return CONTINUE;
  const problem = checkImmutable(ctx.spec!, ctx.placedWith, ctx.state);
  return problem ? reject(ctx, problem) : CONTINUE;
}

async function place(ctx: ClassCtx) {
  if (ctx.state) return CONTINUE;
  const { client } = ctx.deps;
  // The cache may lag behind our own earlier write: never place twice, ask the server.
  const fresh = await client.getCustom<VectorClassObject>(VECTOR_CLASS.plural, ctx.namespace, ctx.name);
  if (!fresh) return stop('deleted');
  if (fresh.status?.sharding) {
    ctx.obj = fresh;
    return readState(ctx);
  }
  if (fresh.metadata?.generation !== ctx.obj!.metadata?.generation) return requeueAfter(500, 'cache behind the server');
  const spec = ctx.spec!;
  const pods = Array.from({ length: ctx.podCount! }, (_, i) => ({ name: namesOf(spec.clusterRef.name).pod(i) }));
  const config = { desiredCount: spec.class.shardingConfig.desiredCount, virtualPerPhysical: spec.class.shardingConfig.virtualPerPhysical, replicationFactor: spec.class.replicationConfig.factor };
  let state: ShardingState;
  try {
    state = createShardingState(config, pods, ctx.deps.random);
  } catch (e) {
    return reject(ctx, { reason: 'PlacementFailed', invalid: true, message: `cannot place the class: ${(e as Error).message}` });
  }
  const placedWith = placedWithOf(spec);
  // resourceVersion makes this write conditional: if anything changed since the GET, 409 and retry.
  ctx.obj = await client.mergePatchStatus<VectorClassObject>(VECTOR_CLASS.plural, ctx.namespace, ctx.name, {
    metadata: { resourceVersion: fresh.metadata?.resourceVersion },
    status: { sharding: state, placedWith },
  });
  ctx.state = state;
  ctx.placedWith = placedWith;
  const podNames = [...new Set(state.physical.flatMap((p) => p.replicas))].sort().join(', ');
  ctx.deps.events.record(ctx.obj, 'Normal', 'Placed', `placed ${state.physical.length} shards x ${state.replicationFactor} replicas on pods ${podNames}`);
  return CONTINUE;
}

/** placedWith as recorded, plus dimensions once the spec first sets them. */
function currentPlacedWith(ctx: ClassCtx): PlacedWith | undefined {
  if (!ctx.state) return undefined;
  const base = ctx.placedWith ?? (ctx.spec ? placedWithOf(ctx.spec) : undefined);
  const dims = ctx.spec?.class.vectorIndexConfig.dimensions;
  if (base && base.dimensions === undefined && dims !== undefined && !ctx.problem) return { ...base, dimensions: dims };
  return base;
}

async function writeStatus(ctx: ClassCtx) {
  if (!ctx.obj || ctx.finalized || ctx.endedAt === 'load the VectorClass') return CONTINUE;
  const error = ctx.error !== undefined && !isConflict(ctx.error) ? messageOf(ctx.error) : undefined;
  const status = classStatus({
    generation: ctx.obj.metadata?.generation,
    previous: ctx.obj.status,
    state: ctx.state,
    placedWith: currentPlacedWith(ctx),
    problem: ctx.problem,
    deleting: ctx.deleting,
    error,
    pods: podsOf(ctx),
    nowIso: new Date(ctx.deps.clock.now()).toISOString(),
  });
  const patch = statusPatch(ctx.obj.status, status, CLASS_STATUS_FIELDS);
  if (!patch) return CONTINUE;
  try {
    await ctx.deps.client.mergePatchStatus(VECTOR_CLASS.plural, ctx.namespace, ctx.name, { status: patch });
  } catch (e) {
    if (isNotFound(e)) return CONTINUE;
    if (ctx.error === undefined) throw e;
    ctx.deps.log.warn('could not write status', { class: `${ctx.namespace}/${ctx.name}`, error: messageOf(e) });
  }
  return CONTINUE;
}
