// The local API server driven by the real @kubernetes/client-node 1.4.0, as the operator uses it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppsV1Api, CoreV1Api, CustomObjectsApi, KubernetesObjectApi, makeInformer, PatchStrategy, setHeaderOptions,
  type KubeConfig, type KubernetesObject,
} from '@kubernetes/client-node';
import { expect } from 'chai';
import type { ApiServer } from '../../../local/src/apiserver/index.js';
import { eventually, expectStatus, startServer, W, widget, WIDGET_CRD, type Widget } from './helpers.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const APPLY = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

describe('local apiserver with @kubernetes/client-node', function () {
  this.timeout(20000);
  let server: ApiServer;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;

  beforeEach(async () => {
    ({ server, kc } = await startServer());
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    server.create(WIDGET_CRD as never);
  });
  afterEach(async () => { await server.close(); });

  const getW = async (name: string): Promise<Widget> => (await custom.getNamespacedCustomObject({ ...W, name })) as Widget;
  const createW = async (w: Widget): Promise<Widget> => (await custom.createNamespacedCustomObject({ ...W, body: w })) as Widget;

  it('creates, reads, lists, replaces and deletes with one global resourceVersion', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'c1', labels: { app: 'a' } }, data: { k: 'v' } } });
    expect(cm.metadata?.uid).to.be.a('string');
    const w = await createW(widget('w1'));
    expect(Number(w.metadata.resourceVersion)).to.be.greaterThan(Number(cm.metadata?.resourceVersion));
    expect(w.spec?.replicas, 'schema default applied').to.equal(1);
    const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'app in (a,b)' });
    expect(list.items.map((i) => i.metadata?.name)).to.deep.equal(['c1']);
    expect((await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'app!=a' })).items).to.have.length(0);
    const replaced = await core.replaceNamespacedConfigMap({ namespace: 'default', name: 'c1', body: { ...cm, data: { k: 'v2' } } });
    expect(replaced.data).to.deep.equal({ k: 'v2' });
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'c1' });
    await expectStatus(core.readNamespacedConfigMap({ namespace: 'default', name: 'c1' }), 404);
    const dup = await expectStatus(createW(widget('w1')), 409);
    expect(dup.reason).to.equal('AlreadyExists');
  });

  it('answers 409 Conflict on a stale resourceVersion and 422 on a CR update without one', async () => {
    const w = await createW(widget('w1'));
    await custom.replaceNamespacedCustomObject({ ...W, name: 'w1', body: { ...w, spec: { ...w.spec, color: 'red' } } });
    const stale = await expectStatus(custom.replaceNamespacedCustomObject({ ...W, name: 'w1', body: { ...w, spec: { ...w.spec, color: 'blue' } } }), 409);
    expect(stale.reason).to.equal('Conflict');
    expect(stale.message).to.contain('the object has been modified');
    const noRv = { ...w, metadata: { ...w.metadata, resourceVersion: undefined } };
    await expectStatus(custom.replaceNamespacedCustomObject({ ...W, name: 'w1', body: noRv }), 422);
  });

  it('does not bump resourceVersion or emit events for no-op writes', async () => {
    const w = await createW(widget('w1'));
    const again = (await custom.patchNamespacedCustomObject({ ...W, name: 'w1', body: { spec: { dimensions: 3 } } }, MERGE)) as Widget;
    expect(again.metadata.resourceVersion).to.equal(w.metadata.resourceVersion);
    expect(server.resourceVersion()).to.equal(Number(w.metadata.resourceVersion));
  });

  it('feeds makeInformer add, update and delete events', async () => {
    const path = '/apis/example.com/v1/namespaces/default/widgets';
    const informer = makeInformer(kc, path, () => custom.listNamespacedCustomObject(W) as never);
    const seen: string[] = [];
    informer.on('add', (o: KubernetesObject) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o: KubernetesObject) => seen.push(`update ${o.metadata?.name}`));
    informer.on('delete', (o: KubernetesObject) => seen.push(`delete ${o.metadata?.name}`));
    await createW(widget('before'));
    await informer.start();
    try {
      await createW(widget('w1'));
      await custom.patchNamespacedCustomObject({ ...W, name: 'w1', body: { spec: { color: 'red' } } }, MERGE);
      await custom.deleteNamespacedCustomObject({ ...W, name: 'w1' });
      await eventually(() => seen.includes('delete w1'), 'delete event');
      expect(seen).to.deep.equal(['add before', 'add w1', 'update w1', 'delete w1']);
    } finally {
      await informer.stop();
    }
  });

  it('lets an informer relist after compaction (410) and resume after dropped watches', async () => {
    let lists = 0;
    const informer = makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => { lists++; return core.listNamespacedConfigMap({ namespace: 'default' }) as never; });
    const names = new Set<string>();
    informer.on('add', (o: KubernetesObject) => names.add(o.metadata?.name ?? ''));
    informer.on('delete', (o: KubernetesObject) => names.delete(o.metadata?.name ?? ''));
    informer.on('error', () => { setTimeout(() => { void informer.start(); }, 50); });
    await informer.start();
    try {
      await eventually(() => server.openWatchCount() === 1, 'watch open');
      expect(server.dropWatches()).to.equal(1);
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'after-drop' } } });
      await eventually(() => names.has('after-drop'), 'event after reconnect');
      expect(lists, 'a clean drop re-watches without relisting').to.equal(1);

      await eventually(() => server.openWatchCount() === 1, 'watch reopened');
      server.compact();
      expect(server.expireWatches()).to.equal(1);
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'after-410' } } });
      await eventually(() => names.has('after-410') && lists >= 2, 'relist after 410');

      await eventually(() => server.openWatchCount() === 1, 'watch reopened after relist');
      server.failNext(1, { verb: 'watch', resource: 'configmaps' }, 410);
      server.dropWatches({ abrupt: true });
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'after-drop' });
      await eventually(() => !names.has('after-drop'), 'delete seen after HTTP 410 + relist');
    } finally {
      await informer.stop();
    }
  });

  it('applies server-side with field managers, conflicts and force', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const desired = widget('w1', { dimensions: 3, color: 'red', replicas: 2 });
    const created = await objects.patch(desired as KubernetesObject, undefined, undefined, 'operator', false, PatchStrategy.ServerSideApply);
    expect((created as Widget).spec?.color).to.equal('red');
    const other = { ...widget('w1', { color: 'blue' }) };
    const c = await expectStatus(custom.patchNamespacedCustomObject({ ...W, name: 'w1', body: other, fieldManager: 'human' }, APPLY), 409);
    expect(c.message).to.match(/conflict with "operator".*\.spec\.color/);
    await custom.patchNamespacedCustomObject({ ...W, name: 'w1', body: other, fieldManager: 'human', force: true }, APPLY);
    const after = await getW('w1');
    expect(after.spec?.color).to.equal('blue');
    const managers = (after.metadata.managedFields as { manager: string; fieldsV1: { 'f:spec': Record<string, unknown> } }[]);
    expect(managers.find((m) => m.manager === 'operator')?.fieldsV1['f:spec']).to.not.have.property('f:color');
    // The operator drops replicas from its apply: nobody else owns it, so it is removed (then defaulted).
    await objects.patch(widget('w1', { dimensions: 3 }) as KubernetesObject, undefined, undefined, 'operator', false, PatchStrategy.ServerSideApply);
    expect((await getW('w1')).spec).to.deep.equal({ dimensions: 3, color: 'blue', replicas: 1 });
    await expectStatus(custom.patchNamespacedCustomObject({ ...W, name: 'w1', body: other }, APPLY), 400);
  });

  it('separates status from spec and bumps generation only on spec changes', async () => {
    const w = await createW({ ...widget('w1'), status: { phase: 'ignored' } });
    expect(w.status, 'status is dropped on create').to.equal(undefined);
    expect(w.metadata.generation).to.equal(1);
    const st = (await custom.patchNamespacedCustomObjectStatus({ ...W, name: 'w1', body: { status: { phase: 'Ready' }, spec: { color: 'red' } } }, MERGE)) as Widget;
    expect(st.status?.phase).to.equal('Ready');
    expect(st.spec?.color, 'status writes ignore spec').to.equal(undefined);
    expect(st.metadata.generation).to.equal(1);
    const sp = (await custom.patchNamespacedCustomObject({ ...W, name: 'w1', body: { status: { phase: 'Hacked' }, spec: { color: 'red' } } }, MERGE)) as Widget;
    expect(sp.status?.phase, 'main endpoint keeps status').to.equal('Ready');
    expect(sp.metadata.generation).to.equal(2);
    const meta = (await custom.patchNamespacedCustomObject({ ...W, name: 'w1', body: { metadata: { labels: { a: 'b' } } } }, MERGE)) as Widget;
    expect(meta.metadata.generation, 'metadata changes do not bump').to.equal(2);
    const apps = kc.makeApiClient(AppsV1Api);
    const sts = await apps.createNamespacedStatefulSet({ namespace: 'default', body: statefulSet('db') });
    const scaled = await apps.patchNamespacedStatefulSetScale({ namespace: 'default', name: 'db', body: { spec: { replicas: 4 } } }, MERGE);
    expect(scaled.spec?.replicas).to.equal(4);
    expect((await apps.readNamespacedStatefulSet({ namespace: 'default', name: 'db' })).metadata?.generation).to.equal((sts.metadata?.generation ?? 0) + 1);
  });

  it('keeps objects with finalizers until the finalizers are removed', async () => {
    await createW({ ...widget('w1'), metadata: { name: 'w1', finalizers: ['example.com/cleanup'] } });
    await custom.deleteNamespacedCustomObject({ ...W, name: 'w1' });
    const deleting = await getW('w1');
    expect(deleting.metadata.deletionTimestamp).to.be.a('string');
    expect(deleting.metadata.generation, 'deletionTimestamp bumps generation').to.equal(2);
    const add = await expectStatus(custom.patchNamespacedCustomObject({ ...W, name: 'w1', body: { metadata: { finalizers: ['example.com/cleanup', 'x/y'] } } }, MERGE), 422);
    expect(add.message).to.contain('no new finalizers can be added');
    await custom.patchNamespacedCustomObject({ ...W, name: 'w1', body: { metadata: { finalizers: null } } }, MERGE);
    await expectStatus(getW('w1'), 404);
  });

  it('garbage-collects dependents by ownerReference (background, foreground, orphan)', async () => {
    const owner = await createW(widget('owner'));
    const ref = { apiVersion: 'example.com/v1', kind: 'Widget', name: 'owner', uid: owner.metadata.uid as string, controller: true, blockOwnerDeletion: true };
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'dep', ownerReferences: [ref] } } });
    await custom.deleteNamespacedCustomObject({ ...W, name: 'owner' });
    await eventually(() => !server.get('configmaps', 'dep'), 'background GC of dependent');

    const fg = await createW(widget('fg'));
    const fgRef = { ...ref, name: 'fg', uid: fg.metadata.uid as string };
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'fg-dep', ownerReferences: [fgRef], finalizers: ['hold'] } } });
    await custom.deleteNamespacedCustomObject({ ...W, name: 'fg', propagationPolicy: 'Foreground' });
    await eventually(() => server.get('configmaps', 'fg-dep')?.metadata.deletionTimestamp, 'dependent marked for deletion');
    expect(server.get('widgets', 'fg')?.metadata.finalizers, 'owner waits for blocking dependents').to.include('foregroundDeletion');
    await core.patchNamespacedConfigMap({ namespace: 'default', name: 'fg-dep', body: { metadata: { finalizers: null } } }, MERGE);
    await eventually(() => !server.get('widgets', 'fg'), 'owner gone after dependents');

    const or = await createW(widget('or'));
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'or-dep', ownerReferences: [{ ...ref, name: 'or', uid: or.metadata.uid as string }] } } });
    await custom.deleteNamespacedCustomObject({ ...W, name: 'or', propagationPolicy: 'Orphan' });
    await eventually(() => !server.get('widgets', 'or'), 'orphaning owner gone');
    expect(server.get('configmaps', 'or-dep')?.metadata.ownerReferences).to.equal(undefined);
  });

  it('deletes the contents of a deleted namespace', async () => {
    await core.createNamespace({ body: { metadata: { name: 'tmp' } } });
    await core.createNamespacedSecret({ namespace: 'tmp', body: { metadata: { name: 's' }, stringData: { a: 'b' } } });
    expect(server.get('secrets', 's', 'tmp')?.data).to.deep.equal({ a: Buffer.from('b').toString('base64') });
    await core.deleteNamespace({ name: 'tmp' });
    await eventually(() => !server.get('namespaces', 'tmp'), 'namespace finalized');
    expect(server.list('secrets', { namespace: 'tmp' })).to.have.length(0);
    await expectStatus(core.deleteNamespace({ name: 'default' }), 403);
  });

  it('rejects invalid custom resources with messages naming the field', async () => {
    const bad = await expectStatus(createW(widget('bad', { dimensions: 'three', color: 'pink', replicas: 12 })), 422);
    expect(bad.reason).to.equal('Invalid');
    const fields = bad.details?.causes?.map((c) => c.field);
    expect(fields).to.include.members(['spec.dimensions', 'spec.color', 'spec.replicas']);
    expect(bad.message).to.contain('spec.dimensions in body must be of type integer');
    expect(bad.message).to.contain('Unsupported value: "pink"');
    const missing = await expectStatus(createW(widget('bad', { color: 'red' })), 422);
    expect(missing.message).to.contain('spec.dimensions: Required value');
    const ok = await createW(widget('ok', { dimensions: 3, port: 'http', extra: { anything: { goes: 1 } }, unknown: 1 }));
    expect(ok.spec).to.not.have.property('unknown');
    expect(ok.spec?.extra).to.deep.equal({ anything: { goes: 1 } });
  });

  it('enforces CEL transition rules with their message', async () => {
    await createW(widget('w1', { dimensions: 3, clusterRef: 'a' }));
    const dims = await expectStatus(custom.patchNamespacedCustomObject({ ...W, name: 'w1', body: { spec: { dimensions: 4 } } }, MERGE), 422);
    expect(dims.message).to.contain('dimensions is immutable');
    expect(dims.details?.causes?.[0].field).to.equal('spec');
    const ref = await expectStatus(custom.patchNamespacedCustomObject({ ...W, name: 'w1', body: { spec: { clusterRef: 'b' } } }, MERGE), 422);
    expect(ref.message).to.contain('spec.clusterRef: Invalid value: "string": clusterRef is immutable');
    const fine = (await custom.patchNamespacedCustomObject({ ...W, name: 'w1', body: { spec: { color: 'blue' } } }, MERGE)) as Widget;
    expect(fine.spec?.color).to.equal('blue');
  });

  it('rejects StatefulSet spec changes outside the mutable fields and Service clusterIP changes', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedStatefulSet({ namespace: 'default', body: statefulSet('db') });
    const bad = await expectStatus(apps.patchNamespacedStatefulSet({ namespace: 'default', name: 'db', body: { spec: { serviceName: 'other' } } }, MERGE), 422);
    expect(bad.message).to.contain("updates to statefulset spec for fields other than 'replicas'");
    await apps.patchNamespacedStatefulSet({ namespace: 'default', name: 'db', body: { spec: { replicas: 2 } } }, MERGE);
    const svc = await core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } } });
    expect(svc.spec?.clusterIP).to.match(/^10\.96\./);
    await expectStatus(core.patchNamespacedService({ namespace: 'default', name: 's', body: { spec: { clusterIP: '10.96.9.9' } } }, MERGE), 422);
  });

  it('injects faults for matching requests only', async () => {
    server.failNext(1, { verb: 'create', resource: 'configmaps' }, 429, { retryAfterSeconds: 2 });
    const s = await expectStatus(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'x' } } }), 429);
    expect(s.reason).to.equal('TooManyRequests');
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'x' } } });
    server.failNext(2, { verb: 'get', resource: 'widgets' }, 500);
    await createW(widget('w1'));
    await expectStatus(getW('w1'), 500);
    await expectStatus(getW('w1'), 500);
    expect((await getW('w1')).metadata.name).to.equal('w1');
    const seen = server.waitFor('widgets', (o) => (o.status as { phase?: string } | undefined)?.phase === 'Ready', { name: 'w1' });
    await custom.patchNamespacedCustomObjectStatus({ ...W, name: 'w1', body: { status: { phase: 'Ready' } } }, MERGE);
    expect(((await seen).status as { phase?: string }).phase).to.equal('Ready');
  });
});

describe('local apiserver persistence', function () {
  this.timeout(20000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'shoal-apisrv-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every object and continues resourceVersions across a restart', async () => {
    const first = await startServer({ dataDir: dir });
    const custom = first.kc.makeApiClient(CustomObjectsApi);
    first.server.create(WIDGET_CRD as never);
    await custom.createNamespacedCustomObject({ ...W, body: widget('w1') });
    await first.kc.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 's' }, data: { a: 'Yg==' } } });
    const rvBefore = first.server.resourceVersion();
    await first.server.close();

    const second = await startServer({ dataDir: dir });
    try {
      const custom2 = second.kc.makeApiClient(CustomObjectsApi);
      const w = (await custom2.getNamespacedCustomObject({ ...W, name: 'w1' })) as Widget;
      expect(w.spec?.dimensions).to.equal(3);
      expect(second.server.get('secrets', 's')?.data).to.deep.equal({ a: 'Yg==' });
      const next = (await custom2.createNamespacedCustomObject({ ...W, body: widget('w2') })) as Widget;
      expect(Number(next.metadata.resourceVersion)).to.be.greaterThan(rvBefore);
    } finally {
      await second.server.close();
    }
  });
});

function statefulSet(name: string): never {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name },
    spec: {
      serviceName: name, replicas: 1, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  } as never;
}
