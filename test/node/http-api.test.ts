// The REST and GraphQL API of a real node process, driven over HTTP: schema, objects (both path
// styles), listing with a cursor, batch import and delete, GraphQL Get and Aggregate, nodes,
// meta, probes and metrics.
import { expect } from 'chai';
import { startNodeProcess, stopAllNodes, type NodeProcess } from '../support/node-process.js';
import type { JsonClient } from '../support/http-client.js';
import { seededRandom, randomVector, randomUuid, cosineDistance } from '../support/vectors.js';

const DIMS = 8;
const articleClass = {
  class: 'Article',
  vectorIndexConfig: { distance: 'cosine' },
  shardingConfig: { desiredCount: 3 },
  properties: [
    { name: 'title', dataType: ['text'] },
    { name: 'wordCount', dataType: ['int'] },
    { name: 'tags', dataType: ['text[]'] },
    { name: 'published', dataType: ['boolean'] },
  ],
};

describe('node HTTP API', function () {
  this.timeout(60_000);
  let node: NodeProcess;
  let api: JsonClient;
  const random = seededRandom(7);
  const objects = Array.from({ length: 60 }, (_, i) => ({
    class: 'Article',
    id: randomUuid(random),
    properties: { title: i % 2 ? `odd article ${i}` : `even article ${i}`, wordCount: i * 100, tags: [`t${i % 3}`], published: i % 5 === 0 },
    vector: randomVector(random, DIMS),
  }));

  before(async () => {
    node = await startNodeProcess();
    api = node.client;
    await node.waitReady();
  });
  after(stopAllNodes);

  it('reports meta with an API level >= 1.14 and its own version', async () => {
    const r = await api.get('/v1/meta');
    expect(r.status).to.equal(200);
    const [major, minor] = r.body.version.split('.').map(Number);
    expect(major === 1 && minor >= 14).to.equal(true);
    expect(r.body.shoalVersion).to.match(/^\d+\.\d+\.\d+/);
  });

  it('answers the probes', async () => {
    expect((await api.get('/v1/.well-known/live')).status).to.equal(200);
    expect((await api.get('/v1/.well-known/ready')).status).to.equal(200);
  });

  it('creates, lists, gets and extends a class', async () => {
    const created = await api.post('/v1/schema', articleClass);
    expect(created.status).to.equal(200);
    expect(created.body.vectorIndexConfig.maxConnections).to.equal(32);
    expect(created.body.shardingConfig).to.include({ desiredCount: 3, actualCount: 3, actualVirtualCount: 384 });
    const all = await api.get('/v1/schema');
    expect(all.body.classes.map((c: { class: string }) => c.class)).to.deep.equal(['Article']);
    const prop = await api.post('/v1/schema/Article/properties', { name: 'summary', dataType: ['text'] });
    expect(prop.status).to.equal(200);
    const one = await api.get('/v1/schema/Article');
    expect(one.body.properties.map((p: { name: string }) => p.name)).to.include('summary');
    const shards = await api.get('/v1/schema/Article/shards');
    expect(shards.body).to.have.length(3);
    expect(shards.body.every((s: { status: string }) => s.status === 'READY')).to.equal(true);
  });

  it('imports a batch, one result per object in order', async () => {
    const r = await api.post('/v1/batch/objects?consistency_level=ONE', { objects });
    expect(r.status).to.equal(200);
    expect(r.body).to.have.length(objects.length);
    r.body.forEach((entry: any, i: number) => {
      expect(entry.result.status).to.equal('SUCCESS');
      expect(entry.id).to.equal(objects[i].id);
    });
    expect((await api.get('/v1/schema/Article')).body.vectorIndexConfig.dimensions).to.equal(DIMS);
  });

  it('spreads objects over the shards and counts them in /v1/nodes', async () => {
    const r = await api.get('/v1/nodes?output=verbose');
    expect(r.status).to.equal(200);
    const [n] = r.body.nodes;
    expect(n).to.include({ name: 'node-0', status: 'HEALTHY' });
    expect(n.stats).to.deep.equal({ shardCount: 3, objectCount: objects.length });
    expect(n.shards.every((s: { objectCount: number }) => s.objectCount > 0)).to.equal(true);
    const minimal = await api.get('/v1/nodes');
    expect(minimal.body.nodes[0]).to.not.have.property('shards');
    const byClass = await api.get('/v1/nodes/Article?output=verbose');
    expect(byClass.body.nodes[0].shards).to.have.length(3);
  });

  it('gets, checks, replaces, patches and deletes an object by class and id', async () => {
    const o = objects[3];
    const got = await api.get(`/v1/objects/Article/${o.id}?include=vector&consistency_level=QUORUM`);
    expect(got.status).to.equal(200);
    expect(got.body.properties).to.deep.equal(o.properties);
    expect(got.body.vector).to.deep.equal(o.vector);
    expect((await api.head(`/v1/objects/Article/${o.id}`)).status).to.equal(204);
    const put = await api.put(`/v1/objects/Article/${o.id}`, { class: 'Article', id: o.id, properties: { title: 'replaced' }, vector: o.vector });
    expect(put.status).to.equal(200);
    expect(put.body.creationTimeUnix).to.equal(got.body.creationTimeUnix);
    const patched = await api.patch(`/v1/objects/Article/${o.id}`, { properties: { wordCount: 7 } });
    expect(patched.status).to.equal(204);
    const after = await api.get(`/v1/objects/Article/${o.id}`);
    expect(after.body.properties).to.deep.equal({ title: 'replaced', wordCount: 7 });
    expect(after.body.lastUpdateTimeUnix).to.be.at.least(got.body.lastUpdateTimeUnix);
    expect((await api.delete(`/v1/objects/Article/${o.id}?consistency_level=ALL`)).status).to.equal(204);
    expect((await api.get(`/v1/objects/Article/${o.id}`)).status).to.equal(404);
    expect((await api.head(`/v1/objects/Article/${o.id}`)).status).to.equal(404);
    expect((await api.delete(`/v1/objects/Article/${o.id}`)).status).to.equal(404);
  });

  it('serves the older paths without a class', async () => {
    const created = await api.post('/v1/objects', { class: 'Article', properties: { title: 'no class path' }, vector: randomVector(random, DIMS) });
    expect(created.status).to.equal(200);
    const id = created.body.id;
    expect((await api.get(`/v1/objects/${id}`)).body.properties.title).to.equal('no class path');
    expect((await api.patch(`/v1/objects/${id}`, { class: 'Article', properties: { wordCount: 1 } })).status).to.equal(204);
    expect((await api.delete(`/v1/objects/${id}`)).status).to.equal(204);
    expect((await api.get(`/v1/objects/${id}`)).status).to.equal(404);
  });

  it('refuses to create an object whose id exists', async () => {
    const r = await api.post('/v1/objects', objects[5]);
    expect(r.status).to.equal(422);
    expect(r.body.error[0].message).to.match(/already exists/);
  });

  it('lists a class with a cursor, in id order, across shards', async () => {
    const seen: string[] = [];
    let after = '';
    for (;;) {
      const r = await api.get(`/v1/objects?class=Article&limit=7${after ? `&after=${after}` : ''}`);
      expect(r.status).to.equal(200);
      if (r.body.objects.length === 0) break;
      seen.push(...r.body.objects.map((o: { id: string }) => o.id));
      after = seen[seen.length - 1];
    }
    const expected = objects.filter((_, i) => i !== 3).map((o) => o.id).sort();
    expect(seen).to.deep.equal(expected);
    const page = await api.get('/v1/objects?class=Article&limit=5&offset=5');
    expect(page.body.objects.map((o: { id: string }) => o.id)).to.deep.equal(expected.slice(5, 10));
  });

  it('answers GraphQL nearVector with exact nearest neighbours in distance order', async () => {
    const q = objects[10].vector;
    const r = await api.graphql(`{Get{Article(nearVector:{vector:${JSON.stringify(q)}},limit:5){title _additional { id distance certainty creationTimeUnix }}}}`);
    expect(r.status).to.equal(200);
    const hits = r.body.data.Get.Article;
    const expected = objects.filter((_, i) => i !== 3).map((o) => ({ id: o.id, d: cosineDistance(q, o.vector) })).sort((a, b) => a.d - b.d).slice(0, 5);
    expect(hits.map((h: any) => h._additional.id)).to.deep.equal(expected.map((e) => e.id));
    hits.forEach((h: any, i: number) => {
      expect(h._additional.distance).to.be.closeTo(expected[i].d, 1e-4);
      expect(h._additional.certainty).to.be.closeTo(1 - expected[i].d / 2, 1e-4);
      expect(h._additional.creationTimeUnix).to.match(/^\d+$/);
    });
  });

  it('filters during the search: a selective where still returns limit hits', async () => {
    const where = '{operator:And,operands:[{operator:GreaterThan,valueInt:1000,path:["wordCount"]},{operator:Equal,valueText:"odd",path:["title"]}]}';
    const r = await api.graphql(`{Get{Article(where:${where},nearVector:{vector:${JSON.stringify(objects[0].vector)}},limit:5,consistencyLevel:QUORUM){title wordCount _additional { id distance }}}}`);
    expect(r.status).to.equal(200);
    const hits = r.body.data.Get.Article;
    expect(hits).to.have.length(5);
    for (const h of hits) {
      expect(h.wordCount).to.be.greaterThan(1000);
      expect(h.title).to.match(/^odd/);
    }
    const distances = hits.map((h: any) => h._additional.distance);
    expect(distances).to.deep.equal([...distances].sort((a: number, b: number) => a - b));
  });

  it('supports distance and certainty bounds, offset, nearObject, vectors and Get without near', async () => {
    const q = JSON.stringify(objects[10].vector);
    const bounded = await api.graphql(`{Get{Article(nearVector:{vector:${q},distance:0.0001},limit:10){_additional{id distance}}}}`);
    expect(bounded.body.data.Get.Article.map((h: any) => h._additional.id)).to.deep.equal([objects[10].id]);
    const certain = await api.graphql(`{Get{Article(nearVector:{vector:${q},certainty:0.99995},limit:10){_additional{id}}}}`);
    expect(certain.body.data.Get.Article).to.have.length(1);
    const page = await api.graphql(`{Get{Article(nearVector:{vector:${q}},limit:2,offset:1){_additional{id}}}}`);
    const first3 = await api.graphql(`{Get{Article(nearVector:{vector:${q}},limit:3){_additional{id}}}}`);
    expect(page.body.data.Get.Article).to.deep.equal(first3.body.data.Get.Article.slice(1));
    const near = await api.graphql(`{Get{Article(nearObject:{id:"${objects[10].id}"},limit:1){_additional{id distance vector}}}}`);
    expect(near.body.data.Get.Article[0]._additional.id).to.equal(objects[10].id);
    expect(near.body.data.Get.Article[0]._additional.vector).to.deep.equal(objects[10].vector);
    const plain = await api.graphql('{Get{Article(where:{operator:Equal,path:["published"],valueBoolean:true},limit:100){published}}}');
    expect(plain.body.data.Get.Article).to.have.length(objects.filter((o, i) => i !== 3 && o.properties.published).length);
  });

  it('counts with Aggregate, with and without where', async () => {
    const all = await api.graphql('{Aggregate{Article{meta{count}}}}');
    expect(all.body.data.Aggregate.Article).to.deep.equal([{ meta: { count: objects.length - 1 } }]);
    const some = await api.graphql('{Aggregate{Article(where:{operator:Equal,path:["tags"],valueText:"t0"}){meta{count}}}}');
    expect(some.body.data.Aggregate.Article[0].meta.count).to.equal(objects.filter((_, i) => i !== 3 && i % 3 === 0).length);
  });

  it('deletes by where, with dryRun and verbose output', async () => {
    const match = { class: 'Article', where: { operator: 'Equal', path: ['tags'], valueText: 't1' } };
    const expected = objects.filter((_, i) => i % 3 === 1).length;
    const dry = await api.delete('/v1/batch/objects', { match, dryRun: true, output: 'verbose' });
    expect(dry.status).to.equal(200);
    expect(dry.body.results).to.include({ matches: expected, successful: 0, failed: 0 });
    expect(dry.body.results.objects.every((o: { status: string }) => o.status === 'DRYRUN')).to.equal(true);
    const real = await api.delete('/v1/batch/objects?consistency_level=QUORUM', { match });
    expect(real.body.results).to.include({ matches: expected, successful: expected, failed: 0 });
    expect(real.body.results).to.not.have.property('objects');
    const left = await api.graphql('{Aggregate{Article(where:{operator:Equal,path:["tags"],valueText:"t1"}){meta{count}}}}');
    expect(left.body.data.Aggregate.Article[0].meta.count).to.equal(0);
  });

  it('exposes API metrics in Prometheus format without authentication', async () => {
    const r = await api.get('/metrics');
    expect(r.status).to.equal(200);
    expect(r.text).to.match(/shoal_http_requests_total\{method="POST",route="\/v1\/graphql",status="200"\} \d+/);
    expect(r.text).to.match(/shoal_http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/v1\/batch\/objects"\}/);
    expect(r.text).to.match(/shoal_batch_size_objects_count 1/);
    expect(r.text).to.match(/shoal_query_duration_seconds_count\{class_name="Article",query_type="near_vector"\}/);
  });

  it('deletes a class and its data', async () => {
    expect((await api.delete('/v1/schema/Article')).status).to.equal(200);
    expect((await api.get('/v1/schema/Article')).status).to.equal(404);
    expect((await api.get('/v1/schema')).body.classes).to.deep.equal([]);
    expect((await api.get('/v1/nodes?output=verbose')).body.nodes[0].stats).to.deep.equal({ shardCount: 0, objectCount: 0 });
    const recreated = await api.post('/v1/schema', { class: 'Article' });
    expect(recreated.status).to.equal(200);
    expect((await api.get('/v1/objects?class=Article')).body.objects).to.deep.equal([]);
  });
});

describe('node HTTP API with API keys', function () {
  this.timeout(60_000);
  let node: NodeProcess;
  before(async () => {
    node = await startNodeProcess({ apiKeys: ['k1', 'k2'] });
  });
  after(stopAllNodes);

  it('requires a valid bearer key everywhere but live, ready and metrics', async () => {
    const url = node.url;
    expect((await fetch(`${url}/v1/.well-known/live`)).status).to.equal(200);
    expect((await fetch(`${url}/v1/.well-known/ready`)).status).to.equal(200);
    expect((await fetch(`${url}/metrics`)).status).to.equal(200);
    for (const [method, path] of [['GET', '/v1/meta'], ['GET', '/v1/schema'], ['POST', '/v1/graphql'], ['POST', '/v1/batch/objects'], ['GET', '/v1/objects/A/36ddd591-2dee-4e7e-a3cc-eb86d30a4303']]) {
      const none = await fetch(url + path, { method });
      expect(none.status, `${method} ${path}`).to.equal(401);
      expect(((await none.json()) as any).error[0].message).to.match(/Authorization: Bearer/);
      const wrong = await fetch(url + path, { method, headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).to.equal(401);
    }
    const ok = await fetch(`${url}/v1/schema`, { headers: { authorization: 'Bearer k2' } });
    expect(ok.status).to.equal(200);
  });
});
