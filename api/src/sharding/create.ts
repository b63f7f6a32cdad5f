// Initial sharding state from a config and the current pods. Randomness (shard names, the
// shuffle of virtual shards, the start pod of the round-robin) is drawn from `random` once; the
// result is stored, so nobody ever recomputes it.
import { ShardingConfig, ShardingState, PodInfo, PhysicalShard, sortPods, MAX_VIRTUAL_COUNT } from './state.js';

export type Random = () => number;

const NAME_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MAX_POD_NAME_LENGTH = 253;

export function randomShardName(random: Random, taken: ReadonlySet<string> = new Set()): string {
  for (;;) {
    let name = '';
    for (let i = 0; i < 12; i++) name += NAME_CHARS[Math.floor(random() * NAME_CHARS.length)];
    if (!taken.has(name)) return name;
  }
}

/** `count` fresh shard names, distinct from each other and from `taken`. */
export function randomShardNames(count: number, random: Random, taken: Iterable<string> = []): string[] {
  const used = new Set(taken);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = randomShardName(random, used);
    used.add(name);
    out.push(name);
  }
  return out;
}

/** Throws a RangeError naming the first pod that is malformed or listed twice. */
export function validatePods(pods: readonly PodInfo[], what = 'pods'): void {
  const seen = new Set<string>();
  pods.forEach((p, i) => {
    if (typeof p?.name !== 'string' || p.name === '' || p.name.length > MAX_POD_NAME_LENGTH)
      throw new RangeError(`${what}[${i}].name must be a non-empty string of at most ${MAX_POD_NAME_LENGTH} characters, found ${JSON.stringify(p?.name)}`);
    if (p.zone !== undefined && typeof p.zone !== 'string')
      throw new RangeError(`${what}[${i}].zone must be a string or absent, found ${JSON.stringify(p.zone)}`);
    if (seen.has(p.name)) throw new RangeError(`${what}: pod ${JSON.stringify(p.name)} is listed twice`);
    seen.add(p.name);
  });
}

export function validateShardingConfig(config: ShardingConfig, podCount: number): void {
  const { desiredCount, virtualPerPhysical, replicationFactor } = config;
  if (!Number.isInteger(desiredCount) || desiredCount < 1)
    throw new RangeError(`shardingConfig.desiredCount must be an integer >= 1, got ${desiredCount}`);
  if (!Number.isInteger(virtualPerPhysical) || virtualPerPhysical < 1)
    throw new RangeError(`shardingConfig.virtualPerPhysical must be an integer >= 1, got ${virtualPerPhysical}`);
  if (desiredCount * virtualPerPhysical > MAX_VIRTUAL_COUNT)
    throw new RangeError(
      `shardingConfig.desiredCount * virtualPerPhysical must be at most ${MAX_VIRTUAL_COUNT}, got ${desiredCount * virtualPerPhysical}`,
    );
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1)
    throw new RangeError(`replicationConfig.factor must be an integer >= 1, got ${replicationFactor}`);
  if (podCount < replicationFactor)
    throw new RangeError(
      `replicationConfig.factor ${replicationFactor} needs at least ${replicationFactor} pods, found ${podCount}`,
    );
}

/** Fisher-Yates shuffle into a new array. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Pods in the order the round-robin walks them: the pods of each zone spread evenly along the
 * ring (pod j of a zone with k pods sits at (j + 1/2) / k), so consecutive pods are in distinct
 * zones whenever zones are about equal in size. Without zones this is the sorted pod list.
 */
export function zoneInterleaved(pods: readonly PodInfo[]): PodInfo[] {
  const byZone = new Map<string, PodInfo[]>();
  for (const p of sortPods(pods)) {
    const zone = p.zone ?? '';
    byZone.set(zone, [...(byZone.get(zone) ?? []), p]);
  }
  const keyed: { key: number; zone: string; pod: PodInfo }[] = [];
  for (const [zone, members] of byZone)
    members.forEach((pod, j) => keyed.push({ key: (j + 0.5) / members.length, zone, pod }));
  keyed.sort((a, b) => a.key - b.key || (a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : 0));
  return keyed.map((k) => k.pod);
}

/**
 * Round-robin placement: replica slot t (shard j, replica r, t = j*RF + r) goes to
 * pods[(start + t) mod n]. Consecutive slots are distinct pods when RF <= n, and every pod gets
 * floor or ceil of (shards*RF)/n replicas.
 */
export function roundRobinReplicas(shardCount: number, rf: number, pods: readonly PodInfo[], start: number): string[][] {
  const names = pods.map((p) => p.name);
  const out: string[][] = [];
  for (let j = 0; j < shardCount; j++) {
    const replicas: string[] = [];
    for (let r = 0; r < rf; r++) replicas.push(names[(start + j * rf + r) % names.length]);
    out.push(replicas);
  }
  return out;
}

export function createShardingState(config: ShardingConfig, pods: readonly PodInfo[], random: Random = Math.random): ShardingState {
  validatePods(pods);
  validateShardingConfig(config, pods.length);
  const n = config.desiredCount;
  const virtualCount = n * config.virtualPerPhysical;
  // Deal a shuffled list of virtual shards round-robin, so each physical shard holds exactly
  // virtualPerPhysical of them: with evenly spaced bounds every share is exactly 1/n.
  const order = shuffled(Array.from({ length: virtualCount }, (_, i) => i), random);
  const assignment = new Array<number>(virtualCount);
  order.forEach((v, k) => (assignment[v] = k % n));
  const ring = zoneInterleaved(pods);
  const start = Math.floor(random() * ring.length);
  const replicas = roundRobinReplicas(n, config.replicationFactor, ring, start);
  const names = randomShardNames(n, random);
  const physical: PhysicalShard[] = replicas.map((r, j) => ({ name: names[j], replicas: r }));
  return {
    format: 1,
    epoch: 1,
    virtualCount,
    assignment,
    physical,
    replicationFactor: config.replicationFactor,
    pods: sortPods(pods),
  };
}
