// The environment of the kube control source's API tests: the embedded API server
// (local/src/apiserver) with Shoal's CRDs and a VectorCluster, real client-node clients, and
// helpers that play the operator's part (place, reject, release the finalizer) when a test does
// not start the real operator. Pods are Pod objects only: a "pod" here is a KubeControl plus a
// fake shard set that follows it the way ShardSync does, plus a report writer.
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startApiServer, type ApiServer, type KObject } from '../../local/src/apiserver/index.js';
import {
  allCrds, createShardingState, API_VERSION, GROUP, VERSION, VECTOR_CLASS, VECTOR_CLUSTER, LABELS, MANAGED_BY, CLASS_FINALIZER,
} from '../../api/index.js';
import { logger, type Logger } from '../../node/src/log.js';
import { KubeControl, PodReportWriter, type KubeControlConfig, type LocalShardReport } from '../../node/src/control/kube/index.js';
import type { ControlSnapshot } from '../../node/src/control/types.js';
import { waitFor } from '../support/wait.js';
import { seededRandom } from '../../api/index.js';

export const NS = 'default';
export const CLUSTER = 'vc';
export const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Silent unless SHOAL_TEST_LOG_LEVEL is set. */
export function testLog(component: string): Logger {
  if (process.env.SHOAL_TEST_LOG_LEVEL) return logger(component);
  const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
  return quiet;
}

export function podName(i: number): string {
  return `${CLUSTER}-${i}`;
}

/** A pod: its control source, the shards it holds (following the snapshots), its report writer. */
export interface TestPod {
  name: string;
  control: KubeControl;
  /** `class/shard` of every shard replica held, kept like ShardSync keeps the registry. */
  shards: Map<string, LocalShardReport>;
  report?: PodReportWriter;
  /** Versions seen by the listener, in order. */
  versions: number[];
}

export class KubeTestEnv {
  readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;
  private readonly pods: TestPod[] = [];
  private readonly closers: Array<() => Promise<void>> = [];

  private constructor(readonly srv: ApiServer, readonly kc: KubeConfig) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  static async start(replicas = 3): Promise<KubeTestEnv> {
    const srv = await startApiServer({ gcIntervalMs: 100 });
    for (const { crd } of allCrds()) srv.create(crd as unknown as KObject);
    srv.create({ apiVersion: API_VERSION, kind: VECTOR_CLUSTER.kind, metadata: { name: CLUSTER, namespace: NS }, spec: { replicas, image: 'shoal:test' } } as KObject);
    const kc = new KubeConfig();
    kc.loadFromFile(srv.kubeconfigPath);
    return new KubeTestEnv(srv, kc);
  }

  config(over: Partial<KubeControlConfig> = {}): KubeControlConfig {
    return {
      cluster: CLUSTER, namespace: NS, nodeName: podName(0), kubeconfigPath: this.srv.kubeconfigPath,
      allowSchemaChanges: true, schemaTimeoutMs: 10_000, reportIntervalMs: 200, ...over,
    };
  }

  /** A started control source for pod `nodeName`, with a listener that keeps its shard set. */
  async pod(over: Partial<KubeControlConfig> = {}, opts: { report?: boolean } = {}): Promise<TestPod> {
    const config = this.config(over);
    // No kubeConfig option: the source loads SHOAL_KUBECONFIG's file (plain http), as in local mode.
    const control = new KubeControl(config, {
      log: testLog(`control-${config.nodeName}`),
      informerBackoff: { baseMs: 50, maxMs: 400 }, conflictBackoff: { baseMs: 5, maxMs: 50 },
    });
    const pod: TestPod = { name: config.nodeName, control, shards: new Map(), versions: [] };
    await control.start();
    followSnapshots(pod, control.snapshot());
    control.subscribe((next) => {
      pod.versions.push(next.version);
      followSnapshots(pod, next);
    });
    if (opts.report) {
      await this.createPodObject(config.nodeName);
      pod.report = new PodReportWriter({
        patch: async (annotations) => void (await this.core.patchNamespacedPod({ name: config.nodeName, namespace: NS, body: { metadata: { annotations } } }, MERGE)),
        shards: () => pod.shards.values(), members: () => [config.nodeName],
        intervalMs: config.reportIntervalMs, checkIntervalMs: 20, retryBackoff: { baseMs: 20, maxMs: 100 }, log: testLog('report'),
      });
      pod.report.start();
    }
    this.pods.push(pod);
    return pod;
  }

  /** A Pod object with the labels the operator selects its pods by. */
  async createPodObject(name: string): Promise<void> {
    if (this.srv.get('pods', name, NS)) return;
    const labels = { [LABELS.cluster]: CLUSTER, [LABELS.managedBy]: MANAGED_BY, [LABELS.name]: 'shoal', [LABELS.instance]: CLUSTER };
    await this.core.createNamespacedPod({ namespace: NS, body: { metadata: { name, namespace: NS, labels }, spec: { containers: [{ name: 'shoal', image: 'shoal:test' }] } } });
    await this.core.patchNamespacedPodStatus({ name, namespace: NS, body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } } }, MERGE);
  }

  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    for (const p of this.pods) {
      await p.report?.stop();
      await p.control.close();
    }
    for (const fn of this.closers) await fn();
    await this.srv.close();
  }

  // ---- VectorClass resources, as kubectl and the operator would write them ----

  /** kubectl apply of a VectorClass (with the operator's finalizer already on it). */
  applyClass(name: string, cls: Record<string, unknown>, opts: { cluster?: string; finalizer?: boolean } = {}): KObject {
    const metadata = { name, namespace: NS, ...(opts.finalizer === false ? {} : { finalizers: [CLASS_FINALIZER] }) };
    return this.srv.apply({ apiVersion: API_VERSION, kind: VECTOR_CLASS.kind, metadata, spec: { clusterRef: { name: opts.cluster ?? CLUSTER }, class: cls } } as KObject, 'kubectl', { force: true });
  }

  getClass(name: string): any {
    return this.srv.get('vectorclasses', name, NS);
  }

  /** Play the operator: place the class on pods vc-0..vc-(n-1) (deterministically). */
  async place(name: string, podCount = 3): Promise<any> {
    const obj = await waitFor(() => this.getClass(name), { what: `VectorClass ${name}`, timeoutMs: 10_000, intervalMs: 10 });
    const c = obj.spec.class;
    const config = { desiredCount: c.shardingConfig?.desiredCount ?? 1, virtualPerPhysical: c.shardingConfig?.virtualPerPhysical ?? 16, replicationFactor: c.replicationConfig?.factor ?? 1 };
    const pods = Array.from({ length: podCount }, (_, i) => ({ name: podName(i) }));
    const sharding = createShardingState(config, pods, seeded(7));
    const placed = { type: 'Placed', status: 'True', reason: 'Placed', message: 'placed', lastTransitionTime: new Date().toISOString() };
    return this.patchStatus(name, { phase: 'Placed', sharding, conditions: [placed] });
  }

  /** Play the operator: refuse to place the class. */
  async rejectClass(name: string, reason: string, message: string): Promise<void> {
    await waitFor(() => this.getClass(name), { what: `VectorClass ${name}`, timeoutMs: 10_000, intervalMs: 10 });
    const placed = { type: 'Placed', status: 'False', reason, message, lastTransitionTime: new Date().toISOString() };
    await this.patchStatus(name, { phase: 'Invalid', conditions: [placed] });
  }

  async patchStatus(name: string, status: object): Promise<any> {
    return this.custom.patchNamespacedCustomObjectStatus({ group: GROUP, version: VERSION, namespace: NS, plural: VECTOR_CLASS.plural, name, body: { status } }, MERGE);
  }

  /** Play the operator: release the finalizer. */
  async releaseFinalizer(name: string): Promise<void> {
    await this.custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: VECTOR_CLASS.plural, name, body: { metadata: { finalizers: null } } }, MERGE);
  }

  /** The report annotation of a Pod object, parsed. */
  reportOf(pod: string): { updatedAt: string; members: string[]; shards: Record<string, { class: string; ready: boolean; objects?: number }> } | undefined {
    const raw = (this.srv.get('pods', pod, NS) as any)?.metadata?.annotations?.['shoal.dev/report'];
    return raw ? JSON.parse(raw) : undefined;
  }
}

/** What ShardSync does with the registry: hold exactly the local shards of the snapshot's classes. */
function followSnapshots(pod: TestPod, snap: ControlSnapshot): void {
  const wanted = new Map<string, LocalShardReport>();
  for (const cls of snap.classes.values())
    for (const shardName of pod.control.localShards(cls))
      wanted.set(`${cls.definition.class}/${shardName}`, pod.shards.get(`${cls.definition.class}/${shardName}`) ?? { className: cls.definition.class, shardName, ready: true, objects: 0 });
  pod.shards.clear();
  for (const [k, v] of wanted) pod.shards.set(k, v);
}

/** A deterministic random source (placement draws from it). */
export const seeded = seededRandom;

export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  return (await waitFor(probe, { what, timeoutMs, intervalMs: 10 })) as NonNullable<T>;
}

/** A class as a client would POST it (before parsing). */
export function article(name = 'Article', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    class: name,
    properties: [{ name: 'title', dataType: ['text'] }],
    shardingConfig: { desiredCount: 3, virtualPerPhysical: 16 },
    replicationConfig: { factor: 2 },
    ...extra,
  };
}
