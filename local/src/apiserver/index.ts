// Shoal's embedded Kubernetes-API-compatible server for local mode. See README.md beside this
// file for what it models and, as important, what it does not.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Core, type DeleteOptions, type WriteContext } from './core.js';
import { defFromCrd } from './crd.js';
import { ApiError } from './errors.js';
import { type FailOptions, type FaultMatch, Faults } from './faults.js';
import { GarbageCollector } from './gc.js';
import { HttpApi } from './http.js';
import { writeKubeconfig } from './kubeconfig.js';
import { patch, PATCH_TYPES } from './patching.js';
import { Persistence } from './persistence.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { storageKeyOf } from './resources.js';
import type { KObject, LogFn, ResourceDef } from './types.js';
import { WatchHub } from './watch.js';

export type { KObject, ObjectMeta, OwnerReference, ManagedFieldsEntry, LogFn, Verb } from './types.js';
export type { FaultMatch, FailOptions } from './faults.js';
export { ApiError } from './errors.js';

export interface ApiServerOptions {
  /** Folder to persist to (snapshot + write-ahead log). Omitted: in memory only. */
  dataDir?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Where to write the kubeconfig. Default `<dataDir>/kubeconfig`, or a temp file removed on close. */
  kubeconfigPath?: string;
  /** One line per request and notable event; default silent. */
  log?: LogFn;
  /** Events kept for watch replay before older ones are compacted (default 10000). */
  eventLogLimit?: number;
  /** Interval of BOOKMARK events on watches that allow them (default 5000 ms). */
  bookmarkIntervalMs?: number;
  /** Backstop interval of the garbage collector, which also runs right after relevant writes (default 1000 ms). */
  gcIntervalMs?: number;
  /** How a watch from a compacted resourceVersion fails: in-stream ERROR event (default, like kube-apiserver) or HTTP 410. */
  goneAs?: 'event' | 'http';
  /** fsync the write-ahead log on every write (default true). */
  fsync?: boolean;
}

export interface ListOptions { namespace?: string; labelSelector?: string; fieldSelector?: string }

export interface WaitOptions { namespace?: string; name?: string; timeoutMs?: number }

/**
 * A running server. Resources are named as kubectl does: `pods`, `statefulsets.apps`,
 * `sts`, `vectorclusters.shoal.dev`, or a Kind.
 */
export interface ApiServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly kubeconfigPath: string;
  close(): Promise<void>;

  // Direct typed access (no HTTP, no faults). Objects returned are copies.
  get<T extends KObject = KObject>(resource: string, name: string, namespace?: string): T | undefined;
  list<T extends KObject = KObject>(resource: string, opts?: ListOptions): T[];
  /** Create an object (kind and apiVersion pick the resource). */
  create<T extends KObject = KObject>(obj: T, opts?: { fieldManager?: string }): T;
  /** Server-side apply, as `kubectl apply --server-side` would. */
  apply<T extends KObject = KObject>(obj: T, fieldManager: string, opts?: { force?: boolean }): T;
  /** Delete (default Background propagation). Resolves nothing: finalizers may keep the object. */
  delete(resource: string, name: string, namespace?: string, opts?: DeleteOptions): void;
  /** The current global resourceVersion. */
  resourceVersion(): number;

  // Test hooks.
  /** Drop the whole event log: watches and continue tokens from older resourceVersions get 410. */
  compact(): void;
  /** Send `ERROR 410 Expired` on every open watch and close it (clients relist). Returns how many. */
  expireWatches(): number;
  /** Close every open watch cleanly (clients re-watch from their last resourceVersion), or reset the sockets. */
  dropWatches(opts?: { abrupt?: boolean }): number;
  openWatchCount(): number;
  /** Fail the next `count` HTTP requests matching with `status` (409, 410, 429, 500, ...). */
  failNext(count: number, match: FaultMatch, status: number, opts?: FailOptions): void;
  /** Delay the next `count` matching HTTP requests (watches: before the stream opens). */
  delayNext(count: number, match: FaultMatch, delayMs: number): void;
  clearFaults(): void;
  /** Resolve with the first object (current or future) that satisfies `predicate`. */
  waitFor<T extends KObject = KObject>(resource: string, predicate: (obj: T) => boolean, opts?: WaitOptions): Promise<T>;
  /** Run garbage collection, namespace and CRD cleanup now, until nothing changes. */
  collectGarbage(): void;
}

const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const SYSTEM: WriteContext = { opts: {}, subresource: '', manager: 'shoal-local-apiserver' };

export async function startApiServer(opts: ApiServerOptions = {}): Promise<ApiServer> {
  const log: LogFn = opts.log ?? (() => {});
  const persistence = opts.dataDir ? new Persistence(opts.dataDir, 2000, opts.fsync ?? true) : undefined;
  const core: Core = new Core(opts.eventLogLimit ?? 10000, (e) => {
    if (persistence?.append(e)) persistence.snapshot(core.store.all(), core.store.rv);
  }, log);
  if (persistence) restore(core, persistence);
  seedNamespaces(core);
  const gc = new GarbageCollector(core, log, opts.gcIntervalMs ?? 1000);
  core.onGarbage = () => gc.schedule();
  gc.runUntilStable();
  const watches = new WatchHub(core, { bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 5000, goneAs: opts.goneAs ?? 'event' });
  const faults = new Faults();
  const host = opts.host ?? '127.0.0.1';
  let address = '';
  const api = new HttpApi(core, watches, faults, log, () => address);
  const server = createServer({ keepAlive: true }, api.handle);
  const sockets = new Set<Socket>();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(opts.port ?? 0, host, resolve); });
  const port = (server.address() as { port: number }).port;
  address = `${host}:${port}`;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const tempDir = opts.kubeconfigPath || opts.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'shoal-apiserver-'));
  const kubeconfigPath = opts.kubeconfigPath ?? join(opts.dataDir ?? (tempDir as string), 'kubeconfig');
  writeKubeconfig(kubeconfigPath, url);
  log(`shoal local apiserver listening on ${url}, kubeconfig ${kubeconfigPath}`);
  return new RunningServer({ core, gc, watches, faults, server, sockets, persistence, url, host, port, kubeconfigPath, tempDir });
}

function restore(core: Core, persistence: Persistence): void {
  const loaded = persistence.load();
  core.store.load(loaded.objects, loaded.resourceVersion);
  for (const crd of core.store.list('apiextensions.k8s.io/customresourcedefinitions')) {
    const established = ((crd.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [])
      .some((c) => c.type === 'Established' && c.status === 'True');
    if (established) core.registry.put(defFromCrd(crd));
  }
  persistence.snapshot(core.store.all(), core.store.rv);
}

function seedNamespaces(core: Core): void {
  const def = core.registry.byKey('', 'namespaces') as ResourceDef;
  for (const name of DEFAULT_NAMESPACES) {
    if (!core.stored(def, '', name)) core.create(def, 'v1', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, SYSTEM);
  }
}

interface Parts {
  core: Core; gc: GarbageCollector; watches: WatchHub; faults: Faults; server: Server; sockets: Set<Socket>;
  persistence?: Persistence; url: string; host: string; port: number; kubeconfigPath: string; tempDir?: string;
}

class RunningServer implements ApiServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly kubeconfigPath: string;
  private closed = false;

  constructor(private readonly p: Parts) {
    this.url = p.url; this.host = p.host; this.port = p.port; this.kubeconfigPath = p.kubeconfigPath;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.p.gc.stop();
    this.p.watches.dropAll('end');
    await new Promise<void>((resolve) => {
      this.p.server.close(() => resolve());
      for (const s of this.p.sockets) s.destroy();
    });
    if (this.p.persistence) {
      this.p.persistence.snapshot(this.p.core.store.all(), this.p.core.store.rv);
      this.p.persistence.close();
    }
    if (this.p.tempDir) rmSync(this.p.tempDir, { recursive: true, force: true });
  }

  private def(resource: string): ResourceDef {
    const def = this.p.core.registry.resolve(resource);
    if (!def) throw new Error(`unknown resource "${resource}": expected a plural (pods), plural.group (statefulsets.apps), short name or Kind served by the local API server`);
    return def;
  }

  private defOf(obj: KObject): ResourceDef {
    const def = this.p.core.registry.byKind(obj.apiVersion, obj.kind);
    if (!def) throw new Error(`no resource serves ${obj.apiVersion} ${obj.kind}; create its CustomResourceDefinition first`);
    return def;
  }

  get<T extends KObject>(resource: string, name: string, namespace = 'default'): T | undefined {
    const def = this.def(resource);
    try {
      return this.p.core.get({ def, version: def.versions[0], namespace: def.namespaced ? namespace : '', name }) as T;
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    }
  }

  list<T extends KObject>(resource: string, opts: ListOptions = {}): T[] {
    const def = this.def(resource);
    return this.p.core.list(def, def.versions[0], opts.namespace, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector }).items as T[];
  }

  create<T extends KObject>(obj: T, opts: { fieldManager?: string } = {}): T {
    const def = this.defOf(obj);
    const version = obj.apiVersion.split('/').pop() as string;
    return this.p.core.create(def, version, obj.metadata.namespace ?? (def.namespaced ? 'default' : ''), obj,
      { ...SYSTEM, manager: opts.fieldManager ?? 'shoal-local-test' }) as T;
  }

  apply<T extends KObject>(obj: T, fieldManager: string, opts: { force?: boolean } = {}): T {
    const def = this.defOf(obj);
    const version = obj.apiVersion.split('/').pop() as string;
    const t = { def, version, namespace: def.namespaced ? obj.metadata.namespace ?? 'default' : '', name: obj.metadata.name ?? '' };
    const ctx: WriteContext = { opts: { fieldManager }, subresource: '', manager: fieldManager };
    return patch(this.p.core, t, { contentType: PATCH_TYPES.apply, body: obj, force: opts.force ?? false }, ctx).object as T;
  }

  delete(resource: string, name: string, namespace = 'default', opts: DeleteOptions = {}): void {
    const def = this.def(resource);
    this.p.core.delete({ def, version: def.versions[0], namespace: def.namespaced ? namespace : '', name }, opts, SYSTEM);
  }

  resourceVersion(): number { return this.p.core.store.rv; }
  compact(): void { this.p.core.store.compactTo(); }
  expireWatches(): number { return this.p.watches.dropAll('expire'); }
  dropWatches(opts: { abrupt?: boolean } = {}): number { return this.p.watches.dropAll(opts.abrupt ? 'destroy' : 'end'); }
  openWatchCount(): number { return this.p.watches.openCount; }
  failNext(count: number, match: FaultMatch, status: number, opts?: FailOptions): void { this.p.faults.fail(count, match, status, opts); }
  delayNext(count: number, match: FaultMatch, delayMs: number): void { this.p.faults.delay(count, match, delayMs); }
  clearFaults(): void { this.p.faults.clear(); }
  collectGarbage(): void { this.p.gc.runUntilStable(); }

  waitFor<T extends KObject>(resource: string, predicate: (obj: T) => boolean, opts: WaitOptions = {}): Promise<T> {
    const def = this.def(resource);
    const key = storageKeyOf(def);
    const test = (o: KObject | undefined): T | undefined => {
      if (!o) return undefined;
      if (opts.namespace !== undefined && o.metadata.namespace !== opts.namespace) return undefined;
      if (opts.name !== undefined && o.metadata.name !== opts.name) return undefined;
      return predicate(o as T) ? (o as T) : undefined;
    };
    const now = this.list<T>(resource, { namespace: opts.namespace }).find((o) => test(o));
    if (now) return Promise.resolve(now);
    const timeoutMs = opts.timeoutMs ?? 10000;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => { unsubscribe(); reject(new Error(`waitFor ${resource}${opts.name ? `/${opts.name}` : ''}: no object matched within ${timeoutMs} ms`)); }, timeoutMs);
      const unsubscribe = this.p.core.store.subscribe((e) => {
        if (e.storageKey !== key || e.type === 'DELETED') return;
        const hit = test(this.get(resource, e.object.metadata.name ?? '', e.object.metadata.namespace));
        if (hit) { clearTimeout(timer); unsubscribe(); resolve(hit); }
      });
    });
  }
}

export { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector };
