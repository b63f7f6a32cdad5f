// Pure pieces of the local API server (patches, selectors, field ownership, protobuf) and HTTP
// behaviours no client library exercises directly (watch shapes, paging, discovery, OpenAPI).
import { expect } from 'chai';
import { decodeProtobuf } from '../../../local/src/apiserver/protobuf.js';
import { jsonPatch, mergePatch, strategicMergePatch } from '../../../local/src/apiserver/patch.js';
import { matchesLabels, parseLabelSelector } from '../../../local/src/apiserver/selectors.js';
import { serverSideApply } from '../../../local/src/apiserver/managed-fields.js';
import { listTypeFor } from '../../../local/src/apiserver/list-types.js';
import { Registry } from '../../../local/src/apiserver/resources.js';
import type { ApiServer, KObject } from '../../../local/src/apiserver/index.js';
import { eventually, startServer, widget, WIDGET_CRD } from './helpers.js';

describe('local apiserver pieces', () => {
  it('applies merge, JSON and strategic merge patches', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 } }, { b: { c: null, e: 4 } })).to.deep.equal({ a: 1, b: { d: 3, e: 4 } });
    expect(jsonPatch({ a: [1, 2] }, [{ op: 'add', path: '/a/-', value: 3 }, { op: 'replace', path: '/a/0', value: 0 }])).to.deep.equal({ a: [0, 2, 3] });
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).to.throw(/test failed/);
    const pod = { spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'E', value: '1' }] }, { name: 'b', image: 'y' }] }, metadata: { finalizers: ['f1'] } };
    const out = strategicMergePatch(pod, {
      spec: { containers: [{ name: 'a', image: 'x2', env: [{ name: 'F', value: '2' }] }, { name: 'b', $patch: 'delete' }] },
      metadata: { finalizers: ['f2'] },
    });
    expect(out).to.deep.equal({
      spec: { containers: [{ name: 'a', image: 'x2', env: [{ name: 'E', value: '1' }, { name: 'F', value: '2' }] }] },
      metadata: { finalizers: ['f1', 'f2'] },
    });
    expect(strategicMergePatch({ spec: { tolerations: [{ key: 'a' }] } }, { spec: { tolerations: [{ key: 'b' }] } }))
      .to.deep.equal({ spec: { tolerations: [{ key: 'b' }] } });
  });

  it('parses equality and set-based label selectors', () => {
    const sel = parseLabelSelector('app=web,tier in (a, b),!legacy,env');
    expect(matchesLabels(sel, { app: 'web', tier: 'b', env: 'x' })).to.equal(true);
    expect(matchesLabels(sel, { app: 'web', tier: 'c', env: 'x' })).to.equal(false);
    expect(matchesLabels(sel, { app: 'web', tier: 'a', env: 'x', legacy: '1' })).to.equal(false);
  });

  it('tracks ownership of list-map items by key under server-side apply', () => {
    const listType = listTypeFor(new Registry().resolve('statefulsets.apps') as never, 'v1');
    const base = (containers: unknown[]): KObject => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { template: { spec: { containers } } } });
    const ctx = { subresource: '', apiVersion: 'apps/v1', listType, force: false, scope: 'all' as const };
    let live = serverSideApply(undefined, base([{ name: 'a', image: 'x' }]), { ...ctx, manager: 'op' });
    live = serverSideApply(live, base([{ name: 'sidecar', image: 's' }]), { ...ctx, manager: 'mesh' });
    const names = (o: KObject): string[] => ((o.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers).map((c) => c.name);
    expect(names(live)).to.deep.equal(['a', 'sidecar']);
    live = serverSideApply(live, base([{ name: 'b', image: 'x' }]), { ...ctx, manager: 'op' });
    expect(names(live), 'op dropped a, keeps b; mesh keeps its sidecar').to.deep.equal(['sidecar', 'b']);
    expect(() => serverSideApply(live, base([{ name: 'sidecar', image: 'other' }]), { ...ctx, manager: 'op' })).to.throw(/conflict with "mesh".*containers\[name="sidecar"\]\.image/);
  });

  it('decodes protobuf Secret and DeleteOptions envelopes', () => {
    const bytes = (n: number, b: Buffer): Buffer => Buffer.concat([Buffer.from([(n << 3) | 2, b.length]), b]);
    const str = (n: number, s: string): Buffer => bytes(n, Buffer.from(s));
    const meta = Buffer.concat([str(1, 's1'), str(3, 'ns'), bytes(11, Buffer.concat([str(1, 'owner'), str(2, 'helm')]))]);
    const secret = Buffer.concat([bytes(1, meta), bytes(2, Buffer.concat([str(1, 'k'), str(2, 'v')])), str(3, 'Opaque')]);
    const envelope = (kind: string, raw: Buffer): Buffer => Buffer.concat([Buffer.from('k8s\0'), bytes(1, Buffer.concat([str(1, 'v1'), str(2, kind)])), bytes(2, raw)]);
    expect(decodeProtobuf(envelope('Secret', secret))).to.deep.equal({
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1', namespace: 'ns', labels: { owner: 'helm' } }, data: { k: 'dg==' }, type: 'Opaque',
    });
    expect(decodeProtobuf(envelope('DeleteOptions', str(4, 'Foreground')))).to.deep.equal({ propagationPolicy: 'Foreground' });
    expect(() => decodeProtobuf(envelope('Pod', Buffer.alloc(0)))).to.throw(/not supported/);
  });
});

describe('local apiserver over raw HTTP', function () {
  this.timeout(15000);
  let server: ApiServer;
  beforeEach(async () => {
    ({ server } = await startServer({ goneAs: 'http', bookmarkIntervalMs: 100 }));
    server.create(WIDGET_CRD as never);
  });
  afterEach(async () => { await server.close(); });

  const http = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${server.url}${path}`, init);
  const json = async (path: string, init?: RequestInit): Promise<Record<string, unknown>> => (await (await http(path, init)).json()) as Record<string, unknown>;

  /** Read watch lines until `until` says stop (or the stream ends). */
  async function readWatch(path: string, until: (events: { type: string; object: KObject }[]) => boolean): Promise<{ type: string; object: KObject }[]> {
    const ctrl = new AbortController();
    const res = await http(path, { signal: ctrl.signal });
    expect(res.status).to.equal(200);
    const events: { type: string; object: KObject }[] = [];
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += Buffer.from(value).toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const l of lines) if (l) events.push(JSON.parse(l));
        if (until(events)) break;
      }
    } finally {
      ctrl.abort();
    }
    return events;
  }

  it('serves discovery with subresources, version, health and OpenAPI v3 with fieldValidation', async () => {
    const gv = await json('/apis/example.com/v1');
    const names = (gv.resources as { name: string }[]).map((r) => r.name);
    expect(names).to.deep.equal(['widgets', 'widgets/status', 'widgets/scale']);
    expect((await json('/apis')).groups).to.satisfy((gs: { name: string }[]) => gs.some((g) => g.name === 'example.com'));
    expect((await json('/version')).minor).to.equal('32');
    expect(await (await http('/readyz')).text()).to.equal('ok');
    expect((await http('/openapi/v2')).status).to.equal(404);
    const root = await json('/openapi/v3');
    const url = (root.paths as Record<string, { serverRelativeURL: string }>)['apis/example.com/v1'].serverRelativeURL;
    const doc = JSON.stringify(await json(url));
    expect(doc).to.contain('"fieldValidation"').and.to.contain('"x-kubernetes-group-version-kind":{"group":"example.com","version":"v1","kind":"Widget"}');
  });

  it('pages lists with limit/continue and answers 410 for a continue token older than compaction', async () => {
    for (const n of ['a', 'b', 'c']) server.create(widget(n) as never);
    const first = await json('/apis/example.com/v1/namespaces/default/widgets?limit=2');
    expect((first.items as KObject[]).map((i) => i.metadata.name)).to.deep.equal(['a', 'b']);
    const token = (first.metadata as { continue: string }).continue;
    const second = await json(`/apis/example.com/v1/namespaces/default/widgets?limit=2&continue=${encodeURIComponent(token)}`);
    expect((second.items as KObject[]).map((i) => i.metadata.name)).to.deep.equal(['c']);
    server.create(widget('d') as never);
    server.compact();
    expect((await http(`/apis/example.com/v1/namespaces/default/widgets?limit=2&continue=${encodeURIComponent(token)}`)).status).to.equal(410);
    expect((await http('/apis/example.com/v1/namespaces/default/widgets?bogus=1')).status, 'unknown options fail loudly').to.equal(400);
  });

  it('replays from a resourceVersion, filters by label with ADDED/DELETED transitions, and sends bookmarks', async () => {
    const a = server.create({ ...widget('a'), metadata: { name: 'a', namespace: 'default', labels: { team: 'x' } } } as KObject);
    const rv = a.metadata.resourceVersion;
    server.apply({ ...widget('a'), metadata: { name: 'a', namespace: 'default', labels: { team: 'y' } } } as never, 'test', { force: true });
    const events = await readWatch(`/apis/example.com/v1/namespaces/default/widgets?watch=true&resourceVersion=${rv}&labelSelector=team%3Dx&allowWatchBookmarks=true`,
      (es) => es.some((e) => e.type === 'BOOKMARK'));
    expect(events.map((e) => e.type)).to.deep.equal(['DELETED', 'BOOKMARK']);
    expect(events[1].object.metadata.resourceVersion).to.equal(String(server.resourceVersion()));
    const all = await readWatch('/apis/example.com/v1/namespaces/default/widgets?watch=true&timeoutSeconds=1', () => false);
    expect(all.map((e) => `${e.type} ${e.object.metadata.name}`), 'no resourceVersion: synthetic ADDED, then closed by timeout').to.deep.equal(['ADDED a']);
  });

  it('answers a watch from a compacted resourceVersion with HTTP 410 when configured so', async () => {
    const a = server.create(widget('a') as KObject);
    server.create(widget('b') as never);
    server.compact();
    const res = await http(`/apis/example.com/v1/namespaces/default/widgets?watch=true&resourceVersion=${a.metadata.resourceVersion}`);
    expect(res.status).to.equal(410);
    expect(((await res.json()) as { reason: string }).reason).to.equal('Expired');
  });

  it('serves printer-column tables and dry runs', async () => {
    server.create(widget('a', { dimensions: 2, replicas: 4 }) as never);
    const table = await json('/apis/example.com/v1/namespaces/default/widgets', { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    expect((table.columnDefinitions as { name: string }[]).map((c) => c.name)).to.deep.equal(['Name', 'Replicas', 'Phase', 'Age']);
    expect((table.rows as { cells: unknown[] }[])[0].cells.slice(0, 3)).to.deep.equal(['a', 4, null]);
    const res = await http('/apis/example.com/v1/namespaces/default/widgets?dryRun=All', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(widget('dry')),
    });
    expect(res.status).to.equal(200);
    expect(server.get('widgets', 'dry')).to.equal(undefined);
    await eventually(() => server.get('widgets', 'a'), 'object still there');
  });
});
