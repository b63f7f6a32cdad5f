// Schema changes through the Kubernetes API. Each one writes a VectorClass (create, delete, or a
// read-modify-write merge patch conditional on resourceVersion, retried on 409) and then waits
// until the watch brought the result back and the listeners ran, so the caller can use the
// change at once. What they wait for:
//  - createClass: the operator placed the class (status.sharding present, Placed=True) ->
//    resolve; the operator marked it Invalid -> delete the resource, reject 'invalid' with its
//    reason;
//  - deleteClass: the resource is gone (the operator releases the finalizer once no pod reports
//    the class's shards; this pod dropped its own when the deletionTimestamp appeared);
//  - addProperty / fixDimensions: the snapshot shows the new property / dimensions.
import {
  API_VERSION, VECTOR_CLASS, LABELS, type ClassDefinition, type PropertyDefinition,
} from '../../../../api/index.js';
import type { Logger } from '../../log.js';
import { ShoalError, conflict, invalid, notFound, unavailable } from '../../coordinator/errors.js';
import type { ClassState } from '../types.js';
import type { VectorClassApi } from './api.js';
import { BackoffPolicy, jitteredMs, sleepMs } from '../../../../api/index.js';
import { ClassView, Content, VectorClassObject, placedCondition } from './classes.js';
import type { KubeControlConfig } from './config.js';
import { schemaChangesDisabled, timedOut, writeError } from './errors.js';
import { isConflict, statusOf } from '../../../../api/index.js';
import { resourceNameOf } from './names.js';
import type { Waiters } from './waiters.js';

export interface ChangeContext {
  config: KubeControlConfig;
  api: VectorClassApi;
  waiters: Waiters;
  log: Logger;
  /** The content of the latest refresh. */
  content(): Content;
  /** A VectorClass from the informer's cache, by resource name. */
  cached(name: string): VectorClassObject | undefined;
  retry: { backoff: BackoffPolicy; max: number; random: () => number };
}

const HOW_TO_APPLY = 'Apply a VectorClass resource with kubectl apply instead (see examples/quickstart.yaml)';

// ---- createClass ----------------------------------------------------------------------------

export async function createClass(ctx: ChangeContext, def: ClassDefinition): Promise<ClassState> {
  const { cluster, namespace } = ctx.config;
  if (!ctx.config.allowSchemaChanges) throw schemaChangesDisabled(`create class ${JSON.stringify(def.class)}`, cluster, HOW_TO_APPLY);
  const taken = findIgnoringCase(ctx.content(), def.class);
  if (taken) {
    const as = taken.name !== def.class ? ` (as ${JSON.stringify(taken.name)})` : '';
    throw conflict(`class ${JSON.stringify(def.class)} already exists${as}${taken.deleting ? ' and is being deleted; retry once it is gone' : ''}`);
  }
  const name = resourceNameOf(def.class);
  const body: VectorClassObject = {
    apiVersion: API_VERSION, kind: VECTOR_CLASS.kind,
    metadata: { name, namespace, labels: { [LABELS.cluster]: cluster } },
    spec: { clusterRef: { name: cluster }, class: def as unknown as Record<string, unknown> },
  };
  let created: VectorClassObject;
  try {
    created = await ctx.api.create(body);
  } catch (e) {
    throw await createError(ctx, e, def.class, name);
  }
  ctx.log.info('VectorClass created; waiting for the operator to place it', { class: def.class, resource: `${namespace}/${name}` });
  return awaitPlacement(ctx, def.class, name, created.metadata?.uid ?? '');
}

function findIgnoringCase(content: Content, name: string): { name: string; deleting: boolean } | undefined {
  const lower = name.toLowerCase();
  for (const existing of content.owners.keys()) if (existing.toLowerCase() === lower) return { name: existing, deleting: false };
  for (const existing of content.deleting.keys()) if (existing.toLowerCase() === lower) return { name: existing, deleting: true };
  return undefined;
}

async function createError(ctx: ChangeContext, e: unknown, className: string, name: string): Promise<ShoalError> {
  if (statusOf(e) !== 409) return writeError(e, `create VectorClass ${ctx.config.namespace}/${name} for class ${JSON.stringify(className)}`);
  const existing = await ctx.api.get(name).catch(() => undefined);
  const holds = existing?.spec?.class?.class;
  if (holds === className && existing?.spec?.clusterRef?.name === ctx.config.cluster) return conflict(`class ${JSON.stringify(className)} already exists (VectorClass ${ctx.config.namespace}/${name})`);
  return conflict(
    `cannot create class ${JSON.stringify(className)}: its resource name ${JSON.stringify(name)} is taken by VectorClass ${ctx.config.namespace}/${name}` +
      ` (class ${JSON.stringify(holds)} of cluster ${JSON.stringify(existing?.spec?.clusterRef?.name)}); pick another class name, or apply a VectorClass with another metadata.name using kubectl`,
  );
}

function awaitPlacement(ctx: ChangeContext, className: string, name: string, uid: string): Promise<ClassState> {
  const resource = `VectorClass ${ctx.config.namespace}/${name}`;
  const probe = (): ClassState | undefined => {
    const obj = ctx.cached(name);
    if (!obj) return undefined; // not in the cache yet (or deleted: the timeout says so)
    if (obj.metadata?.uid !== uid || obj.metadata?.deletionTimestamp)
      throw conflict(`${resource} was deleted by someone else before the operator placed class ${JSON.stringify(className)}`);
    // Routable as soon as status.sharding is there; answer once the operator also says Placed,
    // so that what the client sees next (kubectl get vectorclass) agrees.
    const owner = ctx.content().owners.get(className);
    if (owner?.uid === uid && owner.kind === 'placed' && placedCondition(obj)?.status === 'True') return owner.state;
    if (obj.status?.phase !== 'Invalid') return undefined;
    const c = placedCondition(obj);
    abandon(ctx, name, uid);
    throw invalid(`the operator cannot place class ${JSON.stringify(className)}: ${c?.message ?? 'phase Invalid'}${c?.reason ? ` (${c.reason})` : ''}; the VectorClass was deleted again`);
  };
  return ctx.waiters.wait(probe, ctx.config.schemaTimeoutMs, () => {
    const c = ctx.cached(name) ? placedCondition(ctx.cached(name)!) : undefined;
    const state = c ? `Placed=${c.status} ${c.reason}: ${c.message}` : 'no Placed condition yet: is the operator running?';
    return timedOut(
      `${resource} was created, but the operator did not place class ${JSON.stringify(className)} within ${ctx.config.schemaTimeoutMs} ms (${state}). ` +
        `It stays and becomes usable once placed (kubectl get vectorclass ${name} -n ${ctx.config.namespace}); delete it to give up`,
    );
  });
}

/** Delete a class the operator rejected, so that a corrected retry does not meet a conflict. */
function abandon(ctx: ChangeContext, name: string, uid: string): void {
  ctx.api.delete(name, uid).catch((e) => ctx.log.warn('could not delete a rejected VectorClass', { resource: name, error: e as Error }));
}

// ---- deleteClass ----------------------------------------------------------------------------

export async function deleteClass(ctx: ChangeContext, className: string): Promise<boolean> {
  const { cluster, namespace } = ctx.config;
  if (!ctx.config.allowSchemaChanges) throw schemaChangesDisabled(`delete class ${JSON.stringify(className)}`, cluster, 'Delete its VectorClass resource with kubectl delete instead');
  const content = ctx.content();
  const owner = content.owners.get(className);
  const targets: ClassView[] = owner ? [owner] : content.deleting.get(className) ?? [];
  if (!targets.length) return false;
  if (owner) {
    try {
      await ctx.api.delete(owner.resource, owner.uid);
    } catch (e) {
      // 409: the uid precondition failed, so that resource is already gone (replaced by a namesake).
      if (!isConflict(e)) throw writeError(e, `delete VectorClass ${namespace}/${owner.resource}`);
    }
  }
  const gone = () => targets.every((t) => ctx.cached(t.resource)?.metadata?.uid !== t.uid);
  await ctx.waiters.wait(() => (gone() ? true : undefined), ctx.config.schemaTimeoutMs, () => deleteTimeout(ctx, className, targets));
  ctx.log.info('class deleted', { class: className, resources: targets.map((t) => t.resource) });
  return true;
}

function deleteTimeout(ctx: ChangeContext, className: string, targets: ClassView[]): ShoalError {
  const left = targets.find((t) => ctx.cached(t.resource)?.metadata?.uid === t.uid)!;
  const ready = ctx.cached(left.resource)?.status?.conditions?.find((c) => c.type === 'Ready');
  return timedOut(
    `class ${JSON.stringify(className)} is being deleted, but VectorClass ${ctx.config.namespace}/${left.resource} still exists after ${ctx.config.schemaTimeoutMs} ms: ` +
      `the operator removes its finalizer shoal.dev/class-data once no pod reports the class's shards${ready ? ` (${ready.message})` : ''}. ` +
      'It keeps going; see kubectl describe vectorclass ' + left.resource,
  );
}

// ---- addProperty and fixDimensions ----------------------------------------------------------

/** The placed resource of a class, or why there is none. */
function placedOwner(ctx: ChangeContext, className: string): ClassView & { kind: 'placed' } {
  const owner = ctx.content().owners.get(className);
  if (!owner) throw notFound(`class ${JSON.stringify(className)} does not exist`);
  if (owner.kind !== 'placed') throw unavailable(`class ${JSON.stringify(className)} is not placed yet: ${owner.kind === 'pending' ? owner.pending.reason : 'it is being deleted'}`);
  return owner;
}

/**
 * Read the resource, let `change` compute a merge patch (or a result without writing), write
 * it conditional on the resourceVersion read, and start over on 409 (someone wrote in between).
 */
async function readModifyWrite<T>(ctx: ChangeContext, owner: ClassView, what: string, change: (obj: VectorClassObject) => { patch?: object; result: T }): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const obj = await ctx.api.get(owner.resource).catch((e) => { throw writeError(e, what); });
    if (!obj || obj.metadata?.uid !== owner.uid || obj.metadata?.deletionTimestamp) throw notFound(`cannot ${what}: the class was deleted meanwhile`);
    const { patch, result } = change(obj);
    if (!patch) return result;
    try {
      await ctx.api.mergePatch(owner.resource, { ...patch, metadata: { resourceVersion: obj.metadata?.resourceVersion } });
      return result;
    } catch (e) {
      if (!isConflict(e) || attempt >= ctx.retry.max) throw writeError(e, what);
      ctx.log.debug('conflict; reading again', { resource: owner.resource, attempt });
      await sleepMs(jitteredMs(attempt, ctx.retry.backoff, ctx.retry.random));
    }
  }
}

/** Wait until the snapshot's state of the class (same resource) satisfies `done`. */
function awaitState<T>(ctx: ChangeContext, owner: ClassView, what: string, done: (s: ClassState) => T | undefined): Promise<T> {
  const probe = () => {
    const now = ctx.content().owners.get(owner.className);
    return now?.uid === owner.uid && now.kind === 'placed' ? done(now.state) : undefined;
  };
  const { namespace, schemaTimeoutMs } = ctx.config;
  return ctx.waiters.wait(probe, schemaTimeoutMs, () =>
    timedOut(
      `${what}: written to VectorClass ${namespace}/${owner.resource}, but the change did not come back ` +
        `through the watch within ${schemaTimeoutMs} ms; it will apply once it does`,
    ));
}

export async function addProperty(ctx: ChangeContext, className: string, property: PropertyDefinition): Promise<ClassState> {
  const what = `add property ${JSON.stringify(property.name)} to class ${JSON.stringify(className)}`;
  if (!ctx.config.allowSchemaChanges)
    throw schemaChangesDisabled(what, ctx.config.cluster, 'Add it to spec.class.properties of the VectorClass with kubectl apply instead');
  const owner = placedOwner(ctx, className);
  await readModifyWrite(ctx, owner, what, (obj) => {
    const props = Array.isArray(obj.spec?.class?.properties) ? (obj.spec!.class!.properties as Array<{ name?: unknown }>) : [];
    const clash = props.find((p) => typeof p.name === 'string' && p.name.toLowerCase() === property.name.toLowerCase());
    if (clash) throw conflict(`class ${className} already has a property ${JSON.stringify(clash.name)}`);
    return { patch: { spec: { class: { properties: [...props, property] } } }, result: undefined };
  });
  return awaitState(ctx, owner, what, (s) => (s.definition.properties.some((p) => p.name === property.name) ? s : undefined));
}

export async function fixDimensions(ctx: ChangeContext, className: string, dimensions: number): Promise<number> {
  const owner = placedOwner(ctx, className);
  const known = owner.state.definition.vectorIndexConfig.dimensions;
  if (known !== undefined) return known;
  const what = `set the dimensions of class ${JSON.stringify(className)} to ${dimensions}`;
  await readModifyWrite(ctx, owner, what, (obj) => {
    const existing = (obj.spec?.class?.vectorIndexConfig as { dimensions?: unknown } | undefined)?.dimensions;
    // Another pod (or kubectl) set it first: the CRD's CEL rule allows setting it once only.
    if (typeof existing === 'number') return { result: existing };
    return { patch: { spec: { class: { vectorIndexConfig: { dimensions } } } }, result: dimensions };
  });
  return awaitState(ctx, owner, what, (s) => s.definition.vectorIndexConfig.dimensions);
}
