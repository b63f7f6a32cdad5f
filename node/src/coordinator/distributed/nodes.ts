// The cluster as GET /v1/nodes shows it: every pod gossip knows or the placement names, with its
// gossip status and the shards it holds with their object counts (asked of each pod over RPC,
// in parallel, with a short deadline). A pod that cannot answer is listed anyway: TIMEOUT when
// it did not answer in time, UNAVAILABLE when gossip says it is gone or the call failed.
import { replicasOf } from '../../../../api/index.js';
import type { ClassState, ControlSnapshot } from '../../control/types.js';
import type { ShardInfo } from '../../shards/types.js';
import { isRpcError } from '../../rpc/errors.js';
import type { NodeState, ShardState } from '../types.js';
import type { ReplicaAccess } from './access.js';
import { isDown } from './replicas.js';

export async function clusterNodes(access: ReplicaAccess, snap: ControlSnapshot, classNames: readonly string[], timeoutMs: number): Promise<NodeState[]> {
  const classes = classNames.map((n) => snap.classes.get(n)).filter((c): c is ClassState => c !== undefined);
  const pods = new Set(access.peers.names());
  for (const cls of snap.classes.values()) for (const p of cls.sharding.physical) for (const pod of p.replicas) pods.add(pod);
  const nodes = await Promise.all([...pods].sort().map((pod) => nodeState(access, pod, classes, timeoutMs)));
  return nodes;
}

async function nodeState(access: ReplicaAccess, pod: string, classes: readonly ClassState[], timeoutMs: number): Promise<NodeState> {
  const state = access.peers.state(pod);
  if (pod !== access.self && (isDown(state) || state === 'unknown')) return withVersion({ name: pod, status: 'UNAVAILABLE', shards: [] }, access, pod);
  try {
    const infos = await access.call(pod, (ops) => ops.shardInfos({ timeoutMs }));
    return withVersion({ name: pod, status: state === 'suspect' ? 'UNHEALTHY' : 'HEALTHY', shards: shardStates(infos, classes) }, access, pod);
  } catch (e) {
    return withVersion({ name: pod, status: isRpcError(e, 'timeout') ? 'TIMEOUT' : 'UNAVAILABLE', shards: [] }, access, pod);
  }
}

/** The version a pod advertises in gossip (absent for this pod, as the node API expects). */
function withVersion(node: NodeState, access: ReplicaAccess, pod: string): NodeState {
  const version = pod === access.self ? undefined : access.peers.meta(pod)?.version;
  return version === undefined ? node : { ...node, version };
}

function shardStates(infos: readonly ShardInfo[], classes: readonly ClassState[]): ShardState[] {
  const byName = new Map(classes.map((c) => [c.definition.class, c]));
  return infos
    .filter((i) => byName.has(i.class))
    .map((i) => ({ name: i.name, class: i.class, status: i.status, objectCount: i.objectCount, replicas: replicasOf(byName.get(i.class)!.sharding, i.name) }))
    .sort((a, b) => (a.class + '\u0000' + a.name < b.class + '\u0000' + b.name ? -1 : 1));
}

/** One entry per physical shard of a class: the best state any replica reported. */
export function classShards(cls: ClassState, nodes: readonly NodeState[], self: string): ShardState[] {
  const rank = { READY: 0, READONLY: 1, LOADING: 2, SHUTDOWN: 3 } as const;
  return cls.sharding.physical.map((p) => {
    const reports = nodes.flatMap((n) => n.shards.filter((s) => s.class === cls.definition.class && s.name === p.name).map((s) => ({ s, local: n.name === self })));
    reports.sort((a, b) => rank[a.s.status] - rank[b.s.status] || Number(b.local) - Number(a.local) || b.s.objectCount - a.s.objectCount);
    const best = reports[0]?.s;
    return { name: p.name, class: cls.definition.class, status: best?.status ?? 'LOADING', objectCount: best?.objectCount ?? 0, replicas: [...p.replicas] };
  });
}
