// The pure decisions of the distributed data path: acknowledgement counts, replica order,
// what anti-entropy exchanges, merge order.
import { expect } from 'chai';
import { ackError, requiredAcks, verdict } from '../../node/src/coordinator/distributed/consistency.js';
import { readOrder, type ReplicaCandidate } from '../../node/src/coordinator/distributed/replicas.js';
import { planRepair } from '../../node/src/coordinator/distributed/repair-plan.js';
import { byDistanceThenId, mergeWindow } from '../../node/src/coordinator/distributed/merge.js';

const NOW = 1_800_000_000_000;
const v = (ms: number, logical = 0) => ms * 1000 + logical;

describe('replication: decisions', () => {
  it('counts QUORUM and ALL against the replication factor', () => {
    const table = [1, 2, 3, 4, 5].map((rf) => [rf, requiredAcks('ONE', rf), requiredAcks('QUORUM', rf), requiredAcks('ALL', rf)]);
    expect(table).to.deep.equal([[1, 1, 1, 1], [2, 1, 2, 2], [3, 1, 2, 3], [4, 1, 3, 4], [5, 1, 3, 5]]);
  });

  it('says which shard got how many of how many acknowledgements, replica by replica', () => {
    const answers = [{ pod: 'pod-2', ok: false as const, reason: 'timeout' }, { pod: 'pod-1', ok: true as const }];
    const ver = verdict(answers, 2);
    expect(ver).to.deep.equal({ ok: false, acks: 1, required: 2 });
    expect(ackError('Xyz', ver, answers)).to.equal('shard Xyz: 1 of 2 required acknowledgements (pod-1 ok, pod-2 timeout)');
    expect(verdict([{ pod: 'a', ok: true }, { pod: 'b', ok: true }], 2).ok).to.equal(true);
  });

  it('orders replicas: ready, not recently failed, healthy, local, fast; down ones last', () => {
    const base: ReplicaCandidate = { pod: '', local: false, state: 'alive', ready: true, recentlyFailed: false, latencyMs: 5 };
    const c = (pod: string, o: Partial<ReplicaCandidate>) => ({ ...base, pod, ...o });
    expect(readOrder([c('b', {}), c('a', { local: true, latencyMs: 0 }), c('c', { latencyMs: 1 })])).to.deep.equal(['a', 'c', 'b']);
    expect(readOrder([c('a', { local: true, ready: false }), c('b', {})])).to.deep.equal(['b', 'a']);
    expect(readOrder([c('a', { state: 'dead' }), c('b', { state: 'suspect' }), c('c', { recentlyFailed: true })])).to.deep.equal(['b', 'c', 'a']);
    expect(readOrder([c('a', { state: 'left', local: true }), c('b', { state: 'unknown' })])).to.deep.equal(['b', 'a']);
    // Unmeasured latency counts as the average of the measured ones; ties go by name.
    expect(readOrder([c('z', { latencyMs: undefined }), c('y', { latencyMs: 2 }), c('x', { latencyMs: 8 })])).to.deep.equal(['y', 'z', 'x']);
    expect(readOrder([c('b', { latencyMs: undefined }), c('a', { latencyMs: undefined })])).to.deep.equal(['a', 'b']);
  });

  it('plans repairs: newer wins both ways, missing ids travel, tombstones too, fresh writes wait', () => {
    const e = (id: string, ms: number, origin = 'p', deleted = false) => ({ id, version: v(ms), origin, deleted });
    const old = NOW - 60_000;
    const local = [e('a', old), e('b', old + 1), e('c', old), e('d', old, 'p', true), e('f', NOW - 100)];
    const remote = [e('a', old + 5), e('b', old), e('c', old), e('e', old), e('d', old - 1), e('g', NOW - 50)];
    expect(planRepair(local, remote, NOW, 5_000)).to.deep.equal({ pull: ['a', 'e'], push: ['b', 'd'] });
    expect(planRepair(local, remote, NOW, 0)).to.deep.equal({ pull: ['a', 'e', 'g'], push: ['b', 'd', 'f'] });
    // Equal versions: the greater origin wins (the tie-break of supersedes).
    expect(planRepair([e('x', old, 'pod-a')], [e('x', old, 'pod-b')], NOW, 0)).to.deep.equal({ pull: ['x'], push: [] });
    expect(planRepair([], [], NOW, 0)).to.deep.equal({ pull: [], push: [] });
  });

  it('merges shard answers by distance with ties by id, then cuts the window', () => {
    const lists = [[{ id: 'b', distance: 0.1 }, { id: 'd', distance: 0.3 }], [{ id: 'a', distance: 0.1 }, { id: 'c', distance: 0.2 }], []];
    expect(mergeWindow(lists, byDistanceThenId, 0, 3).map((h) => h.id)).to.deep.equal(['a', 'b', 'c']);
    expect(mergeWindow(lists, byDistanceThenId, 1, 2).map((h) => h.id)).to.deep.equal(['b', 'c']);
  });
});
