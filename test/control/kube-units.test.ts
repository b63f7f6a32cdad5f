// Unit tests of the kube control source's pure parts and its report writer (no API server):
// configuration from the environment, resource names, views of VectorClass objects, and the
// report writer's pacing (interval, immediate on dropped shards, retry after failures).
import { expect } from 'chai';
import { createShardingState } from '../../api/index.js';
import { loadKubeControlConfig, resourceNameOf, PodReportWriter, type LocalShardReport } from '../../node/src/control/kube/index.js';
import { contentOf, viewOf, fingerprintOf, type VectorClassObject } from '../../node/src/control/kube/classes.js';
import { testLog, until, seeded } from './kube-env.js';

describe('kube control source: configuration', () => {
  const noSa = { serviceAccountNamespace: () => undefined };

  it('reads the operator\'s environment', () => {
    const c = loadKubeControlConfig({
      SHOAL_CLUSTER: 'quickstart', SHOAL_NAMESPACE: 'shoal', SHOAL_NODE_NAME: 'quickstart-1', SHOAL_KUBECONFIG: '/tmp/kc',
      SHOAL_ALLOW_SCHEMA_CHANGES: 'true', SHOAL_SCHEMA_TIMEOUT_MS: '5000', SHOAL_REPORT_INTERVAL_MS: '1000',
    }, noSa);
    expect(c).to.deep.equal({
      cluster: 'quickstart', namespace: 'shoal', nodeName: 'quickstart-1', kubeconfigPath: '/tmp/kc',
      allowSchemaChanges: true, schemaTimeoutMs: 5000, reportIntervalMs: 1000,
    });
  });

  it('has safe defaults: schema changes off, 30 s and 5 s, namespace from the service account', () => {
    const c = loadKubeControlConfig({ SHOAL_CLUSTER: 'q' }, { nodeName: 'q-0', serviceAccountNamespace: () => 'from-sa' });
    expect(c).to.deep.include({ namespace: 'from-sa', nodeName: 'q-0', allowSchemaChanges: false, schemaTimeoutMs: 30_000, reportIntervalMs: 5000, kubeconfigPath: undefined });
    expect(loadKubeControlConfig({ SHOAL_CLUSTER: 'q' }, noSa).namespace).to.equal('default');
  });

  it('names the variable, the expectation and the value when one is wrong', () => {
    expect(() => loadKubeControlConfig({}, noSa)).to.throw(/SHOAL_CLUSTER is required with SHOAL_CONTROL=kube/);
    expect(() => loadKubeControlConfig({ SHOAL_CLUSTER: 'Bad_Name' }, noSa)).to.throw(/SHOAL_CLUSTER must be a VectorCluster name.*"Bad_Name"/);
    expect(() => loadKubeControlConfig({ SHOAL_CLUSTER: 'q', SHOAL_ALLOW_SCHEMA_CHANGES: 'yes' }, noSa)).to.throw(/SHOAL_ALLOW_SCHEMA_CHANGES must be true or false, got "yes"/);
    expect(() => loadKubeControlConfig({ SHOAL_CLUSTER: 'q', SHOAL_SCHEMA_TIMEOUT_MS: '5s' }, noSa)).to.throw(/SHOAL_SCHEMA_TIMEOUT_MS must be a number of milliseconds/);
    expect(() => loadKubeControlConfig({ SHOAL_CLUSTER: 'q', SHOAL_NAMESPACE: 'No' }, noSa)).to.throw(/SHOAL_NAMESPACE must be a namespace name/);
  });
});

describe('kube control source: names and views', () => {
  it('derives DNS-1123 resource names from class names', () => {
    expect(resourceNameOf('Article')).to.equal('article');
    expect(resourceNameOf('My_Class_2')).to.equal('my-class-2');
    expect(resourceNameOf('Trailing__')).to.equal('trailing');
    expect(resourceNameOf('A' + 'b'.repeat(300))).to.have.length(253);
  });

  const obj = (name: string, created: string, extra: Partial<VectorClassObject> = {}): VectorClassObject => ({
    metadata: { name, uid: `uid-${name}`, generation: 1, creationTimestamp: created as unknown as Date },
    spec: { clusterRef: { name: 'vc' }, class: { class: 'Article' } },
    ...extra,
  });
  const sharding = createShardingState({ desiredCount: 2, virtualPerPhysical: 4, replicationFactor: 1 }, [{ name: 'vc-0' }], seeded(1));

  it('a placed resource beats an older unplaced namesake; deleting ones route nowhere', () => {
    const older = obj('a', '2030-01-01T00:00:00Z');
    const placed = obj('b', '2030-01-02T00:00:00Z', { status: { sharding } });
    const c = contentOf([viewOf(older), viewOf(placed)]);
    expect([...c.classes.keys()]).to.deep.equal(['Article']);
    expect(c.owners.get('Article')!.resource).to.equal('b');
    expect(c.pending.size).to.equal(0);
    const gone = contentOf([viewOf({ ...placed, metadata: { ...placed.metadata, deletionTimestamp: '2030-01-03T00:00:00Z' } as never })]);
    expect(gone.classes.size + gone.pending.size).to.equal(0);
    expect(gone.deleting.get('Article')!.map((v) => v.resource)).to.deep.equal(['b']);
  });

  it('unparseable specs and sharding states stay pending with a reason; status counts do not change the fingerprint', () => {
    const bad = viewOf(obj('x', 't', { spec: { clusterRef: { name: 'vc' }, class: { class: 'Article', vectorizer: 'text2vec' } } }));
    expect(bad.kind).to.equal('pending');
    expect(bad.kind === 'pending' && bad.pending.reason).to.match(/invalid spec\.class.*vectorizer/);
    const corrupt = viewOf(obj('y', 't', { status: { sharding: { format: 99 } } }));
    expect(corrupt.kind === 'pending' && corrupt.pending.reason).to.match(/status\.sharding of VectorClass \/y does not parse/);
    const placed = obj('z', 't', { status: { sharding } });
    const counted = obj('z', 't', { status: { sharding, objects: 5 } as never });
    expect(fingerprintOf(placed)).to.equal(fingerprintOf(counted));
    expect(fingerprintOf(placed)).to.not.equal(fingerprintOf({ ...placed, metadata: { ...placed.metadata, generation: 2 } }));
  });
});

describe('kube control source: pod report writer', () => {
  function writer(intervalMs: number, failFirst = 0) {
    const shards = new Map<string, LocalShardReport>([['s1', { className: 'A', shardName: 's1', ready: true, objects: 1 }], ['s2', { className: 'A', shardName: 's2', ready: false }]]);
    const written: Array<Record<string, string>> = [];
    let failures = failFirst;
    const w = new PodReportWriter({
      patch: async (a) => {
        if (failures-- > 0) throw Object.assign(new Error('boom'), { code: 500 });
        written.push(a);
      },
      shards: () => shards.values(), members: () => ['p-1', 'p-0', 'p-1'], intervalMs, checkIntervalMs: 10,
      retryBackoff: { baseMs: 20, maxMs: 40 }, log: testLog('report'),
    });
    const last = () => JSON.parse(written.at(-1)!['shoal.dev/report']);
    return { w, shards, written, last };
  }

  it('writes at once, then only on change and at most every interval; a dropped shard at once', async () => {
    const { w, shards, written, last } = writer(60_000);
    w.start();
    try {
      await until('first report', () => written.length === 1);
      expect(last()).to.deep.include({ members: ['p-0', 'p-1'], shards: { s1: { class: 'A', ready: true, objects: 1 }, s2: { class: 'A', ready: false } } });
      expect(Date.parse(last().updatedAt)).to.be.closeTo(Date.now(), 5000);
      shards.get('s1')!.objects = 2; // a change inside the interval: held back
      await new Promise((r) => setTimeout(r, 100)); // several check periods
      expect(written).to.have.length(1);
      shards.delete('s2'); // a dropped shard is written at once, with the pending count change
      await until('report without s2', () => written.length === 2);
      expect(last().shards).to.deep.equal({ s1: { class: 'A', ready: true, objects: 2 } });
      shards.get('s1')!.ready = false;
      await w.flush(); // flush ignores the interval
      expect(written).to.have.length(3);
      await w.flush(); // nothing changed: no write
      expect(written).to.have.length(3);
    } finally {
      await w.stop();
    }
  });

  it('retries failed writes with backoff until one succeeds', async () => {
    const { w, written, last } = writer(10, 3);
    w.start();
    try {
      await until('report after 3 failures', () => written.length === 1, 5000);
      expect(Object.keys(last().shards)).to.deep.equal(['s1', 's2']);
      expect(w.writes).to.equal(1);
    } finally {
      await w.stop();
    }
  });
});
