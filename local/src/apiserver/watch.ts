// Watch streams: newline-delimited JSON events over a chunked 200 response whose headers are
// flushed at once (client-node's informer awaits them). A watch replays the event log after
// the requested resourceVersion, or starts with synthetic ADDED events when none is given.
// Versions older than the compaction horizon get 410 Gone, as an in-stream ERROR event (what
// the real server does) or, if configured, as an HTTP 410.
import type { ServerResponse } from 'node:http';
import type { Core } from './core.js';
import { toExternal } from './convert.js';
import { ApiError } from './errors.js';
import { storageKeyOf } from './resources.js';
import { toTable } from './table.js';
import { type FieldRequirement, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, type Selector } from './selectors.js';
import type { KObject, ResourceDef, StoreEvent } from './types.js';

export interface WatchParams {
  def: ResourceDef;
  version: string;
  /** undefined: all namespaces. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
  /** `Accept: ...;as=Table`: each event object becomes a one-row Table, as kubectl get -w asks. */
  table?: { includeObject: string };
}

export interface WatchOptions { bookmarkIntervalMs: number; goneAs: 'event' | 'http' }

interface Stream { res: ServerResponse; close: (how: 'end' | 'destroy' | 'expire') => void }

export class WatchHub {
  private readonly streams = new Set<Stream>();

  constructor(private readonly core: Core, private readonly opts: WatchOptions) {}

  get openCount(): number {
    return this.streams.size;
  }

  open(p: WatchParams, res: ServerResponse): void {
    const from = p.resourceVersion && p.resourceVersion !== '0' ? Number(p.resourceVersion) : undefined;
    if (from !== undefined && !Number.isInteger(from)) throw new ApiError(400, 'BadRequest', `invalid resource version: ${p.resourceVersion}`);
    const replay = from === undefined ? [] : this.core.store.eventsSince(from);
    const tooOld = `too old resource version: ${from} (${this.core.store.compactedRv + 1})`;
    if (replay === undefined && this.opts.goneAs === 'http') throw new ApiError(410, 'Expired', tooOld);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    const send = (type: string, object: unknown): void => {
      const wrap = p.table && type !== 'ERROR' && type !== 'BOOKMARK';
      const out = wrap ? toTable(p.def, p.version, [object as KObject], (object as KObject).metadata.resourceVersion ?? '', p.table?.includeObject ?? '') : object;
      res.write(`${JSON.stringify({ type, object: out })}\n`);
    };
    if (replay === undefined) {
      send('ERROR', new ApiError(410, 'Expired', tooOld).toStatus());
      res.end();
      return;
    }
    this.stream(p, res, send, from === undefined ? undefined : replay);
  }

  private stream(p: WatchParams, res: ServerResponse, send: (t: string, o: unknown) => void, replay: StoreEvent[] | undefined): void {
    const filter = new EventFilter(p);
    if (replay === undefined) {
      for (const obj of this.core.store.list(storageKeyOf(p.def), p.def.namespaced ? p.namespace : undefined)) {
        const ext = toExternal(p.def, p.version, obj);
        if (filter.matches(ext)) send('ADDED', ext);
      }
      if (p.sendInitialEvents && p.allowBookmarks) send('BOOKMARK', this.bookmark(p, true));
    } else {
      for (const e of replay) { const out = filter.apply(e); if (out) send(out.type, out.object); }
    }
    const unsubscribe = this.core.store.subscribe((e) => { const out = filter.apply(e); if (out) send(out.type, out.object); });
    const timers: NodeJS.Timeout[] = [];
    if (p.allowBookmarks) timers.push(setInterval(() => send('BOOKMARK', this.bookmark(p, false)), this.opts.bookmarkIntervalMs));
    if (p.timeoutSeconds !== undefined) timers.push(setTimeout(() => stream.close('end'), p.timeoutSeconds * 1000));
    const stream: Stream = {
      res,
      close: (how) => {
        cleanup();
        if (how === 'expire') send('ERROR', new ApiError(410, 'Expired', 'too old resource version: watch expired by test hook').toStatus());
        if (how === 'destroy') res.destroy(); else res.end();
      },
    };
    const cleanup = (): void => { unsubscribe(); timers.forEach((t) => clearInterval(t)); this.streams.delete(stream); };
    res.on('close', cleanup);
    this.streams.add(stream);
  }

  private bookmark(p: WatchParams, initialEnd: boolean): KObject {
    const metadata: KObject['metadata'] = { resourceVersion: String(this.core.store.rv) };
    if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    return { kind: p.def.kind, apiVersion: p.def.group ? `${p.def.group}/${p.version}` : p.version, metadata };
  }

  /** End every open watch: cleanly (clients resume from their last resourceVersion) or by resetting the socket. */
  dropAll(how: 'end' | 'destroy' | 'expire' = 'end'): number {
    const n = this.streams.size;
    for (const s of [...this.streams]) s.close(how);
    return n;
  }
}

/** Per-watch filtering, turning selector transitions into ADDED/DELETED as the real server does. */
class EventFilter {
  private readonly labels: Selector;
  private readonly fields: FieldRequirement[];
  private readonly storageKey: string;

  constructor(private readonly p: WatchParams) {
    this.labels = parseLabelSelector(p.labelSelector);
    this.fields = parseFieldSelector(p.fieldSelector);
    this.storageKey = storageKeyOf(p.def);
  }

  matches(o: KObject): boolean {
    if (this.p.def.namespaced && this.p.namespace !== undefined && o.metadata.namespace !== this.p.namespace) return false;
    return matchesLabels(this.labels, o.metadata.labels) && matchesFields(this.fields, o);
  }

  apply(e: StoreEvent): { type: string; object: KObject } | undefined {
    if (e.storageKey !== this.storageKey) return undefined;
    const obj = toExternal(this.p.def, this.p.version, e.object);
    const now = this.matches(obj);
    if (e.type !== 'MODIFIED') return now ? { type: e.type, object: obj } : undefined;
    const before = e.prev ? this.matches(toExternal(this.p.def, this.p.version, e.prev)) : false;
    if (now && before) return { type: 'MODIFIED', object: obj };
    if (now) return { type: 'ADDED', object: obj };
    if (before) return { type: 'DELETED', object: obj };
    return undefined;
  }
}
