// Parsing and validation of a stored sharding state. A state read from VectorClass.status or a
// pod's disk is untrusted until it passes here; inside, code trusts the typed value.
import { ShardingState } from './state.js';

export class ShardingStateError extends Error {
  override name = 'ShardingStateError';
}

function fail(path: string, expected: string, found: unknown): never {
  throw new ShardingStateError(`invalid sharding state: ${path} must be ${expected}, found ${JSON.stringify(found)}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function int(v: unknown, path: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(path, `an integer >= ${min}`, v);
  return v;
}

/** Validate an untrusted value (e.g. parsed JSON) as a ShardingState; throws ShardingStateError. */
export function parseShardingState(value: unknown): ShardingState {
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (e) {
      throw new ShardingStateError(`invalid sharding state: not JSON (${(e as Error).message})`);
    }
  }
  if (!isObject(value)) fail('state', 'an object', value);
  if (value.format !== 1) fail('format', '1', value.format);
  const epoch = int(value.epoch, 'epoch', 0);
  const virtualCount = int(value.virtualCount, 'virtualCount', 1);
  const replicationFactor = int(value.replicationFactor, 'replicationFactor', 1);
  if (!Array.isArray(value.physical) || value.physical.length === 0) fail('physical', 'a non-empty array', value.physical);
  const names = new Set<string>();
  const physical = value.physical.map((p: unknown, i: number) => {
    if (!isObject(p)) fail(`physical[${i}]`, 'an object', p);
    if (typeof p.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(p.name)) fail(`physical[${i}].name`, 'a shard name', p.name);
    if (names.has(p.name)) fail(`physical[${i}].name`, 'unique', p.name);
    names.add(p.name);
    if (!Array.isArray(p.replicas) || p.replicas.some((r) => typeof r !== 'string' || r === ''))
      fail(`physical[${i}].replicas`, 'an array of pod names', p.replicas);
    const replicas = p.replicas as string[];
    if (new Set(replicas).size !== replicas.length) fail(`physical[${i}].replicas`, 'distinct pods', replicas);
    return { name: p.name, replicas: [...replicas] };
  });
  if (!Array.isArray(value.assignment) || value.assignment.length !== virtualCount)
    fail('assignment', `an array of ${virtualCount} physical shard indices`, Array.isArray(value.assignment) ? `length ${value.assignment.length}` : value.assignment);
  const held = new Array<number>(physical.length).fill(0);
  const assignment = value.assignment.map((a: unknown, i: number) => {
    if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a >= physical.length)
      fail(`assignment[${i}]`, `an index below ${physical.length}`, a);
    held[a]++;
    return a;
  });
  held.forEach((c, i) => c === 0 && fail(`physical[${i}]`, 'holding at least one virtual shard', physical[i].name));
  return { format: 1, epoch, virtualCount, assignment, physical, replicationFactor };
}

/** Compact JSON of a state (the form stored in status). */
export function serializeShardingState(state: ShardingState): string {
  return JSON.stringify(state);
}
