// Wiring: informers -> work queues -> controllers, behind leader election, with the HTTP
// port for health and metrics. `startOperator` is what operator/main.ts and the API tests run.
//
// Lifecycle: the HTTP port opens at once; informers and controllers start only on this replica
// becoming leader (standbys hold no caches and send no requests besides the Lease). On lost
// leadership, controllers stop (in-flight reconciles finish) and `exited` resolves: main exits
// so Kubernetes restarts the pod as a fresh standby. stop() (SIGTERM) releases the Lease.
import { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { LABELS } from '../../api/index.js';
import { KubeClient } from './kube/client.js';
import { KubeEventRecorder } from './kube/events.js';
import { CachedKindProbe } from './kube/discovery.js';
import { LeaderElector, LeaderElectionConfig } from './kube/leader.js';
import { Clock, realClock } from '../../api/index.js';
import { BackoffPolicy } from '../../api/index.js';
import { WorkQueue } from './runtime/queue.js';
import { OperatorMetrics } from './metrics.js';
import { startHttpServer, HttpServer } from './http.js';
import { Logger, createLogger } from './log.js';
import { Controller, ReconcileHooks } from './controllers/controller.js';
import { createInformers, Informers } from './controllers/informers.js';
import { Deps } from './controllers/deps.js';
import { reconcileCluster } from './cluster/reconcile.js';
import { reconcileClass } from './class/reconcile.js';
import { clusterNameOf, keyOf } from './resources.js';

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  /** Namespace to watch; undefined watches all namespaces. */
  namespace?: string;
  /** This replica's identity (pod name) in the Lease and in Events. */
  identity: string;
  /** Lease settings, or false to run without leader election (a single replica). */
  leaderElection: LeaderElectionConfig | false;
  /** Health and metrics port; port 0 picks a free one. Absent: no HTTP server. */
  http?: { port: number; host?: string };
  workers?: number;
  resyncMs?: number;
  informerBackoff?: BackoffPolicy;
  queueBackoff?: BackoffPolicy;
  random?: () => number;
  /** How long "is the ServiceMonitor kind served?" is remembered (default 60 s). */
  kindProbeTtlMs?: number;
  clock?: Clock;
  log?: Logger;
  hooks?: ReconcileHooks;
}

export interface Operator {
  readonly metrics: OperatorMetrics;
  readonly httpUrl?: string;
  /** Resolves with a reason when the operator stopped on its own (lost leadership). */
  readonly exited: Promise<string>;
  isLeader(): boolean;
  /** True while controllers run (leading, caches synced). */
  isActive(): boolean;
  stop(): Promise<void>;
}

interface Running {
  informers: Informers;
  controllers: Controller[];
}

class ShoalOperator implements Operator {
  readonly metrics = new OperatorMetrics();
  httpUrl?: string;
  readonly exited: Promise<string>;
  private resolveExit!: (reason: string) => void;
  private http?: HttpServer;
  private elector?: LeaderElector;
  private running?: Running;
  private starting?: Promise<void>;
  private readonly abort = new AbortController();
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly client: KubeClient;
  private readonly events: KubeEventRecorder;
  private electionLoop?: Promise<void>;
  /** Aborted when this leadership term ends (or on stop); cancels a start still syncing. */
  private term?: AbortController;

  constructor(private readonly o: OperatorOptions) {
    this.log = o.log ?? createLogger('operator', undefined, { identity: o.identity });
    this.clock = o.clock ?? realClock;
    this.client = new KubeClient(o.kubeConfig);
    this.events = new KubeEventRecorder(o.kubeConfig, 'shoal-operator', o.identity, this.log, this.clock);
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  async start(): Promise<void> {
    if (this.o.http) {
      this.http = await startHttpServer(this.o.http.port, this.o.http.host ?? '0.0.0.0', this.metrics, { problems: () => this.problems() });
      this.httpUrl = this.http.url;
    }
    if (this.o.leaderElection === false) {
      this.metrics.leader.set(1); // the only replica
      this.beginTerm();
      return;
    }
    this.elector = new LeaderElector(this.o.kubeConfig, this.o.leaderElection, this.log, this.clock, this.o.random);
    this.electionLoop = this.elector.run(
      {
        onStartedLeading: () => {
          this.metrics.leader.set(1);
          this.beginTerm();
        },
        onStoppedLeading: (reason) => {
          this.metrics.leader.set(0);
          this.term?.abort();
          void this.stopControllers().then(() => this.resolveExit(`lost leadership: ${reason}`));
        },
      },
      this.abort.signal,
    );
  }

  isLeader(): boolean {
    return this.o.leaderElection === false || (this.elector?.isLeader() ?? false);
  }

  isActive(): boolean {
    return this.running !== undefined;
  }

  problems(): string[] {
    if (!this.running) return [];
    return Object.values(this.running.informers).filter((i) => !i.synced).map((i) => `informer ${i.spec.resource} not synced`);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.term?.abort();
    await this.stopControllers();
    await this.electionLoop;
    await this.elector?.release();
    this.metrics.leader.set(0);
    await this.events.flush();
    await this.http?.close();
    this.resolveExit('stopped');
  }

  private deps(informers: Informers): Deps {
    return {
      client: this.client,
      caches: informers,
      events: this.events,
      kinds: new CachedKindProbe(this.client, this.clock, this.o.kindProbeTtlMs),
      log: this.log,
      clock: this.clock,
      random: this.o.random ?? Math.random,
      resyncMs: this.o.resyncMs ?? 10 * 60_000,
    };
  }

  private beginTerm(): void {
    this.term = new AbortController();
    this.starting = this.startControllers(this.term.signal).catch((e: unknown) => {
      this.log.error('could not start the controllers', { error: e instanceof Error ? e.message : String(e) });
      this.resolveExit(`failed to start: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  private async startControllers(term: AbortSignal): Promise<void> {
    const opts = { clock: this.clock, backoff: this.o.informerBackoff, log: this.log, onRestart: (r: string) => this.metrics.informerRestarts.inc({ resource: r }) };
    const informers = createInformers(this.o.kubeConfig, this.o.namespace, opts);
    const queues = { cluster: new WorkQueue({ clock: this.clock, backoff: this.o.queueBackoff }), class: new WorkQueue({ clock: this.clock, backoff: this.o.queueBackoff }) };
    wireEvents(informers, queues.cluster, queues.class);
    const all = Object.values(informers);
    await Promise.all(all.map((i) => i.start()));
    await Promise.race([Promise.all(all.map((i) => i.whenSynced())), new Promise((r) => term.addEventListener('abort', r, { once: true }))]);
    if (term.aborted) {
      await Promise.all(all.map((i) => i.stop()));
      return;
    }
    const deps = this.deps(informers);
    const common = { workers: this.o.workers ?? 2, metrics: this.metrics, log: this.log, hooks: this.o.hooks };
    const controllers = [
      new Controller({ ...common, name: 'vectorcluster', queue: queues.cluster, reconcile: (k) => reconcileCluster(deps, k) }),
      new Controller({ ...common, name: 'vectorclass', queue: queues.class, reconcile: (k) => reconcileClass(deps, k) }),
    ];
    this.running = { informers, controllers };
    this.metrics.shardSource = informers.classes;
    for (const c of controllers) c.start();
    this.log.info('controllers started', { namespace: this.o.namespace ?? '(all)' });
  }

  private async stopControllers(): Promise<void> {
    await this.starting; // a start in progress either completes or sees its term aborted
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    this.metrics.shardSource = undefined;
    await Promise.all(running.controllers.map((c) => c.stop()));
    await Promise.all(Object.values(running.informers).map((i) => i.stop()));
    this.log.info('controllers stopped');
  }
}

/** Map every event to the keys whose reconcile reads the changed object. */
function wireEvents(inf: Informers, clusters: WorkQueue, classes: WorkQueue): void {
  const touchCluster = (namespace: string, cluster: string) => {
    clusters.add(`${namespace}/${cluster}`);
    for (const c of inf.classes.list(namespace)) if (clusterNameOf(c) === cluster) classes.add(keyOf(c));
  };
  const onAll = (informer: { on(e: 'add' | 'update' | 'delete', cb: (o: KubernetesObject) => void): void }, cb: (o: KubernetesObject) => void) => {
    for (const e of ['add', 'update', 'delete'] as const) informer.on(e, cb);
  };
  onAll(inf.clusters, (o) => touchCluster(o.metadata?.namespace ?? '', o.metadata?.name ?? ''));
  onAll(inf.classes, (o) => {
    classes.add(keyOf(o));
    const cluster = clusterNameOf(o);
    if (cluster) clusters.add(`${o.metadata?.namespace ?? ''}/${cluster}`);
  });
  const byLabel = (o: KubernetesObject) => {
    const cluster = o.metadata?.labels?.[LABELS.cluster];
    if (cluster) touchCluster(o.metadata?.namespace ?? '', cluster);
  };
  onAll(inf.statefulSets, byLabel);
  onAll(inf.pods, byLabel);
}

export async function startOperator(o: OperatorOptions): Promise<Operator> {
  const op = new ShoalOperator(o);
  await op.start();
  return op;
}
