// Gossip states in Weaviate's /v1/nodes vocabulary.
import type { MemberState } from './types.js';

/** Weaviate's node status values. */
export type NodeStatus = 'HEALTHY' | 'UNHEALTHY' | 'UNAVAILABLE';

/** alive -> HEALTHY, suspect -> UNHEALTHY, dead or left -> UNAVAILABLE. */
export function nodeStatus(state: MemberState): NodeStatus {
  switch (state) {
    case 'alive': return 'HEALTHY';
    case 'suspect': return 'UNHEALTHY';
    case 'dead':
    case 'left': return 'UNAVAILABLE';
  }
}

export interface NodeStatusEntry {
  name: string;
  status: NodeStatus;
  version: string;
}

/**
 * The `nodes` array of GET /v1/nodes for the given members: {name, status, version}, sorted by
 * name. The node API adds shards and stats per entry where it has them.
 */
export function weaviateNodes(members: readonly { name: string; state: MemberState; meta: { version?: string } }[]): NodeStatusEntry[] {
  return members
    .map((m) => ({ name: m.name, status: nodeStatus(m.state), version: m.meta.version ?? '' }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
