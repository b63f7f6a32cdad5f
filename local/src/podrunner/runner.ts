// The pod runner: the local stand-in for the StatefulSet controller and the kubelet. For every
// StatefulSet it keeps one node process per ordinal running on loopback ports, mirrors them as
// Pod objects (with status and the local.shoal.dev/* annotations), creates their PVC objects
// and data folders, follows scale up and down, rolls pods on template changes (highest ordinal
// first) and writes the StatefulSet's status from readiness. It talks to the API server only
// through the Kubernetes API, like a real controller.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  KubeConfig, AppsV1Api, CoreV1Api, V1StatefulSet, V1Pod, PatchStrategy, setHeaderOptions,
} from '@kubernetes/client-node';
import { ResilientInformer } from '../../../api/index.js';
import { allocatePorts, decodePorts, PodPorts } from './ports.js';
import { resolvePodEnv, KeyLookup } from './env.js';
import { Supervisor } from './supervisor.js';
import { podName, ordinalOf, desiredReplicas, claimNames, isOwnedBy, nextToRoll, templateRevision } from './desired.js';
import { buildPod, buildClaim, podStatus, statefulSetStatus, mainContainer, ANNOTATION_PID, ANNOTATION_PORTS, ProcessState } from './pod-objects.js';
import type { Log } from '../log.js';

export interface PodRunnerOptions {
  kubeconfigPath: string;
  /** Where pods' data folders (one per PVC) and logs live. */
  workDir: string;
  /** The node entry point (dist/node/main.js) every pod runs. */
  nodeEntry: string;
  log: Log;
  /** Readiness probe period; Kubernetes' default is 10 s, local mode wants faster. */
  probeIntervalMs?: number;
  /** Full reconcile period besides watch events. */
  resyncMs?: number;
  /** Extra environment for every pod process (e.g. SHOAL_GOSSIP_PROFILE=fast). */
  extraEnv?: Record<string, string>;
}

export interface LocalPodInfo {
  namespace: string;
  name: string;
  pid?: number;
  http: string;
  ready: boolean;
  restarts: number;
  logFile: string;
}

interface LocalPod {
  namespace: string;
  name: string;
  ports: PodPorts;
  sup: Supervisor;
  state: ProcessState;
  logFile: string;
  probeTimer?: NodeJS.Timeout;
  /** uid of the Pod object this process belongs to, and whether the watch cache has shown it yet. */
  uid?: string;
  seen: boolean;
}

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const key = (ns: string | undefined, name: string | undefined) => `${ns ?? 'default'}/${name}`;

export class PodRunner {
  private readonly kc = new KubeConfig();
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private stsInformer!: ResilientInformer<V1StatefulSet>;
  private podInformer!: ResilientInformer<V1Pod>;
  private readonly pods = new Map<string, LocalPod>();
  private readonly reservedPorts = new Map<string, PodPorts>();
  /** Pods this runner deleted; the watch cache may still list them for a moment. */
  private readonly deletedUids = new Set<string>();
  private running = false;
  private again = false;
  private stopped = false;
  private resyncTimer?: NodeJS.Timeout;

  constructor(private readonly opts: PodRunnerOptions) {
    this.kc.loadFromFile(opts.kubeconfigPath);
    this.apps = this.kc.makeApiClient(AppsV1Api);
    this.core = this.kc.makeApiClient(CoreV1Api);
  }

  async start(): Promise<void> {
    const opts = { log: { warn: this.opts.log }, onChange: () => this.kick() };
    this.stsInformer = new ResilientInformer<V1StatefulSet>(this.kc, { resource: 'statefulsets', path: '/apis/apps/v1/statefulsets', list: () => this.apps.listStatefulSetForAllNamespaces() }, opts);
    this.podInformer = new ResilientInformer<V1Pod>(this.kc, { resource: 'pods', path: '/api/v1/pods', list: () => this.core.listPodForAllNamespaces() }, opts);
    await this.stsInformer.start();
    await this.podInformer.start();
    this.resyncTimer = setInterval(() => this.kick(), this.opts.resyncMs ?? 2000);
    this.kick();
  }

  /** Local pods and their processes (for `shoal up` to print, and for tests). */
  list(): LocalPodInfo[] {
    return [...this.pods.values()].map((p) => ({
      namespace: p.namespace, name: p.name, pid: p.sup.pid, http: `http://127.0.0.1:${p.ports.http}`,
      ready: p.state.ready, restarts: p.sup.restarts, logFile: p.logFile,
    }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    await Promise.allSettled([this.stsInformer?.stop(), this.podInformer?.stop()]);
    await Promise.all([...this.pods.values()].map((p) => this.stopProcess(p)));
    this.pods.clear();
  }

  /** Run reconcile now, or right after the one in progress (never two at once). */
  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.reconcile()
      .catch((err) => this.opts.log('reconcile failed', { error: String(err?.body?.message ?? err) }))
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async reconcile(): Promise<void> {
    const sets = this.stsInformer.list();
    const allPods = this.podInformer.list();
    const wanted = new Set<string>();
    for (const sts of sets) {
      if (sts.metadata?.deletionTimestamp) continue;
      const owned = allPods.filter((p) => isOwnedBy(p, sts));
      for (let i = 0; i < desiredReplicas(sts); i++) wanted.add(key(sts.metadata!.namespace, podName(sts, i)));
      await this.reconcileSet(sts, owned);
    }
    // A process whose Pod object was deleted (by a user, or by garbage collection after its
    // StatefulSet went) stops; the StatefulSet loop above recreates the pod if still wanted.
    const present = new Set(allPods.map((p) => p.metadata?.uid));
    for (const [k, lp] of this.pods) {
      if (lp.uid && present.has(lp.uid)) lp.seen = true;
      else if (lp.seen || !wanted.has(k)) {
        await this.stopProcess(lp);
        this.pods.delete(k);
      }
    }
  }

  private async reconcileSet(sts: V1StatefulSet, owned: V1Pod[]): Promise<void> {
    const n = desiredReplicas(sts);
    const ns = sts.metadata!.namespace ?? 'default';
    for (let i = 0; i < n; i++) await this.reservePorts(ns, podName(sts, i), owned);
    owned = owned.filter((p) => !this.deletedUids.has(p.metadata?.uid ?? ''));
    for (const pod of owned) {
      const ord = ordinalOf(sts, pod);
      if (ord !== undefined && ord >= n) await this.removePod(sts, pod, ord);
    }
    const roll = nextToRoll(sts, owned);
    if (roll) {
      this.opts.log('rolling pod to new template', { pod: roll.metadata?.name, revision: templateRevision(sts) });
      await this.deletePod(roll);
      return;
    }
    for (let i = 0; i < n; i++) {
      const name = podName(sts, i);
      const pod = owned.find((p) => p.metadata?.name === name);
      if (!pod) await this.createPod(sts, i);
      else if (!this.pods.has(key(ns, name)) && !pod.metadata?.deletionTimestamp) await this.startProcess(sts, pod, i);
    }
    const status = statefulSetStatus(sts, owned.filter((p) => (ordinalOf(sts, p) ?? n) < n));
    const current = (sts.status ?? {}) as Record<string, unknown>;
    if (Object.entries(status ?? {}).some(([k, v]) => current[k] !== v)) {
      await this.apps.patchNamespacedStatefulSetStatus({ name: sts.metadata!.name!, namespace: ns, body: { status } }, MERGE);
    }
  }

  private async reservePorts(ns: string, name: string, owned: V1Pod[]): Promise<PodPorts> {
    const k = key(ns, name);
    const fromPod = decodePorts(owned.find((p) => p.metadata?.name === name)?.metadata?.annotations?.[ANNOTATION_PORTS]);
    const ports = fromPod ?? this.reservedPorts.get(k) ?? (await allocatePorts());
    this.reservedPorts.set(k, ports);
    return ports;
  }

  private async createPod(sts: V1StatefulSet, ordinal: number): Promise<void> {
    const ns = sts.metadata!.namespace ?? 'default';
    const name = podName(sts, ordinal);
    await this.ensureClaims(sts, ordinal);
    const ports = this.reservedPorts.get(key(ns, name))!;
    try {
      const pod = await this.core.createNamespacedPod({ namespace: ns, body: buildPod(sts, ordinal, ports) });
      this.opts.log('pod created', { pod: name, http: ports.http });
      await this.startProcess(sts, pod, ordinal);
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
  }

  private async ensureClaims(sts: V1StatefulSet, ordinal: number): Promise<void> {
    const ns = sts.metadata!.namespace ?? 'default';
    const names = claimNames(sts, ordinal);
    for (let t = 0; t < names.length; t++) {
      mkdirSync(this.volumeDir(ns, names[t]), { recursive: true });
      try {
        await this.core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: buildClaim(sts, names[t], t) });
      } catch (err) {
        if ((err as { code?: number }).code !== 409) throw err;
      }
    }
  }

  private volumeDir(ns: string, claim: string): string {
    return join(this.opts.workDir, 'volumes', ns, claim);
  }

  private async lookupKeys(sts: V1StatefulSet): Promise<KeyLookup> {
    const ns = sts.metadata!.namespace ?? 'default';
    const values = new Map<string, Record<string, string> | undefined>();
    for (const v of mainContainer(sts).env ?? []) {
      const s = v.valueFrom?.secretKeyRef;
      const c = v.valueFrom?.configMapKeyRef;
      if (s?.name && !values.has(`Secret/${s.name}`)) {
        const secret = await this.core.readNamespacedSecret({ name: s.name, namespace: ns }).catch(() => undefined);
        const data = secret?.data ?? {};
        values.set(`Secret/${s.name}`, secret ? Object.fromEntries(Object.entries(data).map(([k, b]) => [k, Buffer.from(b, 'base64').toString()])) : undefined);
      }
      if (c?.name && !values.has(`ConfigMap/${c.name}`)) {
        const cm = await this.core.readNamespacedConfigMap({ name: c.name, namespace: ns }).catch(() => undefined);
        values.set(`ConfigMap/${c.name}`, cm ? { ...(cm.data ?? {}) } : undefined);
      }
    }
    return (kind, _ns, name, k) => values.get(`${kind}/${name}`)?.[k];
  }

  private async startProcess(sts: V1StatefulSet, pod: V1Pod, ordinal: number): Promise<void> {
    const ns = sts.metadata!.namespace ?? 'default';
    const name = pod.metadata!.name!;
    const ports = decodePorts(pod.metadata?.annotations?.[ANNOTATION_PORTS]) ?? this.reservedPorts.get(key(ns, name))!;
    const claims = claimNames(sts, ordinal);
    const dataDir = claims.length ? this.volumeDir(ns, claims[0]) : join(this.opts.workDir, 'pods', ns, name);
    mkdirSync(dataDir, { recursive: true });
    const join_ = [...Array(desiredReplicas(sts)).keys()]
      .map((i) => this.reservedPorts.get(key(ns, podName(sts, i))))
      .filter((p): p is PodPorts => !!p)
      .map((p) => `127.0.0.1:${p.gossip}`);
    const env = resolvePodEnv(mainContainer(sts).env, {
      name, namespace: ns, labels: pod.metadata?.labels ?? {}, annotations: pod.metadata?.annotations ?? {},
      ports, dataDir, join: join_, kubeconfigPath: this.opts.kubeconfigPath,
    }, await this.lookupKeys(sts));
    const logFile = join(this.opts.workDir, 'logs', ns, `${name}.log`);
    const lp: LocalPod = {
      namespace: ns, name, ports, logFile, state: { ready: false, restarts: 0 },
      uid: pod.metadata?.uid, seen: false,
      sup: new Supervisor({
        command: process.execPath,
        args: [this.opts.nodeEntry],
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...this.opts.extraEnv, ...env },
        logFile,
        onChange: (s) => this.processChanged(lp, s),
      }),
    };
    this.pods.set(key(ns, name), lp);
    lp.sup.start();
    this.startProbing(sts, lp);
    this.opts.log('pod process started', { pod: name, pid: lp.sup.pid, http: `http://127.0.0.1:${ports.http}` });
  }

  private processChanged(lp: LocalPod, s: Supervisor): void {
    const pid = s.pid;
    if (pid && pid !== lp.state.pid) lp.state.startedAt = new Date();
    lp.state.pid = pid;
    lp.state.restarts = s.restarts;
    lp.state.lastExit = s.lastExit ?? undefined;
    if (!pid) lp.state.ready = false;
    if (this.stopped) return;
    void this.core
      .patchNamespacedPod({ name: lp.name, namespace: lp.namespace, body: { metadata: { annotations: { [ANNOTATION_PID]: pid ? String(pid) : null } } } }, MERGE)
      .catch(() => undefined);
    void this.writePodStatus(lp);
  }

  private startProbing(sts: V1StatefulSet, lp: LocalPod): void {
    const path = mainContainer(sts).readinessProbe?.httpGet?.path;
    const probe = async () => {
      let ready = false;
      if (lp.sup.pid) {
        if (!path) ready = true;
        else {
          ready = await fetch(`http://127.0.0.1:${lp.ports.http}${path}`, { signal: AbortSignal.timeout(1000) })
            .then((r) => r.status >= 200 && r.status < 400)
            .catch(() => false);
        }
      }
      if (ready !== lp.state.ready) {
        lp.state.ready = ready;
        await this.writePodStatus(lp);
      }
    };
    lp.probeTimer = setInterval(() => void probe(), this.opts.probeIntervalMs ?? 500);
  }

  private async writePodStatus(lp: LocalPod): Promise<void> {
    const sts = this.stsInformer.list().find((s) => s.metadata?.namespace === lp.namespace && lp.name.startsWith(`${s.metadata?.name}-`));
    if (!sts || this.stopped) return;
    await this.core
      .patchNamespacedPodStatus({ name: lp.name, namespace: lp.namespace, body: { status: podStatus(sts, lp.state) } }, MERGE)
      .catch(() => undefined);
  }

  private async stopProcess(lp: LocalPod): Promise<void> {
    clearInterval(lp.probeTimer);
    await lp.sup.stop();
  }

  private async deletePod(pod: V1Pod): Promise<void> {
    const k = key(pod.metadata?.namespace, pod.metadata?.name);
    if (pod.metadata?.uid) this.deletedUids.add(pod.metadata.uid);
    const lp = this.pods.get(k);
    if (lp) {
      await this.stopProcess(lp);
      this.pods.delete(k);
    }
    await this.core
      .deleteNamespacedPod({ name: pod.metadata!.name!, namespace: pod.metadata!.namespace ?? 'default' })
      .catch((err) => { if (err?.code !== 404) throw err; });
  }

  /** Scale-down: stop the process, delete the Pod, and the claims if the retention policy says so. */
  private async removePod(sts: V1StatefulSet, pod: V1Pod, ordinal: number): Promise<void> {
    this.opts.log('scaling down pod', { pod: pod.metadata?.name });
    await this.deletePod(pod);
    this.reservedPorts.delete(key(pod.metadata?.namespace, pod.metadata?.name));
    if (sts.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled !== 'Delete') return;
    const ns = sts.metadata!.namespace ?? 'default';
    for (const claim of claimNames(sts, ordinal)) {
      await this.core.deleteNamespacedPersistentVolumeClaim({ name: claim, namespace: ns }).catch(() => undefined);
      rmSync(this.volumeDir(ns, claim), { recursive: true, force: true });
    }
  }
}

export async function startPodRunner(opts: PodRunnerOptions): Promise<PodRunner> {
  mkdirSync(opts.workDir, { recursive: true });
  const runner = new PodRunner(opts);
  await runner.start();
  return runner;
}
