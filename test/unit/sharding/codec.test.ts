import { expect } from 'chai';
import {
  ShardingState,
  ShardingStateError,
  createShardingState,
  parseShardingState,
  serializeShardingState,
} from '../../../api/index.js';
import { makePods, seeded } from './helpers.js';

function sample(): ShardingState {
  return createShardingState({ desiredCount: 3, virtualPerPhysical: 4, replicationFactor: 2 }, makePods(4, 2), seeded(4));
}

/** A JSON copy of the sample state with one change applied. */
function corrupt(change: (s: any) => void): unknown {
  const s = JSON.parse(serializeShardingState(sample()));
  change(s);
  return s;
}

describe('sharding: codec', () => {
  it('round-trips through JSON text and through a parsed object', () => {
    const state = sample();
    expect(parseShardingState(serializeShardingState(state))).to.deep.equal(state);
    expect(parseShardingState(JSON.parse(serializeShardingState(state)))).to.deep.equal(state);
  });

  it('serialises 64 physical x 128 virtual x RF 3 in at most 128 KiB', () => {
    const pods = Array.from({ length: 64 }, (_, i) => ({ name: `shoal-data-${i}`, zone: `europe-west4-${'abc'[i % 3]}` }));
    const state = createShardingState({ desiredCount: 64, virtualPerPhysical: 128, replicationFactor: 3 }, pods, seeded(1));
    const sizeBytes = Buffer.byteLength(serializeShardingState(state));
    expect(sizeBytes).to.be.at.most(128 * 1024);
    expect(parseShardingState(serializeShardingState(state))).to.deep.equal(state);
  });

  it('drops fields it does not know and keeps a fixed field order', () => {
    const s = corrupt((x) => (x.extra = 'ignored'));
    const text = serializeShardingState(parseShardingState(s));
    expect(text).not.to.include('extra');
    expect(Object.keys(JSON.parse(text))).to.deep.equal(['format', 'epoch', 'virtualCount', 'replicationFactor', 'pods', 'physical', 'assignment']);
  });

  const cases: [string, unknown, RegExp][] = [
    ['text that is not JSON', '{"format":1', /not JSON/],
    ['a non-object', [1, 2], /state must be an object, found \[1,2\]/],
    ['an unknown format', corrupt((s) => (s.format = 2)), /format must be 1 .*found 2/],
    ['a negative epoch', corrupt((s) => (s.epoch = -1)), /epoch must be an integer >= 0, found -1/],
    ['a fractional virtualCount', corrupt((s) => (s.virtualCount = 2.5)), /virtualCount must be an integer in \[1, \d+\], found 2.5/],
    ['an assignment of the wrong length', corrupt((s) => s.assignment.pop()), /assignment must be an array of 12 \(virtualCount\).*found "an array of length 11"/],
    ['an assignment index out of range', corrupt((s) => (s.assignment[5] = 3)), /assignment\[5\] must be an index into physical \(0 to 2\), found 3/],
    ['a physical shard with no virtual shard', corrupt((s) => (s.assignment = s.assignment.map(() => 0))), /physical\[1\] must be a shard holding at least one virtual shard/],
    ['a duplicate shard name', corrupt((s) => (s.physical[1].name = s.physical[0].name)), /physical\[1\]\.name must be unique/],
    ['a bad shard name', corrupt((s) => (s.physical[0].name = 'a b')), /physical\[0\]\.name must be a shard name/],
    ['too few replicas', corrupt((s) => s.physical[0].replicas.pop()), /physical\[0\]\.replicas must be an array of 2 pod names \(the replication factor\)/],
    ['a replica on an unknown pod', corrupt((s) => (s.physical[2].replicas[1] = 'ghost')), /physical\[2\]\.replicas\[1\] must be the name of a pod listed in pods, found "ghost"/],
    ['duplicate replicas', corrupt((s) => (s.physical[0].replicas[1] = s.physical[0].replicas[0])), /physical\[0\]\.replicas must be distinct pods/],
    ['a replication factor above the pod count', corrupt((s) => (s.replicationFactor = 5)), /replicationFactor must be an integer in \[1, 4\], found 5/],
    ['no pods', corrupt((s) => (s.pods = [])), /pods must be a non-empty array/],
    ['unsorted pods', corrupt((s) => s.pods.reverse()), /pods\[1\]\.name must be sorted after "pod-3"/],
    ['a duplicate pod', corrupt((s) => (s.pods[1] = s.pods[0])), /pods\[1\]\.name must be unique/],
    ['a zone that is not a string', corrupt((s) => (s.pods[0].zone = 3)), /pods\[0\]\.zone must be a string or absent, found 3/],
    ['a missing field', corrupt((s) => delete s.physical), /physical must be a non-empty array, found undefined/],
  ];
  for (const [what, value, message] of cases)
    it(`rejects ${what} with a message saying what was expected and found`, () => {
      expect(() => parseShardingState(value)).to.throw(ShardingStateError, message);
    });
});
