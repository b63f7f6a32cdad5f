// At most one pod of a cluster down for voluntary disruptions (drains, upgrades): with
// replication factor >= 2 every shard keeps a live replica.
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import { ClusterInput, namesOf, metadataFor, selectorLabels } from './cluster.js';

export function buildPodDisruptionBudget(c: ClusterInput): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadataFor(c, namesOf(c.name).podDisruptionBudget),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(c.name) } },
  };
}
