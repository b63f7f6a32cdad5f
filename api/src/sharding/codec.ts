// Parsing and validation of a stored sharding state. A state read from VectorClass.status or a
// pod's disk is untrusted until it passes here; inside, code trusts the typed value. Every error
// names the field, what was expected and what was found.
//
// Size: the stored form is plain JSON; the assignment (one small integer per virtual shard)
// dominates. 64 physical x 128 virtual x RF 3 over 64 pods is about 31 KiB (see README.md).
import { ShardingState, PhysicalShard, PodInfo, MAX_VIRTUAL_COUNT } from './state.js';

export class ShardingStateError extends Error {
  override name = 'ShardingStateError';
}

const SHARD_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_POD_NAME_LENGTH = 253;

function describe(found: unknown): string {
  const text = JSON.stringify(found);
  if (text === undefined) return String(found);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function fail(path: string, expected: string, found: unknown): never {
  throw new ShardingStateError(`invalid sharding state: ${path} must be ${expected}, found ${describe(found)}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function int(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fail(path, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`, v);
  return v;
}

function parsePods(value: unknown): PodInfo[] {
  if (!Array.isArray(value) || value.length === 0) fail('pods', 'a non-empty array of {name, zone?}', value);
  const seen = new Set<string>();
  return value.map((p: unknown, i: number) => {
    if (!isObject(p)) fail(`pods[${i}]`, 'an object {name, zone?}', p);
    if (typeof p.name !== 'string' || p.name === '' || p.name.length > MAX_POD_NAME_LENGTH)
      fail(`pods[${i}].name`, `a pod name (1 to ${MAX_POD_NAME_LENGTH} characters)`, p.name);
    if (seen.has(p.name)) fail(`pods[${i}].name`, 'unique', p.name);
    if (i > 0 && p.name < (value[i - 1] as PodInfo).name) fail(`pods[${i}].name`, `sorted after ${describe((value[i - 1] as PodInfo).name)}`, p.name);
    seen.add(p.name);
    if (p.zone !== undefined && typeof p.zone !== 'string') fail(`pods[${i}].zone`, 'a string or absent', p.zone);
    return p.zone === undefined ? { name: p.name } : { name: p.name, zone: p.zone };
  });
}

function parsePhysical(value: unknown, rf: number, pods: ReadonlySet<string>): PhysicalShard[] {
  if (!Array.isArray(value) || value.length === 0) fail('physical', 'a non-empty array', value);
  const names = new Set<string>();
  return value.map((p: unknown, i: number) => {
    if (!isObject(p)) fail(`physical[${i}]`, 'an object {name, replicas}', p);
    if (typeof p.name !== 'string' || !SHARD_NAME.test(p.name)) fail(`physical[${i}].name`, 'a shard name ([A-Za-z0-9_-]{1,64})', p.name);
    if (names.has(p.name)) fail(`physical[${i}].name`, 'unique', p.name);
    names.add(p.name);
    if (!Array.isArray(p.replicas) || p.replicas.length !== rf)
      fail(`physical[${i}].replicas`, `an array of ${rf} pod names (the replication factor)`, p.replicas);
    const replicas = p.replicas as unknown[];
    replicas.forEach((r, k) => {
      if (typeof r !== 'string' || !pods.has(r)) fail(`physical[${i}].replicas[${k}]`, 'the name of a pod listed in pods', r);
    });
    if (new Set(replicas).size !== replicas.length) fail(`physical[${i}].replicas`, 'distinct pods', replicas);
    return { name: p.name, replicas: replicas as string[] };
  });
}

function parseAssignment(value: unknown, virtualCount: number, physicalCount: number): number[] {
  if (!Array.isArray(value) || value.length !== virtualCount)
    fail('assignment', `an array of ${virtualCount} (virtualCount) physical shard indices`, Array.isArray(value) ? `an array of length ${value.length}` : value);
  const held = new Array<number>(physicalCount).fill(0);
  const assignment = value.map((a: unknown, i: number) => {
    if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a >= physicalCount)
      fail(`assignment[${i}]`, `an index into physical (0 to ${physicalCount - 1})`, a);
    held[a]++;
    return a;
  });
  held.forEach((c, i) => c === 0 && fail(`physical[${i}]`, 'a shard holding at least one virtual shard', 'no assignment entry pointing to it'));
  return assignment;
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (e) {
    throw new ShardingStateError(`invalid sharding state: not JSON (${(e as Error).message})`);
  }
}

/** Validate an untrusted value (or its JSON text) as a ShardingState; throws ShardingStateError. */
export function parseShardingState(input: unknown): ShardingState {
  const value = parseJson(input);
  if (!isObject(value)) fail('state', 'an object', value);
  if (value.format !== 1) fail('format', '1 (the only format this version reads)', value.format);
  const epoch = int(value.epoch, 'epoch', 0);
  const virtualCount = int(value.virtualCount, 'virtualCount', 1, MAX_VIRTUAL_COUNT);
  const pods = parsePods(value.pods);
  const replicationFactor = int(value.replicationFactor, 'replicationFactor', 1, pods.length);
  const physical = parsePhysical(value.physical, replicationFactor, new Set(pods.map((p) => p.name)));
  if (physical.length > virtualCount) fail('physical', `at most virtualCount (${virtualCount}) shards`, `${physical.length} shards`);
  const assignment = parseAssignment(value.assignment, virtualCount, physical.length);
  return { format: 1, epoch, virtualCount, assignment, physical, replicationFactor, pods };
}

/** Compact JSON of a state (the form stored in status), fields in a fixed order. */
export function serializeShardingState(state: ShardingState): string {
  const { format, epoch, virtualCount, replicationFactor, pods, physical, assignment } = state;
  return JSON.stringify({ format, epoch, virtualCount, replicationFactor, pods, physical, assignment });
}
