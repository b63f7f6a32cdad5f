// The replica methods end to end: a real shard (LMDB + HNSW worker) behind an RPC server on a
// loopback port, called through RemoteReplica, compared with the same calls on LocalReplica.
import { expect } from 'chai';
import type { LiveObject, ObjectRecord } from '../../node/src/objects/types.js';
import { HybridClock } from '../../node/src/objects/hlc.js';
import type { Where } from '../../node/src/coordinator/filters/where.js';
import { RpcClient } from '../../node/src/rpc/client.js';
import { RpcError } from '../../node/src/rpc/errors.js';
import type { RpcServer } from '../../node/src/rpc/server.js';
import { LocalReplica } from '../../node/src/rpc/replica/local.js';
import { RemoteReplica } from '../../node/src/rpc/replica/remote.js';
import { replicaHandlers } from '../../node/src/rpc/replica/service.js';
import { bucketOf, differingBuckets, digestOf, digestRoot } from '../../node/src/rpc/replica/digest.js';
import type { ShardRef } from '../../node/src/rpc/replica/ops.js';
import { CLASS, Fixture, config, live, randomVector, rng, tombstone, uuid } from '../shards/helpers.js';
import { startServer } from './helpers.js';

const REF: ShardRef = { class: CLASS, shard: 's0' };
const DIMS = 8;
const atLeast = (n: number): Where => ({ operator: 'GreaterThanEqual', target: { kind: 'property', name: 'n', type: 'int', tokenization: 'word' }, value: n });

describe('rpc: replica methods', function () {
  let fx: Fixture;
  let server: RpcServer;
  let client: RpcClient;
  let local: LocalReplica;
  let remote: RemoteReplica;
  let clock: HybridClock;
  const objects: LiveObject[] = [];

  before(async () => {
    fx = new Fixture();
    const registry = fx.registry();
    await registry.open(CLASS, 's0', config()).loaded;
    clock = new HybridClock(() => 1_000);
    local = new LocalReplica({ registry, nodeName: 'server', clock });
    server = await startServer(Object.fromEntries(replicaHandlers(local)));
    client = new RpcClient({ node: 'caller', cluster: 'test', secret: undefined });
    remote = new RemoteReplica(client, { name: 'server', addr: `127.0.0.1:${server.port}` });
    const next = rng(3);
    for (let i = 0; i < 300; i++) objects.push(live(uuid(i + 1), randomVector(next, DIMS), 5_000_000 + i, { n: i, name: `object ${i}` }));
  });

  after(async () => {
    client.close();
    await server.close();
    await fx.cleanup();
  });

  it('applies records sent as binary vectors, exactly, and observes their versions into the clock', async () => {
    const results = await remote.apply(REF, objects);
    expect(results.every((r) => 'outcome' in r && r.outcome === 'applied')).to.equal(true);
    const [again] = await remote.apply(REF, [objects[0]]);
    expect(again).to.deep.equal({ outcome: 'stale' });
    const [stored] = await local.get(REF, [objects[7].id]);
    expect(Array.from((stored as LiveObject).vector!)).to.deep.equal(Array.from(objects[7].vector!));
    expect(clock.next()).to.be.greaterThan(5_000_000 + 299);
  });

  it('gets records by id, tombstones included, null for unknown ids', async () => {
    await remote.apply(REF, [tombstone(objects[1].id, 9_000_000, 'pod-b')]);
    const got = await remote.get(REF, [objects[0].id, objects[1].id, uuid(99_999)]);
    expect((got[0] as LiveObject).properties).to.deep.equal({ n: 0, name: 'object 0' });
    expect(Array.from((got[0] as LiveObject).vector!)).to.deep.equal(Array.from(objects[0].vector!));
    expect(got[1]).to.deep.include({ id: objects[1].id, deleted: true, version: 9_000_000, origin: 'pod-b' });
    expect(got[2]).to.equal(null);
  });

  it('searches with the objects in the answer, as the local replica does', async () => {
    const query = { vector: objects[42].vector!, k: 5, withObjects: true, withVectors: true };
    const [viaRpc, direct] = await Promise.all([remote.search(REF, query), local.search(REF, query)]);
    expect(viaRpc.map((h) => h.id)).to.deep.equal(direct.map((h) => h.id));
    expect(viaRpc.map((h) => h.distance)).to.deep.equal(direct.map((h) => h.distance));
    expect(viaRpc[0]).to.deep.include({ id: objects[42].id, distance: 0 });
    expect(viaRpc[0].object?.properties).to.deep.equal({ n: 42, name: 'object 42' });
    expect(Array.from(viaRpc[0].object!.vector!)).to.deep.equal(Array.from(objects[42].vector!));

    const idsOnly = await remote.search(REF, { ...query, withObjects: false });
    expect(idsOnly[0]).to.deep.equal({ id: objects[42].id, distance: 0 });
    const noVectors = await remote.search(REF, { ...query, withVectors: false });
    expect(noVectors[0].object?.vector).to.equal(null);
  });

  it('applies a Where filter and maxDistance next to the data', async () => {
    const hits = await remote.search(REF, { vector: objects[10].vector!, k: 10, filter: atLeast(250), withObjects: true, withVectors: false });
    expect(hits).to.have.length(10);
    expect(hits.every((h) => (h.object!.properties.n as number) >= 250)).to.equal(true);
    const near = await remote.search(REF, { vector: objects[10].vector!, k: 10, maxDistance: 0, withObjects: false, withVectors: false });
    expect(near.map((h) => h.id)).to.deep.equal([objects[10].id]);
  });

  it('lists, scans and counts like the shard, leaving tombstones out', async () => {
    const sorted = objects.map((o) => o.id).filter((id) => id !== objects[1].id).sort();
    expect((await remote.list(REF, undefined, 5)).map((o) => o.id)).to.deep.equal(sorted.slice(0, 5));
    expect((await remote.list(REF, sorted[4], 3)).map((o) => o.id)).to.deep.equal(sorted.slice(5, 8));
    expect((await remote.scan(REF, atLeast(297), 10)).map((o) => o.properties.n)).to.deep.equal([297, 298, 299]);
    expect(await remote.count(REF, undefined)).to.equal(299);
    expect(await remote.count(REF, atLeast(290))).to.equal(10);
  });

  it('digests equal what the pure digest computes, and entries come by bucket', async () => {
    const records: ObjectRecord[] = objects.map((o, i) => (i === 1 ? tombstone(o.id, 9_000_000, 'pod-b') : o));
    const expected = digestOf(records.map((r) => ({ id: r.id, version: r.version, origin: r.origin, deleted: r.deleted })), 6);
    const viaRpc = await remote.digest(REF, 6);
    expect(digestRoot(viaRpc)).to.equal(digestRoot(expected));
    expect(differingBuckets(viaRpc, expected)).to.deep.equal([]);

    const bucket = bucketOf(objects[1].id, 6);
    const page = await remote.entries(REF, { bits: 6, buckets: [bucket], limit: 1000 });
    const want = records.filter((r) => bucketOf(r.id, 6) === bucket).map((r) => r.id).sort();
    expect(page.entries.map((e) => e.id)).to.deep.equal(want);
    expect(page.entries.find((e) => e.id === objects[1].id)).to.deep.equal({ id: objects[1].id, version: 9_000_000, origin: 'pod-b', deleted: true });
    expect(page.next).to.equal(undefined);
    const first = await remote.entries(REF, { bits: 6, buckets: [bucket], limit: 1 });
    expect(first.next).to.equal(want[0]);
    const rest = await remote.entries(REF, { bits: 6, buckets: [bucket], after: first.next, limit: 1000 });
    expect(rest.entries.map((e) => e.id)).to.deep.equal(want.slice(1));
  });

  it('reports shard infos, and a shard not open here as unavailable', async () => {
    const infos = await remote.shardInfos();
    expect(infos).to.have.length(1);
    expect(infos[0]).to.deep.include({ class: CLASS, name: 's0', status: 'READY', objectCount: 299 });
    try {
      await remote.get({ class: CLASS, shard: 'nope' }, [objects[0].id]);
      expect.fail('expected an error');
    } catch (e) {
      expect(e).to.be.instanceOf(RpcError);
      expect((e as RpcError).remoteKind).to.equal('unavailable');
      expect((e as RpcError).message).to.match(/shard nope of class Thing is not open on server/);
    }
  });

  it('answers a malformed request with a bad-request error and keeps the connection', async () => {
    const reply = client.call(remote.peer, 'shard.apply', { c: CLASS, s: 's0', r: [{ id: 5, deleted: false }] });
    try {
      await reply;
      expect.fail('expected an error');
    } catch (e) {
      expect((e as RpcError).remoteKind).to.equal('invalid');
      expect((e as RpcError).message).to.match(/bad request: id must be a string/);
    }
    expect(await remote.count(REF, undefined)).to.equal(299);
  });
});
