// Initial sharding state from a config and the current pods. Randomness (shard names, the
// shuffle of virtual shards, the start pod of the round-robin) is drawn from `random` once; the
// result is stored, so nobody ever recomputes it.
import { ShardingConfig, ShardingState, PodInfo, PhysicalShard } from './state.js';

export type Random = () => number;

const NAME_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomShardName(random: Random, taken: ReadonlySet<string> = new Set()): string {
  for (;;) {
    let name = '';
    for (let i = 0; i < 12; i++) name += NAME_CHARS[Math.floor(random() * NAME_CHARS.length)];
    if (!taken.has(name)) return name;
  }
}

export function validateShardingConfig(config: ShardingConfig, podCount: number): void {
  const { desiredCount, virtualPerPhysical, replicationFactor } = config;
  if (!Number.isInteger(desiredCount) || desiredCount < 1)
    throw new RangeError(`shardingConfig.desiredCount must be an integer >= 1, got ${desiredCount}`);
  if (!Number.isInteger(virtualPerPhysical) || virtualPerPhysical < 1)
    throw new RangeError(`shardingConfig.virtualPerPhysical must be an integer >= 1, got ${virtualPerPhysical}`);
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
  validateShardingConfig(config, pods.length);
  const sortedPods = [...pods].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const n = config.desiredCount;
  const virtualCount = n * config.virtualPerPhysical;
  // Deal a shuffled list of virtual shards round-robin, so each physical shard holds exactly
  // virtualPerPhysical of them.
  const order = shuffled(Array.from({ length: virtualCount }, (_, i) => i), random);
  const assignment = new Array<number>(virtualCount);
  order.forEach((v, k) => (assignment[v] = k % n));
  const start = Math.floor(random() * sortedPods.length);
  const replicas = roundRobinReplicas(n, config.replicationFactor, sortedPods, start);
  const taken = new Set<string>();
  const physical: PhysicalShard[] = replicas.map((r) => {
    const name = randomShardName(random, taken);
    taken.add(name);
    return { name, replicas: r };
  });
  return { format: 1, epoch: 1, virtualCount, assignment, physical, replicationFactor: config.replicationFactor };
}
