// weaviate-ts-client 2.2.0, unmodified, against a real node: schema, data, batch, GraphQL Get
// with nearVector and where, Aggregate, nodes status, API key authentication.
import { expect } from 'chai';
import weaviateModule, { ApiKey, type WeaviateClient } from 'weaviate-ts-client';
import { startNodeProcess, stopAllNodes, type NodeProcess } from '../support/node-process.js';
import { seededRandom, randomVector, randomUuid, cosineDistance } from '../support/vectors.js';

// The package's types describe its CommonJS build (default = module.exports); under ESM, Node
// loads dist/index.mjs, whose default export is the `app` object itself.
const weaviate = weaviateModule as unknown as (typeof weaviateModule)['default'];

describe('weaviate-ts-client 2.2.0', function () {
  this.timeout(60_000);
  let node: NodeProcess;
  let client: WeaviateClient;
  const warnings: unknown[] = [];
  const originalWarn = console.warn;
  const random = seededRandom(11);
  const data = Array.from({ length: 40 }, (_, i) => ({
    id: randomUuid(random),
    title: i % 4 === 0 ? `hello world ${i}` : `goodbye ${i}`,
    wordCount: 500 + i * 50,
    vector: randomVector(random, 16),
  }));

  before(async () => {
    node = await startNodeProcess({ apiKeys: ['secret-key'] });
    await node.waitReady();
    // The client warns when it falls back to old paths (a /v1/meta version below 1.14): catch it.
    console.warn = (...args: unknown[]) => warnings.push(args);
    client = weaviate.client({ scheme: 'http', host: `127.0.0.1:${node.port}`, apiKey: new ApiKey('secret-key') });
  });
  after(async () => {
    console.warn = originalWarn;
    await stopAllNodes();
  });

  it('checks liveness, readiness and meta', async () => {
    expect(await client.misc.liveChecker().do()).to.equal(true);
    expect(await client.misc.readyChecker().do()).to.equal(true);
    const meta = await client.misc.metaGetter().do();
    expect(meta.version).to.be.a('string');
  });

  it('creates a class and reads the schema back', async () => {
    const created = await client.schema.classCreator().withClass({
      class: 'Article',
      vectorizer: 'none',
      vectorIndexConfig: { distance: 'cosine' },
      properties: [{ name: 'title', dataType: ['text'] }, { name: 'wordCount', dataType: ['int'] }],
    }).do();
    expect(created.class).to.equal('Article');
    expect(await client.schema.exists('Article')).to.equal(true);
    const schema = await client.schema.getter().do();
    expect(schema.classes?.map((c) => c.class)).to.deep.equal(['Article']);
    const shards = await client.schema.shardsGetter().withClassName('Article').do();
    expect(shards).to.have.length(1);
  });

  it('creates, checks, reads and deletes single objects', async () => {
    const [first] = data;
    const created = await client.data.creator().withClassName('Article').withId(first.id)
      .withProperties({ title: first.title, wordCount: first.wordCount }).withVector(first.vector).withConsistencyLevel('QUORUM').do();
    expect(created.id).to.equal(first.id);
    expect(await client.data.checker().withClassName('Article').withId(first.id).do()).to.equal(true);
    const got = await client.data.getterById().withClassName('Article').withId(first.id).withVector().withConsistencyLevel('ONE').do();
    expect(got.properties).to.deep.equal({ title: first.title, wordCount: first.wordCount });
    expect(got.vector).to.deep.equal(first.vector);
    await client.data.deleter().withClassName('Article').withId(first.id).withConsistencyLevel('ALL').do();
    expect(await client.data.checker().withClassName('Article').withId(first.id).do()).to.equal(false);
  });

  it('imports a batch and reports a bad object in its place', async () => {
    const objects = data.map((d) => ({ class: 'Article', id: d.id, properties: { title: d.title, wordCount: d.wordCount }, vector: d.vector }));
    const bad = { class: 'Article', properties: { wordCount: 'many' }, vector: data[0].vector };
    const results = await client.batch.objectsBatcher().withObjects(...objects, bad).withConsistencyLevel('QUORUM').do();
    expect(results).to.have.length(objects.length + 1);
    expect(results.slice(0, -1).every((r) => r.result?.errors === undefined)).to.equal(true);
    expect(results[objects.length].result?.errors?.error?.[0].message).to.match(/properties\.wordCount: must be an int/);
  });

  it('queries with nearVector and where through GraphQL Get', async () => {
    const q = data[8].vector;
    const res = await client.graphql.get().withClassName('Article').withFields('title wordCount _additional { id distance }')
      .withWhere({
        operator: 'And',
        operands: [
          { operator: 'GreaterThan', path: ['wordCount'], valueInt: 1000 },
          { operator: 'Equal', path: ['title'], valueText: 'hello' },
        ],
      })
      .withNearVector({ vector: q, distance: 1.5 }).withLimit(5).withConsistencyLevel('QUORUM').do();
    const hits = res.data.Get.Article as Array<{ title: string; wordCount: number; _additional: { id: string; distance: number } }>;
    const expected = data.filter((d) => d.wordCount > 1000 && d.title.startsWith('hello'))
      .map((d) => ({ id: d.id, dist: cosineDistance(q, d.vector) })).filter((d) => d.dist <= 1.5)
      .sort((a, b) => a.dist - b.dist).slice(0, 5);
    expect(expected.length).to.be.greaterThan(1);
    expect(hits.map((h) => h._additional.id)).to.deep.equal(expected.map((e) => e.id));
  });

  it('counts with Aggregate', async () => {
    const res = await client.graphql.aggregate().withClassName('Article').withFields('meta { count }').do();
    expect(res.data.Aggregate.Article[0].meta.count).to.equal(data.length);
  });

  it('surfaces GraphQL argument errors as exceptions', async () => {
    let error: Error | undefined;
    await client.graphql.get().withClassName('Article').withFields('title').withNearVector({ vector: [1, 2, 3] }).do().catch((e: Error) => (error = e));
    expect(error?.message).to.match(/holds vectors of length 16/);
  });

  it('reads the nodes status', async () => {
    const status = await client.cluster.nodesStatusGetter().do();
    const [n] = status.nodes ?? [];
    expect(n.name).to.equal('node-0');
    expect(n.status).to.equal('HEALTHY');
    expect(n.stats?.objectCount).to.equal(data.length);
    expect(n.shards?.[0].class).to.equal('Article');
  });

  it('deletes a class', async () => {
    await client.schema.classDeleter().withClassName('Article').do();
    expect(await client.schema.exists('Article')).to.equal(false);
  });

  it('used the class-namespaced paths without warnings', () => {
    expect(warnings).to.deep.equal([]);
  });

  it('is refused with a wrong key', async () => {
    const wrong = weaviate.client({ scheme: 'http', host: `127.0.0.1:${node.port}`, apiKey: new ApiKey('wrong') });
    let error: Error | undefined;
    await wrong.schema.getter().do().catch((e: Error) => (error = e));
    expect(error?.message).to.match(/401/);
  });
});
