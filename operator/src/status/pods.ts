// Facts about data-plane pods the status of both resources is built from.
import type { V1Pod } from '@kubernetes/client-node';
import { LABELS, podReportOf, PodReport } from '../../../api/index.js';
import { Cache } from '../controllers/deps.js';

export function isPodReady(pod: V1Pod): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Pods of a cluster (by the shoal.dev/cluster label the pod template carries), sorted by name. */
export function podsOfCluster(pods: Cache<V1Pod>, namespace: string, cluster: string): V1Pod[] {
  return pods
    .list(namespace)
    .filter((p) => p.metadata?.labels?.[LABELS.cluster] === cluster)
    .sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
}

/** Ordinal of a StatefulSet pod `<set>-<n>`, or undefined for a name of another shape. */
export function ordinalOf(pod: string, statefulSet: string): number | undefined {
  if (!pod.startsWith(`${statefulSet}-`)) return undefined;
  const rest = pod.slice(statefulSet.length + 1);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
}

export interface PodFacts {
  name: string;
  ready: boolean;
  /** Parsed report annotation; undefined when the pod has not reported (or reported garbage). */
  report?: PodReport;
}

export function podFacts(pod: V1Pod): PodFacts {
  return { name: pod.metadata?.name ?? '', ready: isPodReady(pod), report: podReportOf(pod.metadata?.annotations) };
}
