// The Kubernetes objects the pod runner writes on behalf of a StatefulSet: Pods (with the
// annotations local tools read), their status, PVCs, and the StatefulSet's status. Pure builders.
import type { V1StatefulSet, V1Pod, V1PersistentVolumeClaim, V1Container } from '@kubernetes/client-node';
import { REVISION_LABEL, podName, templateRevision, isPodReady } from './desired.js';
import { encodePorts, PodPorts } from './ports.js';

export const ANNOTATION_PID = 'local.shoal.dev/pid';
export const ANNOTATION_HTTP = 'local.shoal.dev/http';
export const ANNOTATION_PORTS = 'local.shoal.dev/ports';

export function mainContainer(sts: V1StatefulSet): V1Container {
  const c = sts.spec?.template?.spec?.containers?.[0];
  if (!c) throw new Error(`StatefulSet ${sts.metadata?.name} has no container`);
  return c;
}

export function buildPod(sts: V1StatefulSet, ordinal: number, ports: PodPorts): V1Pod {
  const name = podName(sts, ordinal);
  const tmpl = sts.spec?.template ?? {};
  const claims = (sts.spec?.volumeClaimTemplates ?? []).map((t) => ({
    name: t.metadata!.name!,
    persistentVolumeClaim: { claimName: `${t.metadata!.name}-${name}` },
  }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: sts.metadata!.namespace,
      labels: {
        ...(tmpl.metadata?.labels ?? {}),
        [REVISION_LABEL]: templateRevision(sts),
        'statefulset.kubernetes.io/pod-name': name,
        'apps.kubernetes.io/pod-index': String(ordinal),
      },
      annotations: {
        ...(tmpl.metadata?.annotations ?? {}),
        [ANNOTATION_PORTS]: encodePorts(ports),
        [ANNOTATION_HTTP]: `http://127.0.0.1:${ports.http}`,
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          name: sts.metadata!.name!,
          uid: sts.metadata!.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      ...(tmpl.spec ?? { containers: [] }),
      hostname: name,
      subdomain: sts.spec?.serviceName,
      nodeName: 'local',
      volumes: [...(tmpl.spec?.volumes ?? []), ...claims],
    },
  };
}

export function buildClaim(sts: V1StatefulSet, claimName: string, templateIndex: number): V1PersistentVolumeClaim {
  const t = sts.spec!.volumeClaimTemplates![templateIndex];
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: claimName, namespace: sts.metadata!.namespace, labels: { ...(sts.spec?.selector?.matchLabels ?? {}) } },
    spec: t.spec,
    status: { phase: 'Bound', capacity: t.spec?.resources?.requests },
  };
}

export interface ProcessState {
  pid?: number;
  ready: boolean;
  restarts: number;
  startedAt?: Date;
  lastExit?: { code: number | null; signal: string | null };
}

export function podStatus(sts: V1StatefulSet, s: ProcessState): V1Pod['status'] {
  const now = new Date();
  const cond = (type: string, ok: boolean) => ({ type, status: ok ? 'True' : 'False', lastTransitionTime: now });
  const container = mainContainer(sts);
  return {
    phase: s.pid ? 'Running' : 'Pending',
    podIP: '127.0.0.1',
    podIPs: [{ ip: '127.0.0.1' }],
    hostIP: '127.0.0.1',
    startTime: s.startedAt,
    conditions: [cond('PodScheduled', true), cond('Initialized', true), cond('ContainersReady', s.ready), cond('Ready', s.ready)],
    containerStatuses: [
      {
        name: container.name,
        image: container.image ?? '',
        imageID: '',
        ready: s.ready,
        started: !!s.pid,
        restartCount: s.restarts,
        state: s.pid
          ? { running: { startedAt: s.startedAt } }
          : { waiting: { reason: s.restarts > 0 ? 'CrashLoopBackOff' : 'ContainerCreating' } },
        lastState: s.lastExit
          ? { terminated: { exitCode: s.lastExit.code ?? 137, signal: undefined, reason: s.lastExit.signal ?? 'Error' } }
          : {},
      },
    ],
  } as V1Pod['status'];
}

export function statefulSetStatus(sts: V1StatefulSet, pods: V1Pod[]): V1StatefulSet['status'] {
  const revision = templateRevision(sts);
  const ready = pods.filter(isPodReady).length;
  const updated = pods.filter((p) => p.metadata?.labels?.[REVISION_LABEL] === revision).length;
  return {
    observedGeneration: sts.metadata?.generation,
    replicas: pods.length,
    readyReplicas: ready,
    availableReplicas: ready,
    currentReplicas: updated,
    updatedReplicas: updated,
    currentRevision: revision,
    updateRevision: revision,
    collisionCount: 0,
  };
}
