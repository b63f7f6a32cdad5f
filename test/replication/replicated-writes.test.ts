// Writes and reads through the distributed coordinator, three pods in one process: every replica
// gets every write, levels are counted against the replication factor, failures name the shard
// and every replica, hints bring a returning replica up to date, reads fail over and repair.
import { expect } from 'chai';
import { physicalShardOf } from '../../api/index.js';
import type { LiveObject } from '../../node/src/objects/types.js';
import type { ObjectWrite, RequestOptions } from '../../node/src/coordinator/types.js';
import { registry as metrics } from '../../node/src/metrics/registry.js';
import { waitFor } from '../support/wait.js';
import { CLASS, randomVector, rng, uuid } from '../shards/helpers.js';
import { TestCluster } from './harness.js';

const DIMS = 8;
const QUORUM: RequestOptions = { consistencyLevel: 'QUORUM' };
const ALL: RequestOptions = { consistencyLevel: 'ALL' };
const ONE: RequestOptions = { consistencyLevel: 'ONE' };

function writes(from: number, n: number, seed = from): ObjectWrite[] {
  const next = rng(seed);
  return Array.from({ length: n }, (_, i) => ({ class: CLASS, id: uuid(from + i), properties: { n: from + i }, vector: randomVector(next, DIMS) }));
}

async function counterValue(name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = await metrics.getSingleMetric(name)?.get();
  return (m?.values ?? []).filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((a, v) => a + v.value, 0);
}

describe('replication: writes, levels, hints, reads (in-process cluster)', function () {
  this.timeout(60_000);
  let c: TestCluster;
  afterEach(() => c?.stop());

  it('puts every object on every replica of its shard and answers the same query alike from every pod', async () => {
    c = await TestCluster.start({ pods: 3, shards: 3, replicationFactor: 2 });
    const batch = writes(1, 300);
    const outcomes = await c.pod('pod-0').cluster.coordinator.putObjects(batch, QUORUM);
    expect(outcomes.filter((o) => 'error' in o)).to.deep.equal([]);
    for (const p of c.sharding.physical) {
      const counts = p.replicas.map((pod) => c.shard(pod, p.name).objectCount());
      expect(counts[0]).to.be.greaterThan(0);
      expect(counts).to.deep.equal([counts[0], counts[0]]);
    }
    const total = c.sharding.physical.reduce((n, p) => n + c.shard(p.replicas[0], p.name).objectCount(), 0);
    expect(total).to.equal(300);

    const q = { class: CLASS, vector: batch[17].vector!, limit: 10, offset: 0 };
    const answers = await Promise.all(c.pods.map((p) => p.cluster.coordinator.query(q, QUORUM)));
    expect(answers[0][0]).to.deep.include({ id: batch[17].id, distance: 0 });
    expect(answers[0][0].object?.properties).to.deep.equal({ n: 18 });
    for (const a of answers.slice(1)) expect(a.map((h) => [h.id, h.distance])).to.deep.equal(answers[0].map((h) => [h.id, h.distance]));
    for (const p of c.pods) expect(await p.cluster.coordinator.count(CLASS, undefined, QUORUM)).to.equal(300);
    const page = await c.pod('pod-2').cluster.coordinator.listObjects(CLASS, { offset: 5, limit: 7 }, QUORUM);
    expect(page.map((o) => o.id)).to.deep.equal(batch.map((w) => w.id).sort().slice(5, 12));
  });

  it('counts acknowledgements against the replication factor and names the shard and replicas when short', async () => {
    c = await TestCluster.start({ pods: 3, shards: 3, replicationFactor: 3 });
    await c.kill('pod-2');
    const coord = c.pod('pod-0').cluster.coordinator;
    const ok = await coord.putObjects(writes(1, 30), QUORUM);
    expect(ok.filter((o) => 'error' in o)).to.deep.equal([]);
    const all = await coord.putObjects(writes(100, 5), ALL);
    for (const o of all) expect((o as { error: string }).error).to.match(/^shard \w+: 2 of 3 required acknowledgements \(pod-0 ok, pod-1 ok, pod-2 down\)$/);
    // Gossip has not noticed yet: the failure is the connection's.
    await c.kill('pod-1', false);
    const [one] = await coord.putObjects(writes(200, 1), QUORUM);
    expect((one as { error: string }).error).to.match(/1 of 2 required acknowledgements \(pod-0 ok, pod-1 (connect|closed), pod-2 down\)/);
    const [atOne] = await coord.putObjects(writes(300, 1), ONE);
    expect(atOne).to.have.property('object');
  });

  it('hints the writes a replica missed and replays them when it is alive again', async () => {
    c = await TestCluster.start({ pods: 3, shards: 2, replicationFactor: 3 });
    await c.kill('pod-1');
    const batch = writes(1, 200);
    const outcomes = await c.pod('pod-0').cluster.coordinator.putObjects(batch, QUORUM);
    expect(outcomes.filter((o) => 'error' in o)).to.deep.equal([]);
    const hints = c.pod('pod-0').cluster.hints;
    await waitFor(async () => (await counterValue('shoal_hints_pending', { target: 'pod-1' })) === 200, { what: '200 records hinted for pod-1' });
    for (const p of c.sharding.physical) expect(c.shard('pod-1', p.name).objectCount()).to.equal(0);

    await c.restart('pod-1'); // gossip: alive -> replay
    await waitFor(() => c.sharding.physical.every((p) => c.shard('pod-1', p.name).objectCount() === c.shard('pod-0', p.name).objectCount()), { what: 'pod-1 to catch up from hints' });
    await hints.replayAll();
    expect(await counterValue('shoal_hints_pending', { target: 'pod-1' })).to.equal(0);
    for (const w of batch.slice(0, 20)) {
      const shard = physicalShardOf(c.sharding, w.id);
      expect(c.shard('pod-1', shard).get(w.id)).to.deep.include({ id: w.id, properties: w.properties });
    }
  });

  it('fails a query over to another replica, and names the shard when no replica answers', async () => {
    c = await TestCluster.start({ pods: 3, shards: 3, replicationFactor: 2 });
    const batch = writes(1, 120);
    // Written through pod-2, so pod-0 has measured no latencies yet and tries pod-1 before pod-2 (by name).
    await c.pod('pod-2').cluster.coordinator.putObjects(batch, QUORUM);
    const before = await counterValue('shoal_coordinator_query_retries_total');
    // pod-1 stops answering but gossip still says alive: the coordinator must find out by itself.
    await c.kill('pod-1', false);
    const q = { class: CLASS, vector: batch[3].vector!, limit: 5, offset: 0 };
    for (const p of ['pod-0', 'pod-2']) {
      const hits = await c.pod(p).cluster.coordinator.query(q, QUORUM);
      expect(hits[0].id).to.equal(batch[3].id);
      expect(await c.pod(p).cluster.coordinator.count(CLASS, undefined, QUORUM)).to.equal(120);
    }
    expect(await counterValue('shoal_coordinator_query_retries_total')).to.be.greaterThan(before);

    await c.kill('pod-2', false);
    const orphan = c.sharding.physical.find((p) => !p.replicas.includes('pod-0'))!;
    try {
      await c.pod('pod-0').cluster.coordinator.query(q, QUORUM);
      expect.fail('expected the query to fail');
    } catch (e) {
      expect((e as Error).message).to.match(new RegExp(`shard ${orphan.name} of class Thing: no replica answered \\(pod-\\d (connect|closed), pod-\\d (connect|closed)\\)`));
    }
  });

  it('reads at QUORUM and ALL return the newest copy and repair the stale replica', async () => {
    c = await TestCluster.start({ pods: 3, shards: 1, replicationFactor: 3 });
    const [w] = writes(1, 1);
    const coord = c.pod('pod-0').cluster.coordinator;
    const [first] = await coord.putObjects([w], ALL);
    const stored = (first as { object: LiveObject }).object;
    const shard = c.sharding.physical[0].name;
    // pod-2 alone gets a newer version, as if the others missed it.
    const newer: LiveObject = { ...stored, properties: { n: 'newer' }, version: stored.version + 10, origin: 'pod-2' };
    await c.shard('pod-2', shard).apply([newer]);
    const before = await counterValue('shoal_coordinator_read_repairs_total', { outcome: 'ok' });
    const got = await coord.getObject(CLASS, w.id, ALL);
    expect(got?.properties).to.deep.equal({ n: 'newer' });
    await waitFor(() => ['pod-0', 'pod-1'].every((p) => (c.shard(p, shard).get(w.id) as LiveObject).properties.n === 'newer'), { what: 'read repair of pod-0 and pod-1' });
    expect(await counterValue('shoal_coordinator_read_repairs_total', { outcome: 'ok' })).to.equal(before + 2);
    expect((await coord.getObject(CLASS, w.id, ONE))?.properties).to.deep.equal({ n: 'newer' });
    // The clock saw the newer version: the next write through pod-0 supersedes it.
    const replaced = await coord.replaceObject({ ...w, properties: { n: 'latest' } }, QUORUM);
    expect(replaced.version).to.be.greaterThan(newer.version);
  });

  it('creates, patches and deletes single objects at a level, and lists every pod in nodes()', async () => {
    c = await TestCluster.start({ pods: 3, shards: 3, replicationFactor: 2 });
    const coord = c.pod('pod-1').cluster.coordinator;
    const [w] = writes(1, 1);
    await coord.createObject(w, QUORUM);
    try {
      await coord.createObject(w, QUORUM);
      expect.fail('expected a conflict');
    } catch (e) {
      expect((e as { kind: string }).kind).to.equal('conflict');
    }
    const patched = await coord.patchObject(CLASS, w.id, { properties: { extra: true } }, QUORUM);
    expect(patched.properties).to.deep.equal({ n: 1, extra: true });
    expect(await coord.deleteObject(CLASS, w.id, QUORUM)).to.equal(true);
    expect(await coord.getObject(CLASS, w.id, ALL)).to.equal(undefined);
    expect(await coord.deleteObject(undefined, w.id, QUORUM)).to.equal(false);

    await coord.putObjects(writes(10, 60), QUORUM);
    await c.kill('pod-2');
    const nodes = await coord.nodes();
    expect(nodes.map((n) => [n.name, n.status])).to.deep.equal([['pod-0', 'HEALTHY'], ['pod-1', 'HEALTHY'], ['pod-2', 'UNAVAILABLE']]);
    const held = nodes.filter((n) => n.status === 'HEALTHY').flatMap((n) => n.shards);
    for (const s of held) expect(s.objectCount).to.equal(c.shard(s.replicas[0], s.name).objectCount());
    const shards = await coord.shards(CLASS);
    expect(shards.map((s) => s.name).sort()).to.deep.equal(c.sharding.physical.map((p) => p.name).sort());
    expect(shards.reduce((n, s) => n + s.objectCount, 0)).to.equal(60);
  });
});
