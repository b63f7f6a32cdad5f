// Resolvers of Get and Aggregate: arguments -> a coordinator query -> Weaviate-shaped results.
// Argument errors are thrown as 422 HttpErrors, which the endpoint turns into a 422 answer.
import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import type { ClassState } from '../../control/types.js';
import type { ApiDeps } from '../deps.js';
import type { ConsistencyLevel } from '../../objects/types.js';
import type { ObjectQuery, QueryHit } from '../../coordinator/types.js';
import { DEFAULT_CONSISTENCY } from '../../coordinator/types.js';
import { unprocessable } from '../errors.js';
import { whereOf } from '../validation/where.js';
import { MAX_RESULTS } from '../http/params.js';
import { checkUuid, checkVector } from '../validation/values.js';
import { vectorToJson } from '../render.js';

export interface GraphqlContext {
  deps: ApiDeps;
}

interface NearArgs { distance?: number | null; certainty?: number | null; targetVectors?: string[] | null }
export interface GetArgs {
  where?: unknown;
  nearVector?: NearArgs & { vector: number[] };
  nearObject?: NearArgs & { id?: string | null; beacon?: string | null };
  limit?: number | null;
  offset?: number | null;
  after?: string | null;
  consistencyLevel?: ConsistencyLevel | null;
}

/** Weaviate's QUERY_DEFAULTS_LIMIT for GraphQL. */
const DEFAULT_LIMIT = 10;

/** What a Get selection needs from storage (see `selected`). */
export interface GetSelection {
  /** The stored objects: a property, a timestamp or the vector is selected. */
  objects: boolean;
  /** The vector in particular (converting vectors to JSON is the one costly field). */
  vector: boolean;
}

export function resolveGet(cls: ClassState, args: GetArgs, ctx: GraphqlContext, info: GraphQLResolveInfo): Promise<Array<Record<string, unknown>>> {
  return getObjects(cls, args, ctx, selected(info));
}

/** Get's work for a known selection: shared by graphql-js (resolveGet) and the compiled fast path (get-plan.ts). */
export async function getObjects(cls: ClassState, args: GetArgs, ctx: GraphqlContext, selection: GetSelection): Promise<Array<Record<string, unknown>>> {
  const started = process.hrtime.bigint();
  const def = cls.definition;
  const opts = { consistencyLevel: args.consistencyLevel ?? DEFAULT_CONSISTENCY };
  const limit = args.limit ?? DEFAULT_LIMIT;
  const offset = args.offset ?? 0;
  if (limit < 0 || offset < 0) throw unprocessable(`${def.class}: limit and offset must not be negative`);
  if (limit + offset > MAX_RESULTS) throw unprocessable(`${def.class}: offset + limit must not exceed ${MAX_RESULTS}`);
  if (args.nearVector && args.nearObject) throw unprocessable(`${def.class}: use nearVector or nearObject, not both`);
  const filter = whereOf(args.where, def, `${def.class}.where`);
  let hits: QueryHit[];
  if (args.after !== undefined && args.after !== null) {
    if (args.where || args.nearVector || args.nearObject || offset) throw unprocessable(`${def.class}: after cannot be combined with where, near arguments or offset`);
    const after = checkUuid(args.after);
    if ('error' in after) throw unprocessable(`${def.class}.after ${after.error}`);
    hits = (await ctx.deps.coordinator.listObjects(def.class, { after: after.value, offset: 0, limit }, opts)).map((object) => ({ id: object.id, object }));
  } else {
    const q = await nearQuery(cls, args, ctx);
    if (q === 'empty') return [];
    hits = await ctx.deps.coordinator.query({ class: def.class, limit, offset, filter, withObjects: selection.objects, withVectors: selection.vector, ...q }, opts);
  }
  const type = args.nearVector ? 'near_vector' : args.nearObject ? 'near_object' : 'get';
  ctx.deps.metrics.query(def.class, type, Number(process.hrtime.bigint() - started) / 1e9);
  const cosine = def.vectorIndexConfig.distance === 'cosine';
  return hits.map((h) => toResult(h, selection.vector, cosine));
}

/** The vector and distance bound of a near query; 'empty' when the class holds no vectors yet. */
async function nearQuery(cls: ClassState, args: GetArgs, ctx: GraphqlContext): Promise<Pick<ObjectQuery, 'vector' | 'maxDistance'> | 'empty'> {
  const def = cls.definition;
  const near = args.nearVector ?? args.nearObject;
  if (!near) return {};
  const name = args.nearVector ? 'nearVector' : 'nearObject';
  if (near.targetVectors?.length) throw unprocessable(`${def.class}.${name}.targetVectors: named vectors are not supported`);
  const maxDistance = distanceBound(cls, name, near);
  let vector: Float32Array | null;
  if (args.nearVector) {
    const r = checkVector(args.nearVector.vector);
    if ('error' in r) throw unprocessable(`${def.class}.nearVector.vector${r.error.startsWith('[') ? '' : ' '}${r.error}`);
    vector = r.value;
    if (!vector) throw unprocessable(`${def.class}.nearVector.vector must not be empty`);
    const dims = def.vectorIndexConfig.dimensions;
    if (dims === undefined) return 'empty';
    if (vector.length !== dims) throw unprocessable(`${def.class}.nearVector.vector has length ${vector.length}, but class ${def.class} holds vectors of length ${dims}`);
  } else {
    vector = await vectorOfObject(def.class, args.nearObject!, ctx);
  }
  return { vector, ...(maxDistance !== undefined ? { maxDistance } : {}) };
}

function distanceBound(cls: ClassState, name: string, near: NearArgs): number | undefined {
  const def = cls.definition;
  const has = (v: number | null | undefined): v is number => v !== undefined && v !== null;
  if (has(near.distance) && has(near.certainty)) throw unprocessable(`${def.class}.${name}: give distance or certainty, not both`);
  if (has(near.certainty)) {
    if (def.vectorIndexConfig.distance !== 'cosine')
      throw unprocessable(`${def.class}.${name}.certainty is only defined for cosine distance; class ${def.class} uses ${def.vectorIndexConfig.distance}, use distance`);
    if (near.certainty < 0 || near.certainty > 1) throw unprocessable(`${def.class}.${name}.certainty must be between 0 and 1, got ${near.certainty}`);
    return 2 * (1 - near.certainty);
  }
  return has(near.distance) ? near.distance : undefined;
}

async function vectorOfObject(className: string, near: NonNullable<GetArgs['nearObject']>, ctx: GraphqlContext): Promise<Float32Array> {
  const raw = near.id ?? near.beacon?.split('/').pop();
  const id = checkUuid(raw);
  if ('error' in id) throw unprocessable(`${className}.nearObject needs id (or beacon) that ${id.error}`);
  const opts = { consistencyLevel: DEFAULT_CONSISTENCY };
  const obj = (await ctx.deps.coordinator.getObject(className, id.value, opts)) ?? (await ctx.deps.coordinator.getObject(undefined, id.value, opts));
  if (!obj) throw unprocessable(`${className}.nearObject: no object with id ${id.value}`);
  if (!obj.vector) throw unprocessable(`${className}.nearObject: object ${id.value} has no vector`);
  return obj.vector;
}

function toResult(h: QueryHit, withVector: boolean, cosine: boolean): Record<string, unknown> {
  const o = h.object;
  const additional: Record<string, unknown> = {
    id: h.id,
    distance: h.distance ?? null,
    certainty: h.distance !== undefined && cosine ? 1 - h.distance / 2 : null,
  };
  if (!o) return { _additional: additional };
  additional.creationTimeUnix = String(o.creationTimeUnix);
  additional.lastUpdateTimeUnix = String(o.lastUpdateTimeUnix);
  if (withVector && o.vector) additional.vector = vectorToJson(o.vector);
  return { ...o.properties, _additional: additional };
}

/** _additional fields answered from a search hit alone, without reading the object. */
export const HIT_FIELDS: ReadonlySet<string> = new Set(['id', 'distance', 'certainty', '__typename']);

/** What the selection needs: see GetSelection. */
function selected(info: GraphQLResolveInfo): GetSelection {
  const out = { objects: false, vector: false };
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined, inAdditional: boolean): void => {
    for (const s of set?.selections ?? []) {
      if (s.kind === 'Field') {
        const name = s.name.value;
        if (!inAdditional && name === '_additional') walk(s.selectionSet, true);
        else if (!inAdditional) out.objects ||= name !== '__typename';
        else if (!HIT_FIELDS.has(name)) {
          out.objects = true;
          out.vector ||= name === 'vector';
        }
      } else if (s.kind === 'InlineFragment') walk(s.selectionSet, inAdditional);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        walk(info.fragments[s.name.value]?.selectionSet, inAdditional);
      }
    }
  };
  for (const f of info.fieldNodes) walk(f.selectionSet, false);
  return out;
}

export async function resolveAggregate(cls: ClassState, args: { where?: unknown; consistencyLevel?: ConsistencyLevel | null }, ctx: GraphqlContext): Promise<unknown[]> {
  const started = process.hrtime.bigint();
  const def = cls.definition;
  const filter = whereOf(args.where, def, `${def.class}.where`);
  const count = await ctx.deps.coordinator.count(def.class, filter, { consistencyLevel: args.consistencyLevel ?? DEFAULT_CONSISTENCY });
  ctx.deps.metrics.query(def.class, 'aggregate', Number(process.hrtime.bigint() - started) / 1e9);
  return [{ meta: { count } }];
}
