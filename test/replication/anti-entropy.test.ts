// Anti-entropy in an in-process cluster: replicas that missed writes and deletes, with their
// hints lost, converge to identical content (equal digests), newest write winning both ways,
// and deleted objects stay deleted.
import { expect } from 'chai';
import { physicalShardOf } from '../../api/index.js';
import type { LiveObject } from '../../node/src/objects/types.js';
import type { ObjectWrite } from '../../node/src/coordinator/types.js';
import { digestRoot } from '../../node/src/rpc/replica/digest.js';
import { registry as metrics } from '../../node/src/metrics/registry.js';
import { waitFor } from '../support/wait.js';
import { CLASS, randomVector, rng, uuid } from '../shards/helpers.js';
import { TestCluster } from './harness.js';

const QUORUM = { consistencyLevel: 'QUORUM' as const };
const ALL = { consistencyLevel: 'ALL' as const };

function writes(from: number, n: number): ObjectWrite[] {
  const next = rng(from);
  return Array.from({ length: n }, (_, i) => ({ class: CLASS, id: uuid(from + i), properties: { n: from + i }, vector: randomVector(next, 8) }));
}

async function repairedTotal(): Promise<number> {
  const m = await metrics.getSingleMetric('shoal_anti_entropy_objects_repaired_total')?.get();
  return (m?.values ?? []).reduce((a, v) => a + v.value, 0);
}

async function pendingHints(target: string): Promise<number> {
  const m = await metrics.getSingleMetric('shoal_hints_pending')?.get();
  return (m?.values ?? []).find((v) => v.labels.target === target)?.value ?? 0;
}

async function roots(c: TestCluster): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const p of c.sharding.physical) {
    out.set(p.name, await Promise.all(p.replicas.map(async (pod) => digestRoot(await c.pod(pod).local.digest({ class: CLASS, shard: p.name }, 10)))));
  }
  return out;
}

describe('replication: anti-entropy (in-process cluster)', function () {
  this.timeout(60_000);
  let c: TestCluster;
  afterEach(() => c?.stop());

  it('brings back a replica that missed writes and deletes and lost its hints; deletes never resurrect', async () => {
    // A hint window of 0: every hint has expired by the time it could be replayed (a lost hint).
    c = await TestCluster.start({ pods: 3, shards: 2, replicationFactor: 3, config: { hintWindowMs: 0 } });
    const coord = c.pod('pod-0').cluster.coordinator;
    const early = writes(1, 100);
    expect((await coord.putObjects(early, ALL)).filter((o) => 'error' in o)).to.deep.equal([]);
    await c.kill('pod-2');
    const late = writes(1000, 150);
    expect((await coord.putObjects(late, QUORUM)).filter((o) => 'error' in o)).to.deep.equal([]);
    const deleted = [...early.slice(0, 10), ...late.slice(0, 10)].map((w) => w.id);
    for (const id of deleted) expect(await coord.deleteObject(CLASS, id, QUORUM)).to.equal(true);
    // Hints are written after the answer: wait for all 170 (150 writes, 20 deletes) before they get lost.
    await waitFor(async () => (await pendingHints('pod-2')) === 170, { what: '170 hinted records for pod-2' });
    await c.restart('pod-2');
    await c.pod('pod-0').cluster.hints.replayAll(); // drops the expired hints
    const staleRoots = await roots(c);
    for (const r of staleRoots.values()) expect(new Set(r).size).to.be.greaterThan(1);

    const before = await repairedTotal();
    await c.pod('pod-0').cluster.antiEntropy.runOnce();
    await c.pod('pod-1').cluster.antiEntropy.runOnce();
    for (const [shard, r] of await roots(c)) expect(new Set(r).size, `replicas of ${shard} differ: ${r.join(' ')}`).to.equal(1);
    // 150 late writes (140 live, 10 now tombstones) and the tombstones of 10 early objects.
    expect(await repairedTotal()).to.equal(before + 150 + 10);

    for (const id of deleted) {
      expect(c.shard('pod-2', physicalShardOf(c.sharding, id)).get(id)).to.deep.include({ id, deleted: true });
      expect(await c.pod('pod-2').cluster.coordinator.getObject(CLASS, id, ALL)).to.equal(undefined);
    }
    expect(await c.pod('pod-2').cluster.coordinator.count(CLASS, undefined, QUORUM)).to.equal(230);
    // Nothing left to do: a second pass finds every pair in sync.
    const after = await repairedTotal();
    await c.pod('pod-0').cluster.antiEntropy.runOnce();
    expect(await repairedTotal()).to.equal(after);
  });

  it('newest (version, origin) wins in both directions', async () => {
    c = await TestCluster.start({ pods: 2, shards: 1, replicationFactor: 2 });
    const shard = c.sharding.physical[0].name;
    const [a, b, d] = writes(1, 3);
    const coord = c.pod('pod-0').cluster.coordinator;
    const stored = (await coord.putObjects([a, b, d], ALL)).map((o) => (o as { object: LiveObject }).object);
    // pod-1 alone has a newer a; pod-0 alone has a newer b; d differs only by origin at equal version.
    await c.shard('pod-1', shard).apply([{ ...stored[0], properties: { v: 'pod-1 newer' }, version: stored[0].version + 5, origin: 'pod-1' }]);
    await c.shard('pod-0', shard).apply([{ ...stored[1], properties: { v: 'pod-0 newer' }, version: stored[1].version + 5, origin: 'pod-0' }]);
    await c.shard('pod-1', shard).apply([{ ...stored[2], properties: { v: 'tie, origin z' }, origin: 'zzz' }]);
    const result = await c.pod('pod-0').cluster.antiEntropy.syncPair({ class: CLASS, shard }, 'pod-1');
    expect(result).to.deep.equal({ inSync: false, pulled: 2, pushed: 1 });
    for (const pod of ['pod-0', 'pod-1']) {
      const s = c.shard(pod, shard);
      expect([a, b, d].map((w) => (s.get(w.id) as LiveObject).properties.v)).to.deep.equal(['pod-1 newer', 'pod-0 newer', 'tie, origin z']);
    }
    expect(await c.pod('pod-0').cluster.antiEntropy.syncPair({ class: CLASS, shard }, 'pod-1')).to.deep.equal({ inSync: true, pulled: 0, pushed: 0 });
  });

  it('runs on its own after a peer comes back', async () => {
    c = await TestCluster.start({ pods: 2, shards: 1, replicationFactor: 2, config: { antiEntropyIntervalMs: 60_000, hintWindowMs: 0 } });
    await c.kill('pod-1');
    await c.pod('pod-0').cluster.coordinator.putObjects(writes(1, 50), { consistencyLevel: 'ONE' });
    await c.restart('pod-1');
    const shard = c.sharding.physical[0].name;
    await waitFor(() => c.shard('pod-1', shard).objectCount() === 50, { what: 'anti-entropy after pod-1 came back', timeoutMs: 15_000 });
  });
});
