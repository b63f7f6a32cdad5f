// The environment of the operator's API tests: the embedded API server (local/src/apiserver)
// with Shoal's CRDs installed, real @kubernetes/client-node clients, and the real operator
// started in-process with short timers. Pods do not exist unless a test creates Pod objects
// (there is no pod runner here); helpers below play a pod's part: readiness and its report.
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions, V1Pod } from '@kubernetes/client-node';
import { startApiServer, ApiServer, KObject } from '../../local/src/apiserver/index.js';
import { allCrds, POD_REPORT_ANNOTATION, PodReport, serializePodReport, GROUP, VERSION } from '../../api/index.js';
import { startOperator, Operator, OperatorOptions, createLogger } from '../../operator/src/index.js';
import { commonLabels, namesOf } from '../../operator/src/build/index.js';
import { waitFor } from '../support/wait.js';
import { quickstartDocs, Doc } from './fixtures.js';
import { seededRandom } from '../../api/index.js';

export const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const NS = 'default';

/** A deterministic random source (placement draws from it). */
export const seeded = seededRandom;

export class TestEnv {
  readonly operators: Operator[] = [];
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;

  private constructor(readonly srv: ApiServer, readonly kc: KubeConfig) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  /** `log` receives one line per request the API server handles; `crds: false` leaves them out. */
  static async start(log?: (line: string) => void, opts: { crds?: boolean } = {}): Promise<TestEnv> {
    const srv = await startApiServer({ gcIntervalMs: 100, log });
    if (opts.crds !== false) for (const { crd } of allCrds()) srv.create(crd as unknown as KObject);
    const kc = new KubeConfig();
    kc.loadFromFile(srv.kubeconfigPath);
    return new TestEnv(srv, kc);
  }

  /** Start an operator with test timings; `over` replaces any option. */
  async operator(over: Partial<OperatorOptions> = {}): Promise<Operator> {
    const op = await startOperator({
      kubeConfig: this.kc,
      identity: `operator-${this.operators.length}`,
      leaderElection: false,
      http: { port: 0, host: '127.0.0.1' },
      workers: 2,
      resyncMs: 60_000,
      informerBackoff: { baseMs: 50, maxMs: 400 },
      queueBackoff: { baseMs: 10, maxMs: 500 },
      random: seeded(42),
      // Silent unless SHOAL_TEST_LOG_LEVEL is set (debug, info, warn, error).
      log: createLogger('operator', (process.env.SHOAL_TEST_LOG_LEVEL as 'debug') ?? 'error', {}, process.env.SHOAL_TEST_LOG_LEVEL ? undefined : () => {}),
      ...over,
    });
    this.operators.push(op);
    return op;
  }

  async close(): Promise<void> {
    await Promise.all(this.operators.map((o) => o.stop()));
    await this.srv.close();
  }

  /** kubectl apply --server-side of the quickstart (or edited copies of it). */
  applyQuickstart(edit: { cluster?: (d: Doc) => void; cls?: (d: Doc) => void } = {}): { cluster: Doc; cls: Doc } {
    const { cluster, cls } = quickstartDocs(NS);
    edit.cluster?.(cluster);
    edit.cls?.(cls);
    this.srv.apply(cluster as unknown as KObject, 'kubectl', { force: true });
    this.srv.apply(cls as unknown as KObject, 'kubectl', { force: true });
    return { cluster, cls };
  }

  /** kubectl apply --server-side of the quickstart's VectorClass only, edited. */
  applyClass(edit: (d: Doc) => void): Doc {
    const { cls } = quickstartDocs(NS);
    edit(cls);
    this.srv.apply(cls as unknown as KObject, 'kubectl', { force: true });
    return cls;
  }

  get<T = any>(resource: string, name: string): T | undefined {
    return this.srv.get(resource, name, NS) as T | undefined;
  }

  async until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<NonNullable<T>> {
    return (await waitFor(probe, { what, timeoutMs, intervalMs: 20 })) as NonNullable<T>;
  }

  /** The object once `pred` holds for it. */
  async untilObject(resource: string, name: string, what: string, pred: (o: any) => boolean, timeoutMs = 10_000): Promise<any> {
    return this.until(what, () => {
      const o = this.get(resource, name);
      return o && pred(o) ? o : undefined;
    }, timeoutMs);
  }

  events(name: string): Array<{ type: string; reason: string; message: string }> {
    return this.srv.list('events', { namespace: NS }).filter((e: any) => e.involvedObject?.name === name) as never;
  }

  /** Create the StatefulSet's pods, as a kubelet would, ready or not. */
  async createPods(cluster: string, count: number, ready = true): Promise<void> {
    for (let i = 0; i < count; i++) {
      const name = namesOf(cluster).pod(i);
      const pod: V1Pod = {
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name, namespace: NS, labels: { ...commonLabels(cluster), 'statefulset.kubernetes.io/pod-name': name } },
        spec: { containers: [{ name: 'shoal', image: 'test' }] },
      };
      await this.core.createNamespacedPod({ namespace: NS, body: pod });
      await this.setPodReady(name, ready);
    }
  }

  async setPodReady(name: string, ready: boolean): Promise<void> {
    const status = { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
    await this.core.patchNamespacedPodStatus({ name, namespace: NS, body: { status } }, MERGE);
  }

  /** What a pod writes into its report annotation. */
  async report(pod: string, report: PodReport): Promise<void> {
    await this.core.patchNamespacedPod({ name: pod, namespace: NS, body: { metadata: { annotations: { [POD_REPORT_ANNOTATION]: serializePodReport(report) } } } }, MERGE);
  }

  /** kubectl scale vectorcluster/<name> --replicas=n (through the scale subresource). */
  async scale(cluster: string, replicas: number): Promise<void> {
    await this.custom.patchNamespacedCustomObjectScale({ group: GROUP, version: VERSION, namespace: NS, plural: 'vectorclusters', name: cluster, body: { spec: { replicas } } }, MERGE);
  }
}

/**
 * `actual` contains `expected`: every field of `expected` has the same value in `actual`; arrays
 * have the same length and match element by element. Fields the server adds (defaults, uid,
 * resourceVersion, managedFields, status) are allowed. Returns the mismatching paths.
 */
export function missingFrom(expected: unknown, actual: unknown, path = ''): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return [`${path} (array of ${expected.length})`];
    return expected.flatMap((e, i) => missingFrom(e, actual[i], `${path}[${i}]`));
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) return [path];
    return Object.entries(expected).flatMap(([k, v]) => missingFrom(v, (actual as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return expected === actual ? [] : [`${path}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`];
}
