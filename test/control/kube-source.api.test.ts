// API tests of the Kubernetes control source (node/src/control/kube) against the embedded API
// server, with the test playing the operator (placing, rejecting, releasing finalizers) so each
// step of the contract is visible. kube-operator.api.test.ts runs the real operator instead.
import { expect } from 'chai';
import { parseClass, parseProperty, CLASS_FINALIZER } from '../../api/index.js';
import { isShoalError, ShoalError } from '../../node/src/coordinator/errors.js';
import { routableClass } from '../../node/src/control/routable.js';
import type { ControlSnapshot } from '../../node/src/control/types.js';
import { FORBIDDEN_KIND, KubeControl } from '../../node/src/control/kube/index.js';
import { KubeTestEnv, article, podName, until, testLog, NS, MERGE } from './kube-env.js';

async function rejection(p: Promise<unknown>): Promise<ShoalError> {
  try {
    await p;
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(ShoalError);
    return e as ShoalError;
  }
  throw new Error('expected a rejection');
}

describe('kube control source (API tests, test plays the operator)', function () {
  this.timeout(60_000);
  let env: KubeTestEnv;

  beforeEach(async () => {
    env = await KubeTestEnv.start();
  });
  afterEach(async () => {
    await env.close();
  });

  it('syncs placed classes at start, ignores other clusters, and holds only its own replicas', async () => {
    env.applyClass('article', article());
    env.applyClass('other', article('Other'), { cluster: 'elsewhere' });
    await env.place('article');
    await env.place('other');
    const pod = await env.pod({ nodeName: podName(1) });
    const snap = pod.control.snapshot();
    expect([...snap.classes.keys()]).to.deep.equal(['Article']);
    expect(snap.pending?.size ?? 0).to.equal(0);
    const cls = snap.classes.get('Article')!;
    expect(cls.definition.properties.map((p) => p.name)).to.deep.equal(['title']);
    const expected = cls.sharding.physical.filter((p) => p.replicas.includes(podName(1))).map((p) => p.name);
    expect(expected.length).to.be.greaterThan(0);
    expect(pod.control.localShards(cls)).to.deep.equal(expected);
    expect([...pod.shards.values()].map((s) => s.shardName).sort()).to.deep.equal([...expected].sort());
  });

  it('a class becomes routable only once placed; until then it is pending with a 503 that says why', async () => {
    const pod = await env.pod();
    env.applyClass('article', article());
    const pendingSnap = await until('Article pending', () => pod.control.snapshot().pending?.get('Article') && pod.control.snapshot());
    expect(pendingSnap.classes.has('Article')).to.equal(false);
    const err = (() => {
      try {
        routableClass(pendingSnap, 'Article');
        return undefined;
      } catch (e) {
        return e as ShoalError;
      }
    })();
    expect(err?.kind).to.equal('unavailable');
    expect(err?.message).to.match(/Article.*not placed yet/);
    expect(routableClass.bind(null, pendingSnap, 'Nope')).to.throw(/does not exist/);
    const before = pendingSnap.version;
    await env.place('article');
    const placed = await until('Article placed', () => pod.control.snapshot().classes.get('Article') && pod.control.snapshot());
    expect(placed.version).to.be.greaterThan(before);
    expect(placed.pending?.has('Article')).to.equal(false);
    expect(routableClass(placed, 'Article').sharding.physical).to.have.length(3);
  });

  it('status-only updates (counts, readiness) publish no new snapshot', async () => {
    env.applyClass('article', article());
    await env.place('article');
    const pod = await env.pod();
    const version = pod.control.snapshot().version;
    const state = pod.control.snapshot().classes.get('Article');
    await env.patchStatus('article', { objects: 42, readyShards: 3 });
    env.applyClass('marker', article('Marker')); // a later event, to know the first was processed
    await until('Marker pending', () => pod.control.snapshot().pending?.has('Marker'));
    expect(pod.control.snapshot().classes.get('Article')).to.equal(state);
    expect(pod.control.snapshot().version).to.equal(version + 1); // only Marker's appearance
    expect(pod.versions).to.deep.equal([version + 1]);
  });

  it('runs listeners one at a time, in version order, and keeps snapshots immutable', async () => {
    const pod = await env.pod();
    const seen: Array<{ version: number; previous: number; classes: number }> = [];
    let running = 0;
    let overlapped = false;
    const kept: ControlSnapshot[] = [];
    pod.control.subscribe(async (next, previous) => {
      overlapped ||= running > 0;
      running++;
      kept.push(next);
      await new Promise((r) => setTimeout(r, 30)); // a slow listener (opening shards)
      seen.push({ version: next.version, previous: previous.version, classes: next.classes.size });
      running--;
    });
    for (const n of ['A1', 'A2', 'A3']) {
      env.applyClass(n.toLowerCase(), article(n));
      await env.place(n.toLowerCase());
    }
    await until('3 classes seen by the listener', () => seen.at(-1)?.classes === 3);
    expect(overlapped).to.equal(false);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i].version).to.be.greaterThan(seen[i - 1].version);
      expect(seen[i].previous).to.equal(seen[i - 1].version);
    }
    expect(kept[0].classes.size).to.be.lessThan(3); // an older snapshot did not change later
  });

  it('survives dropped watches, injected 500s and a 410 relist', async () => {
    const pod = await env.pod();
    // Sockets reset: the informer errors and must restart itself.
    env.srv.dropWatches({ abrupt: true });
    env.applyClass('one', article('One'));
    await env.place('one');
    await until('One after an abrupt drop', () => pod.control.snapshot().classes.has('One'));
    const afterDrop = pod.control.health().watchRestarts;
    expect(afterDrop).to.be.greaterThan(0);
    // The re-watches fail with 500 twice: backoff, then recovery from the same resourceVersion.
    env.srv.failNext(2, { verb: 'watch', resource: 'vectorclasses' }, 500);
    env.srv.dropWatches();
    env.applyClass('two', article('Two'));
    await env.place('two');
    await until('Two after injected 500s', () => pod.control.snapshot().classes.has('Two'));
    expect(pod.control.health().watchRestarts).to.be.greaterThanOrEqual(afterDrop + 2);
    // While the next watch is held back, One is deleted, Three created and the log compacted:
    // the watch from the old resourceVersion gets 410, the informer relists, and the relist
    // alone must show that One is gone.
    env.srv.delayNext(1, { verb: 'watch', resource: 'vectorclasses' }, 800);
    env.srv.dropWatches();
    env.srv.delete('vectorclasses', 'one', NS);
    await env.releaseFinalizer('one');
    env.applyClass('three', article('Three'));
    await env.place('three');
    env.srv.compact();
    await until('relisted: One gone, Three there', () => !pod.control.snapshot().classes.has('One') && pod.control.snapshot().classes.has('Three'));
    expect([...pod.control.snapshot().classes.keys()]).to.deep.equal(['Three', 'Two']);
    expect(pod.shards.size).to.equal([...pod.control.snapshot().classes.values()].reduce((n, c) => n + pod.control.localShards(c).length, 0));
  });

  it('start fails clearly when VectorClasses cannot be listed', async () => {
    env.srv.failNext(1000, { verb: 'list', resource: 'vectorclasses' }, 403, { message: 'vectorclasses.shoal.dev is forbidden' });
    const control = new KubeControl(env.config(), { log: testLog('control'), startTimeoutMs: 500, informerBackoff: { baseMs: 20, maxMs: 50 } });
    const started = Date.now();
    const err = await control.start().then(() => undefined, (e: Error) => e);
    expect(err?.message).to.match(/could not list VectorClasses in namespace default within 500 ms \(last error: 403 vectorclasses\.shoal\.dev is forbidden\).*Role allows get, list and watch/);
    expect(Date.now() - started).to.be.lessThan(3000);
    await control.close();
  });

  it('createClass resolves once the operator placed the class and the listeners ran', async () => {
    const pod = await env.pod();
    let slowListenerDone = false;
    pod.control.subscribe(async (next) => {
      if (!next.classes.has('My_Class')) return;
      await new Promise((r) => setTimeout(r, 200)); // opening shards takes a while
      slowListenerDone = true;
    });
    const placing = (async () => {
      await until('the VectorClass, pending on the pod', () => env.getClass('my-class') && pod.control.snapshot().pending?.has('My_Class'));
      await env.place('my-class');
    })();
    const state = await pod.control.createClass(parseClass(article('My_Class')));
    await placing;
    expect(state.sharding.physical).to.have.length(3);
    expect(pod.control.snapshot().classes.get('My_Class')).to.equal(state);
    expect(slowListenerDone).to.equal(true);
    expect(pod.versions.at(-1)).to.equal(pod.control.snapshot().version);
    const obj = env.getClass('my-class');
    expect(obj.spec.clusterRef.name).to.equal('vc');
    expect(obj.spec.class.class).to.equal('My_Class');
    expect(obj.metadata.labels['shoal.dev/cluster']).to.equal('vc');
    // Creating it again, in any case, is a conflict.
    const again = await rejection(pod.control.createClass(parseClass(article('MY_class'))));
    expect(again.kind).to.equal('conflict');
    expect(again.message).to.match(/already exists \(as "My_Class"\)/);
  });

  it('createClass rejects with the operator\'s reason on Invalid, and deletes the resource again', async () => {
    const pod = await env.pod();
    const rejecting = env.rejectClass('huge', 'ReplicationFactorTooHigh', 'spec.class.replicationConfig.factor is 9 but VectorCluster "vc" has 3 pods');
    const err = await rejection(pod.control.createClass(parseClass(article('Huge', { replicationConfig: { factor: 9 } }))));
    await rejecting;
    expect(err.kind).to.equal('invalid');
    expect(err.message).to.contain('factor is 9 but VectorCluster "vc" has 3 pods').and.contain('ReplicationFactorTooHigh');
    await until('the rejected VectorClass deleted', () => {
      const o = env.getClass('huge');
      return !o || !!o.metadata.deletionTimestamp;
    });
  });

  it('createClass times out clearly when nobody places the class, and a name clash is a conflict', async () => {
    const pod = await env.pod({ schemaTimeoutMs: 700 });
    const started = Date.now();
    const err = await rejection(pod.control.createClass(parseClass(article('Lonely'))));
    expect(err.kind).to.equal('timeout');
    expect(err.message).to.match(/VectorClass default\/lonely was created, but the operator did not place class "Lonely" within 700 ms/);
    expect(Date.now() - started).to.be.lessThan(5000);
    expect(pod.control.snapshot().pending?.has('Lonely')).to.equal(true);
    // Another class whose resource name would be `lonely` too: refused, the resource untouched.
    env.applyClass('a-b', article('Zed'));
    const clash = await rejection(pod.control.createClass(parseClass(article('A_b'))));
    expect(clash.kind).to.equal('conflict');
    expect(clash.message).to.match(/resource name "a-b" is taken by VectorClass default\/a-b \(class "Zed"/);
    expect(env.getClass('a-b').spec.class.class).to.equal('Zed');
  });

  it('deleteClass drops local shards at the deletionTimestamp and resolves once the finalizer is released', async () => {
    env.applyClass('article', article());
    await env.place('article');
    const pod = await env.pod();
    const shards = pod.shards.size;
    expect(shards).to.be.greaterThan(0);
    let resolved = false;
    const deleting = pod.control.deleteClass('Article').then((r) => ((resolved = true), r));
    await until('deletionTimestamp set', () => env.getClass('article')?.metadata.deletionTimestamp);
    await until('class gone from the snapshot and its shards dropped', () => !pod.control.snapshot().classes.has('Article') && pod.shards.size === 0);
    expect(resolved).to.equal(false); // the finalizer still holds the resource
    expect(env.getClass('article').metadata.finalizers).to.deep.equal([CLASS_FINALIZER]);
    await env.releaseFinalizer('article');
    expect(await deleting).to.equal(true);
    expect(env.getClass('article')).to.equal(undefined);
    expect(await pod.control.deleteClass('Article')).to.equal(false);
  });

  it('deleteClass times out clearly while the finalizer is held', async () => {
    env.applyClass('article', article());
    await env.place('article');
    const pod = await env.pod({ schemaTimeoutMs: 600 });
    const err = await rejection(pod.control.deleteClass('Article'));
    expect(err.kind).to.equal('timeout');
    expect(err.message).to.match(/VectorClass default\/article still exists after 600 ms: the operator removes its finalizer shoal\.dev\/class-data once no pod reports/);
    // Meanwhile it cannot be created again.
    const again = await rejection(pod.control.createClass(parseClass(article())));
    expect(again.kind).to.equal('conflict');
    expect(again.message).to.match(/being deleted/);
  });

  it('addProperty retries after 409 conflicts and keeps concurrent additions', async () => {
    env.applyClass('article', article());
    await env.place('article');
    const a = await env.pod({ nodeName: podName(0) });
    const b = await env.pod({ nodeName: podName(1) });
    // One injected 409, and two pods adding different properties at the same time.
    env.srv.failNext(1, { verb: 'patch', resource: 'vectorclasses' }, 409, { message: 'the object has been modified' });
    const [sa, sb] = await Promise.all([
      a.control.addProperty('Article', parseProperty({ name: 'body', dataType: ['text'] })),
      b.control.addProperty('Article', parseProperty({ name: 'wordCount', dataType: ['int'] })),
    ]);
    expect(sa.definition.properties.map((p) => p.name)).to.include('body');
    expect(sb.definition.properties.map((p) => p.name)).to.include('wordCount');
    const stored = env.getClass('article').spec.class.properties.map((p: { name: string }) => p.name);
    expect(stored).to.have.members(['title', 'body', 'wordCount']);
    await until('both pods see three properties', () => [a, b].every((p) => p.control.snapshot().classes.get('Article')!.definition.properties.length === 3));
    const clash = await rejection(a.control.addProperty('Article', parseProperty({ name: 'BODY', dataType: ['text'] })));
    expect(clash.kind).to.equal('conflict');
    const missing = await rejection(a.control.addProperty('Nope', parseProperty({ name: 'x', dataType: ['text'] })));
    expect(missing.kind).to.equal('not-found');
  });

  it('fixDimensions: of two racing pods one wins, both get its value', async () => {
    env.applyClass('article', article());
    await env.place('article');
    const a = await env.pod({ nodeName: podName(0) });
    const b = await env.pod({ nodeName: podName(1) });
    const [da, db] = await Promise.all([a.control.fixDimensions('Article', 3), b.control.fixDimensions('Article', 5)]);
    expect(da).to.equal(db);
    expect([3, 5]).to.include(da);
    expect(env.getClass('article').spec.class.vectorIndexConfig.dimensions).to.equal(da);
    for (const p of [a, b]) expect(p.control.snapshot().classes.get('Article')!.definition.vectorIndexConfig.dimensions).to.equal(da);
    // Later calls answer from the snapshot: no write, the value stays.
    expect(await a.control.fixDimensions('Article', 9)).to.equal(da);
    // The CRD refuses to change it afterwards (CEL), whoever tries.
    const changed = await env.custom.patchNamespacedCustomObject({ group: 'shoal.dev', version: 'v1alpha1', namespace: NS, plural: 'vectorclasses', name: 'article', body: { spec: { class: { vectorIndexConfig: { dimensions: 11 } } } } }, MERGE).then(() => 'accepted', (e) => String(e.code));
    expect(changed).to.equal('422');
  });

  it('SHOAL_ALLOW_SCHEMA_CHANGES=false rejects create, delete and addProperty but still fixes dimensions', async () => {
    env.applyClass('article', article());
    await env.place('article');
    const pod = await env.pod({ allowSchemaChanges: false });
    const errors = [
      await rejection(pod.control.createClass(parseClass(article('New')))),
      await rejection(pod.control.deleteClass('Article')),
      await rejection(pod.control.addProperty('Article', parseProperty({ name: 'x', dataType: ['text'] }))),
    ];
    for (const e of errors) {
      expect(e.kind).to.equal(FORBIDDEN_KIND);
      expect(e.message).to.match(/schema changes through this API are disabled for VectorCluster "vc".*kubectl/);
    }
    expect(env.getClass('new')).to.equal(undefined);
    expect(env.getClass('article').metadata.deletionTimestamp).to.equal(undefined);
    expect(await pod.control.fixDimensions('Article', 4)).to.equal(4);
    expect(isShoalError(errors[0])).to.equal(true);
  });
});
