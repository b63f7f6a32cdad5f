// The pod's report to the operator: the `shoal.dev/report` annotation on its own Pod (contract in
// api/src/resources/report.ts and operator/README.md, "What the pods report back"). The operator
// folds it into VectorClass status (readiness, object counts) and, when a class is deleted,
// releases the class's finalizer once no pod lists its shards any more.
//
// The writer compares what it would report with what it last wrote every `checkIntervalMs`
// (cheap: local data only) and writes the whole annotation with a JSON merge patch:
//  - at once when a shard disappeared (the deletion hand-off should not wait), or on flush();
//  - otherwise when something changed and `intervalMs` passed since the last write, so object
//    counts moving during an import cost one write every few seconds, not one per batch.
// Failed writes are retried with jittered backoff; nothing is written while nothing changed.
import type { KubeConfig } from '@kubernetes/client-node';
import { POD_REPORT_ANNOTATION, serializePodReport, type PodReport, type ShardReport } from '../../../../api/index.js';
import type { Logger } from '../../log.js';
import type { ShardRegistry } from '../../shards/types.js';
import { podAnnotationPatcher } from './api.js';
import { BackoffPolicy, jitteredMs } from '../../../../api/index.js';
import type { KubeControlConfig } from './config.js';
import { kubeConfigOf } from './config.js';
import { messageOf } from '../../../../api/index.js';

/** One shard replica held by this pod. */
export interface LocalShardReport {
  className: string;
  shardName: string;
  ready: boolean;
  objects?: number;
}

export interface PodReportWriterOptions {
  /** Merge-patches the pod's annotations (podAnnotationPatcher in api.ts). */
  patch: (annotations: Record<string, string>) => Promise<void>;
  /** Shard replicas this pod holds now (registryShardReports adapts a ShardRegistry). */
  shards: () => Iterable<LocalShardReport>;
  /** Pods gossip sees alive, this one included. */
  members: () => Iterable<string>;
  /** Least time between two writes unless a shard disappeared (default 5000 ms). */
  intervalMs?: number;
  /** How often the local state is compared with the last report (default 250 ms). */
  checkIntervalMs?: number;
  /** Retries after a failed write (default 500 ms doubling to 30 s, jittered). */
  retryBackoff?: BackoffPolicy;
  log: Logger;
  random?: () => number;
}

export class PodReportWriter {
  private timer?: NodeJS.Timeout;
  private writing?: Promise<void>;
  private lastKey?: string;
  private lastShards = new Set<string>();
  private lastWriteAt = -Infinity;
  private retryAt = 0;
  private failures = 0;
  /** The report last written, and how many writes succeeded (diagnostics and tests). */
  lastReport?: PodReport;
  writes = 0;

  constructor(private readonly opts: PodReportWriterOptions) {}

  /** Write the first report at once, then follow changes. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(false), this.opts.checkIntervalMs ?? 250);
    this.timer.unref();
    void this.tick(true);
  }

  /** Write now if anything changed (ignoring the interval); resolves once written or failed. */
  async flush(): Promise<void> {
    await this.writing;
    await this.tick(true);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.writing;
  }

  private tick(force: boolean): Promise<void> {
    if (this.writing) return this.writing;
    const report = this.build();
    const key = JSON.stringify({ members: report.members, shards: report.shards });
    if (key === this.lastKey) return Promise.resolve();
    const now = Date.now();
    const dropped = [...this.lastShards].some((s) => !(s in report.shards));
    const due = force || dropped || now - this.lastWriteAt >= (this.opts.intervalMs ?? 5000);
    if (!due || now < this.retryAt) return Promise.resolve();
    this.writing = this.write(report, key).finally(() => (this.writing = undefined));
    return this.writing;
  }

  private build(): PodReport & { members: string[] } {
    const shards: Record<string, ShardReport> = {};
    const list = [...this.opts.shards()].sort((a, b) => (a.shardName < b.shardName ? -1 : a.shardName > b.shardName ? 1 : 0));
    for (const s of list) shards[s.shardName] = s.objects === undefined ? { class: s.className, ready: s.ready } : { class: s.className, ready: s.ready, objects: s.objects };
    return { members: [...new Set(this.opts.members())].sort(), shards };
  }

  private async write(report: PodReport, key: string): Promise<void> {
    const full: PodReport = { updatedAt: new Date().toISOString(), ...report };
    try {
      await this.opts.patch({ [POD_REPORT_ANNOTATION]: serializePodReport(full) });
    } catch (e) {
      const delayMs = jitteredMs(this.failures++, this.opts.retryBackoff ?? { baseMs: 500, maxMs: 30_000 }, this.opts.random);
      this.retryAt = Date.now() + delayMs;
      this.opts.log.warn('could not write the pod report; retrying', { error: messageOf(e), delayMs: Math.round(delayMs) });
      return;
    }
    this.failures = 0;
    this.retryAt = 0;
    this.lastKey = key;
    this.lastShards = new Set(Object.keys(report.shards));
    this.lastWriteAt = Date.now();
    this.lastReport = full;
    this.writes++;
  }
}

/** The shard replicas open in a registry, as the report lists them. */
export function registryShardReports(registry: Pick<ShardRegistry, 'all'>): LocalShardReport[] {
  return registry.all().map((s) => ({ className: s.className, shardName: s.name, ready: s.status() === 'READY', objects: s.objectCount() }));
}

/** A writer for this pod (SHOAL_NODE_NAME in SHOAL_NAMESPACE), every SHOAL_REPORT_INTERVAL_MS at most. */
export function createPodReportWriter(
  config: KubeControlConfig,
  opts: Omit<PodReportWriterOptions, 'patch' | 'intervalMs'> & { kubeConfig?: KubeConfig },
): PodReportWriter {
  const kc = opts.kubeConfig ?? kubeConfigOf(config);
  return new PodReportWriter({ ...opts, patch: podAnnotationPatcher(kc, config.namespace, config.nodeName), intervalMs: config.reportIntervalMs });
}
