// What a StatefulSet asks of the pod runner, as pure functions: pod names, claim names, the
// template revision, and which pod to roll next.
import { createHash } from 'node:crypto';
import type { V1StatefulSet, V1Pod } from '@kubernetes/client-node';

export const REVISION_LABEL = 'controller-revision-hash';

export function podName(sts: V1StatefulSet, ordinal: number): string {
  return `${sts.metadata!.name}-${ordinal}`;
}

export function ordinalOf(sts: V1StatefulSet, pod: V1Pod): number | undefined {
  const prefix = `${sts.metadata!.name}-`;
  const name = pod.metadata?.name ?? '';
  if (!name.startsWith(prefix)) return undefined;
  const n = Number(name.slice(prefix.length));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

export function desiredReplicas(sts: V1StatefulSet): number {
  return sts.spec?.replicas ?? 1;
}

/** Claim names as Kubernetes makes them: <template>-<statefulset>-<ordinal>. */
export function claimNames(sts: V1StatefulSet, ordinal: number): string[] {
  return (sts.spec?.volumeClaimTemplates ?? []).map((t) => `${t.metadata!.name}-${podName(sts, ordinal)}`);
}

/** A short hash of the pod template: pods carrying another hash are outdated and get rolled. */
export function templateRevision(sts: V1StatefulSet): string {
  const json = JSON.stringify(sts.spec?.template ?? {});
  return `${sts.metadata!.name}-${createHash('sha256').update(json).digest('hex').slice(0, 10)}`;
}

export function isOwnedBy(pod: V1Pod, sts: V1StatefulSet): boolean {
  return (pod.metadata?.ownerReferences ?? []).some((o) => o.uid === sts.metadata?.uid);
}

export function isPodReady(pod: V1Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * The next pod to replace for a template change: like the StatefulSet controller's
 * RollingUpdate, highest ordinal first and only while every pod is ready (maxUnavailable 1).
 */
export function nextToRoll(sts: V1StatefulSet, pods: V1Pod[]): V1Pod | undefined {
  if (sts.spec?.updateStrategy?.type === 'OnDelete') return undefined;
  const revision = templateRevision(sts);
  if (pods.length < desiredReplicas(sts) || !pods.every(isPodReady)) return undefined;
  const partition = sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  const outdated = pods
    .filter((p) => p.metadata?.labels?.[REVISION_LABEL] !== revision && (ordinalOf(sts, p) ?? 0) >= partition)
    .sort((a, b) => (ordinalOf(sts, b) ?? 0) - (ordinalOf(sts, a) ?? 0));
  return outdated[0];
}
