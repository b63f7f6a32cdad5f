// Replica placement for the planners: given each shard's current replicas, the pods and the
// replication factor, choose every shard's new replica pods. One exact optimisation serves every
// planner (add or remove pods, replace a pod, change the replication factor, re-shard), with
// priorities in this order:
//   1. hard: RF distinct pods per shard; every pod holds floor or ceil of (shards*RF)/pods;
//   2. fewest replica placements on a pod that does not hold the shard now (= fewest moves);
//   3. most distinct zones per shard.
// It is a min-cost flow: source -> shard (RF) -> (shard, zone) -> pod -> sink, with costs
// weighted so that each priority outranks everything below it.
import { PodInfo } from './state.js';
import { FlowNetwork } from './min-cost-flow.js';

export interface PlacementProblem {
  /** Current replica pods of each shard (pods not in `pods` are ignored: their copies are leaving). */
  current: readonly (readonly string[])[];
  pods: readonly PodInfo[];
  replicationFactor: number;
}

interface Layout {
  net: FlowNetwork;
  source: number;
  sink: number;
  /** For each shard, (edge id, pod name) of its shard-zone -> pod edges. */
  choices: { edge: number; pod: string }[][];
}

/** Group pods by zone (pods without a zone share the zone ""), zones and pods sorted. */
function zones(pods: readonly PodInfo[]): PodInfo[][] {
  const byZone = new Map<string, PodInfo[]>();
  for (const p of pods) byZone.set(p.zone ?? '', [...(byZone.get(p.zone ?? '') ?? []), p]);
  return [...byZone.keys()].sort().map((z) => byZone.get(z)!.sort((a, b) => (a.name < b.name ? -1 : 1)));
}

function layout(problem: PlacementProblem): Layout {
  const { current, pods, replicationFactor: rf } = problem;
  const shardCount = current.length;
  const total = shardCount * rf;
  // Weights: all zone costs together stay below one move; all moves and zone costs together
  // stay below one unit of imbalance.
  const zoneCost = 1;
  const moveCost = total + 1;
  const imbalanceCost = (moveCost + zoneCost) * total + 1;
  const groups = zones(pods);
  const podIndex = new Map(groups.flat().map((p, i) => [p.name, i]));
  const shardNode = (s: number) => 2 + s;
  const zoneNode = (s: number, z: number) => 2 + shardCount + s * groups.length + z;
  const podNode = (p: number) => 2 + shardCount * (1 + groups.length) + p;
  const net = new FlowNetwork(2 + shardCount * (1 + groups.length) + pods.length);
  const choices: { edge: number; pod: string }[][] = [];
  for (let s = 0; s < shardCount; s++) {
    net.addEdge(0, shardNode(s), rf, 0);
    const here = new Set(current[s]);
    const edges: { edge: number; pod: string }[] = [];
    groups.forEach((members, z) => {
      // The first replica in a zone is free, every further one in the same zone costs.
      net.addEdge(shardNode(s), zoneNode(s, z), 1, 0);
      net.addEdge(shardNode(s), zoneNode(s, z), Math.min(rf, members.length) - 1, zoneCost);
      for (const p of members)
        edges.push({ edge: net.addEdge(zoneNode(s, z), podNode(podIndex.get(p.name)!), 1, here.has(p.name) ? 0 : moveCost), pod: p.name });
    });
    choices.push(edges);
  }
  const base = Math.floor(total / pods.length);
  for (let p = 0; p < pods.length; p++) {
    net.addEdge(podNode(p), 1, base, 0);
    net.addEdge(podNode(p), 1, 1, imbalanceCost);
  }
  return { net, source: 0, sink: 1, choices };
}

/**
 * New replica pods for every shard (in pod-name order; see orderReplicas to keep slots).
 * Throws if there are fewer pods than the replication factor.
 */
export function placeReplicas(problem: PlacementProblem): string[][] {
  const { current, pods, replicationFactor: rf } = problem;
  if (pods.length < rf) throw new RangeError(`replication factor ${rf} needs at least ${rf} pods, found ${pods.length}`);
  if (current.length === 0) return [];
  const { net, source, sink, choices } = layout(problem);
  const { flow } = net.minCostMaxFlow(source, sink);
  // Round-robin proves a full placement always exists, so anything less is a bug here.
  if (flow !== current.length * rf) throw new Error(`placement: placed ${flow} of ${current.length * rf} replicas`);
  return choices.map((edges) => edges.filter((e) => net.flowOn(e.edge) === 1).map((e) => e.pod).sort());
}
