// HTTP routing: non-resource endpoints (health, version, discovery, OpenAPI) and resource
// verbs. Every error leaves as a `kind: Status` JSON body with the matching HTTP code.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Core, type Target, type WriteContext } from './core.js';
import { coreVersions, group, groupList, resourceList, versionInfo } from './discovery.js';
import { ApiError, methodNotAllowed } from './errors.js';
import type { Faults } from './faults.js';
import { groupVersionDoc, rootDoc } from './openapi.js';
import { getScale, patch, patchScale, updateScale } from './patching.js';
import { checkQuery, decodeObject, deleteOptions, listQuery, parseResourcePath, readBody, type ResourcePath, writeOptions } from './request.js';
import { toTable } from './table.js';
import type { JsonObject, KObject, LogFn, ResourceDef, Verb } from './types.js';
import type { WatchHub } from './watch.js';

interface Reply { code: number; body: unknown; headers?: Record<string, string> }

export class HttpApi {
  constructor(private readonly core: Core, private readonly watches: WatchHub, private readonly faults: Faults,
    private readonly log: LogFn, private readonly serverAddress: () => string) {}

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.dispatch(req, res).catch((e: unknown) => this.fail(res, e));
  };

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const plain = this.nonResource(method, url);
    if (plain) { this.log(`${method} ${url.pathname} -> ${plain.code}`); return this.send(res, plain); }
    const path = parseResourcePath(url.pathname, this.core.registry);
    if (!path) throw notFoundPath();
    const def = this.core.registry.find(path.group, path.version, path.plural);
    if (!def) throw notFoundPath();
    const verb = verbOf(method, path, url.searchParams);
    const fault = this.faults.take({ verb, def, subresource: path.subresource, namespace: path.namespace, name: path.name });
    if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault.error) throw fault.error;
    checkQuery(method, url.searchParams);
    if (verb === 'watch') return this.watch(def, path, url.searchParams, res, String(req.headers.accept ?? ''));
    const reply = this.resource(verb, def, path, url.searchParams, req, body);
    this.log(`${method} ${url.pathname}${url.search} -> ${reply.code}`);
    this.send(res, reply);
  }

  private nonResource(method: string, url: URL): Reply | undefined {
    const p = url.pathname.replace(/\/+$/, '') || '/';
    if (['/healthz', '/livez', '/readyz'].some((h) => p === h || p.startsWith(`${h}/`))) return { code: 200, body: 'ok' };
    if (method !== 'GET') return undefined;
    const reg = this.core.registry;
    const parts = p.split('/').filter(Boolean);
    if (p === '/version') return { code: 200, body: versionInfo() };
    if (p === '/api') return { code: 200, body: coreVersions(this.serverAddress()) };
    if (p === '/apis') return { code: 200, body: groupList(reg) };
    if (p === '/openapi/v3') return { code: 200, body: rootDoc(reg) };
    if (p.startsWith('/openapi/v3/')) {
      const [g, v] = parts[2] === 'api' ? ['', parts[3]] : [parts[3], parts[4]];
      return found(groupVersionDoc(reg, g, v ?? ''));
    }
    if (p.startsWith('/openapi/') || p.startsWith('/swagger')) throw notFoundPath();
    if (parts[0] === 'api' && parts.length === 2) return found(resourceList(reg, '', parts[1]));
    if (parts[0] === 'apis' && parts.length === 2) return found(group(reg, parts[1]));
    if (parts[0] === 'apis' && parts.length === 3) return found(resourceList(reg, parts[1], parts[2]));
    return undefined;
  }

  private watch(def: ResourceDef, path: ResourcePath, q: URLSearchParams, res: ServerResponse, accept: string): void {
    const fieldSelector = [q.get('fieldSelector'), path.name ? `metadata.name=${path.name}` : undefined].filter(Boolean).join(',');
    const timeout = q.get('timeoutSeconds');
    this.watches.open({
      def, version: path.version, namespace: path.namespace, labelSelector: q.get('labelSelector') ?? undefined,
      fieldSelector: fieldSelector || undefined, resourceVersion: q.get('resourceVersion') ?? undefined,
      allowBookmarks: q.get('allowWatchBookmarks') === 'true', sendInitialEvents: q.get('sendInitialEvents') === 'true',
      timeoutSeconds: timeout ? Number(timeout) : undefined,
      table: accept.includes('as=Table') ? { includeObject: q.get('includeObject') ?? '' } : undefined,
    }, res);
    this.log(`WATCH ${path.plural} ns=${path.namespace ?? '*'} from rv=${q.get('resourceVersion') ?? '-'}`);
  }

  private resource(verb: Verb, def: ResourceDef, path: ResourcePath, q: URLSearchParams, req: IncomingMessage, body: Buffer): Reply {
    if (def.namespaced && path.name !== undefined && path.namespace === undefined && verb !== 'list') throw notFoundPath();
    if (!def.namespaced && path.namespace !== undefined) throw notFoundPath();
    const t: Target = { def, version: path.version, namespace: path.namespace ?? '', name: path.name ?? '' };
    const opts = writeOptions(q, req.headers['user-agent']);
    const ctx: WriteContext = { opts, subresource: subresourceOf(def, path.subresource), manager: opts.managerDefault };
    const ct = req.headers['content-type'];
    const warn = (r: Reply): Reply => (opts.warnings?.length ? { ...r, headers: { Warning: opts.warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') } } : r);
    switch (verb) {
      case 'get': return this.get(t, path, q, req);
      case 'list': return this.list(def, path, q, req);
      case 'create':
        if (def.namespaced && path.namespace === undefined) throw methodNotAllowed(`create of namespaced ${def.plural} needs a namespace in the URL`);
        return warn({ code: opts.dryRun ? 200 : 201, body: this.core.create(def, path.version, t.namespace, decodeObject(body, ct), ctx) });
      case 'update':
        if (ctx.subresource === 'scale') return { code: 200, body: updateScale(this.core, t, decodeObject(body, ct), ctx) };
        if (path.subresource === 'finalize') return { code: 200, body: this.finalize(t, decodeObject(body, ct), ctx) };
        return warn({ code: 200, body: this.core.update(t, decodeObject(body, ct), ctx) });
      case 'patch': {
        const preq = { contentType: ct ?? '', body, force: q.get('force') === 'true' };
        if (ctx.subresource === 'scale') return { code: 200, body: patchScale(this.core, t, preq, ctx) };
        const r = patch(this.core, t, preq, ctx);
        return warn({ code: r.created && !opts.dryRun ? 201 : 200, body: r.object });
      }
      case 'delete': {
        const r = this.core.delete(t, deleteOptions(q, body, ct), ctx);
        return { code: r.code, body: r.object };
      }
      case 'deletecollection': return this.deleteCollection(def, path, q, body, ct, ctx);
      default: throw methodNotAllowed(`${verb} is not supported`);
    }
  }

  private get(t: Target, path: ResourcePath, q: URLSearchParams, req: IncomingMessage): Reply {
    if (path.subresource === 'scale') return { code: 200, body: getScale(this.core, t) };
    const obj = this.core.get(t);
    const accept = String(req.headers.accept ?? '');
    if (accept.includes('as=Table')) return { code: 200, body: toTable(t.def, t.version, [obj], obj.metadata.resourceVersion ?? '', q.get('includeObject') ?? '') };
    if (accept.includes('as=PartialObjectMetadata')) return { code: 200, body: partial(obj) };
    return { code: 200, body: obj };
  }

  private list(def: ResourceDef, path: ResourcePath, q: URLSearchParams, req: IncomingMessage): Reply {
    const r = this.core.list(def, path.version, path.namespace, listQuery(q));
    const accept = String(req.headers.accept ?? '');
    if (accept.includes('as=Table')) return { code: 200, body: toTable(def, path.version, r.items, r.resourceVersion, q.get('includeObject') ?? '', r.continue) };
    const metadata: JsonObject = { resourceVersion: r.resourceVersion };
    if (r.continue) { metadata.continue = r.continue; metadata.remainingItemCount = r.remainingItemCount ?? 0; }
    if (accept.includes('as=PartialObjectMetadataList')) {
      return { code: 200, body: { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items: r.items.map(partial) } };
    }
    // Typed (built-in) lists omit apiVersion/kind on items, as the real server's JSON does.
    const items = def.custom ? r.items : r.items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
    return { code: 200, body: { kind: def.listKind, apiVersion: def.group ? `${def.group}/${path.version}` : path.version, metadata, items } };
  }

  private deleteCollection(def: ResourceDef, path: ResourcePath, q: URLSearchParams, body: Buffer, ct: string | undefined, ctx: WriteContext): Reply {
    const options = deleteOptions(q, body, ct);
    const items = this.core.list(def, path.version, path.namespace, listQuery(q)).items;
    const deleted = items.map((o) => this.core.delete({ def, version: path.version, namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '' }, options, ctx).object);
    return { code: 200, body: { kind: def.listKind, apiVersion: def.group ? `${def.group}/${path.version}` : path.version, metadata: { resourceVersion: String(this.core.store.rv) }, items: deleted } };
  }

  /** PUT namespaces/<n>/finalize: only spec.finalizers changes, as the namespace controller uses it. */
  private finalize(t: Target, body: KObject, ctx: WriteContext): KObject {
    const old = this.core.get(t);
    const next = { ...old, spec: { ...(old.spec as object), finalizers: (body.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [] } };
    return this.core.commitRaw(t, old, next, ctx);
  }

  private send(res: ServerResponse, reply: Reply): void {
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.code, {
      'Content-Type': typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private', ...reply.headers,
    });
    res.end(text);
  }

  private fail(res: ServerResponse, e: unknown): void {
    const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
    this.log(e instanceof ApiError ? `-> ${err.code} ${err.message}` : `internal error: ${(e as Error).stack ?? String(e)}`);
    if (res.headersSent) { res.destroy(); return; }
    this.send(res, { code: err.code, body: err.toStatus(), headers: err.headers });
  }
}

function found(body: JsonObject | undefined): Reply {
  if (!body) throw notFoundPath();
  return { code: 200, body };
}

function notFoundPath(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

function partial(o: KObject): JsonObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } as unknown as JsonObject;
}

function subresourceOf(def: ResourceDef, sub: string): WriteContext['subresource'] {
  if (sub === '' || sub === 'finalize') return '';
  if (sub === 'status' && def.statusSubresource) return 'status';
  if (sub === 'scale' && def.scale) return 'scale';
  throw new ApiError(404, 'NotFound', `the server could not find the requested resource (subresource "${sub}" of ${def.plural} is not served by Shoal's local API server)`);
}

function verbOf(method: string, path: ResourcePath, q: URLSearchParams): Verb {
  const watch = path.legacyWatch || q.get('watch') === 'true' || q.get('watch') === '1';
  switch (method) {
    case 'GET': return watch ? 'watch' : path.name === undefined ? 'list' : 'get';
    case 'POST': if (path.name === undefined) return 'create'; break;
    case 'PUT': if (path.name !== undefined) return 'update'; break;
    case 'PATCH': if (path.name !== undefined) return 'patch'; break;
    case 'DELETE': return path.name === undefined ? 'deletecollection' : 'delete';
    default: break;
  }
  throw methodNotAllowed(`the server does not allow this method on the requested resource (${method})`);
}
