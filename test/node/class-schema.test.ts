// The class schema: Weaviate's defaults, names, data types, fields Shoal accepts and ignores,
// and the OpenAPI output the CRD is generated from.
import { expect } from 'chai';
import { parseClass, parseProperty, classSchema, ValidationError } from '../../api/index.js';

function issuesOf(input: unknown): Array<{ path: string; message: string }> {
  try {
    parseClass(input);
  } catch (e) {
    expect(e).to.be.instanceOf(ValidationError);
    return (e as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
}

describe('class schema', () => {
  it('fills in Weaviate defaults', () => {
    const c = parseClass({ class: 'Article' });
    expect(c.vectorizer).to.equal('none');
    expect(c.vectorIndexType).to.equal('hnsw');
    expect(c.vectorIndexConfig).to.include({
      distance: 'cosine', efConstruction: 128, maxConnections: 32, ef: -1,
      dynamicEfMin: 100, dynamicEfMax: 500, dynamicEfFactor: 8, flatSearchCutoff: 40000,
    });
    expect(c.vectorIndexConfig.dimensions).to.equal(undefined);
    expect(c.shardingConfig).to.include({ desiredCount: 1, virtualPerPhysical: 128 });
    expect(c.replicationConfig.factor).to.equal(1);
    expect(c.properties).to.deep.equal([]);
    expect(c.multiTenancyConfig).to.deep.equal({ enabled: false });
  });

  it('capitalises the class name and defaults text tokenization to word', () => {
    const c = parseClass({ class: 'article', properties: [{ name: 'title', dataType: ['text'] }, { name: 'n', dataType: ['int'] }] });
    expect(c.class).to.equal('Article');
    expect(c.properties[0].tokenization).to.equal('word');
    expect(c.properties[1]).to.not.have.property('tokenization');
  });

  it('accepts every supported data type and rewrites the deprecated string type', () => {
    const types = ['text', 'int', 'number', 'boolean', 'date', 'uuid', 'text[]', 'int[]', 'number[]', 'boolean[]', 'date[]', 'uuid[]'];
    const c = parseClass({ class: 'T', properties: [...types.map((t, i) => ({ name: `p${i}`, dataType: [t] })), { name: 's', dataType: ['string'] }] });
    expect(c.properties.map((p) => p.dataType[0])).to.deep.equal([...types, 'text']);
  });

  it('accepts fields Weaviate clients send and Shoal ignores', () => {
    const c = parseClass({
      class: 'A', vectorizer: 'none', vectorIndexType: 'hnsw', moduleConfig: { x: 1 }, invertedIndexConfig: { bm25: { b: 0.75 } },
      multiTenancyConfig: { enabled: false }, vectorIndexConfig: { pq: { enabled: false }, filterStrategy: 'acorn', vectorCacheMaxObjects: 5 },
      shardingConfig: { actualCount: 1, actualVirtualCount: 128, key: '_id', strategy: 'hash', function: 'murmur3' },
      replicationConfig: { factor: 1, asyncEnabled: false }, someFutureField: true,
      properties: [{ name: 'x', dataType: ['text'], indexFilterable: true, indexSearchable: true, moduleConfig: {} }],
    });
    expect(c.invertedIndexConfig).to.deep.equal({ bm25: { b: 0.75 } });
    expect(c).to.not.have.property('someFutureField');
    expect(c.vectorIndexConfig).to.not.have.property('filterStrategy');
  });

  it('rejects what Shoal cannot do, naming the field and the reason', () => {
    const issues = issuesOf({
      class: 'A-b', vectorizer: 'text2vec-openai', vectorConfig: { v: {} }, multiTenancyConfig: { enabled: true },
      vectorIndexConfig: { distance: 'hamming', pq: { enabled: true }, dynamicEfMin: 600 },
      properties: [
        { name: 'id', dataType: ['text'] },
        { name: 'ref', dataType: ['Other'] },
        { name: 'geo', dataType: ['geoCoordinates'] },
        { name: 'n', dataType: ['int'], tokenization: 'word' },
        { name: '1bad', dataType: ['text'] },
      ],
    });
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath.class).to.match(/not a valid class name/);
    expect(byPath.vectorizer).to.match(/no vectorizer/);
    expect(byPath.vectorConfig).to.match(/named vectors/);
    expect(byPath['multiTenancyConfig.enabled']).to.match(/multi-tenancy/);
    expect(byPath['vectorIndexConfig.distance']).to.match(/cosine, l2-squared, dot/);
    expect(byPath['vectorIndexConfig.pq.enabled']).to.match(/compression/);
    expect(byPath['properties[0].name']).to.match(/reserved/);
    expect(byPath['properties[1].dataType[0]']).to.match(/cross-references/);
    expect(byPath['properties[2].dataType[0]']).to.match(/geo coordinates/);
    expect(byPath['properties[3]']).to.match(/tokenization is only allowed/);
    expect(byPath['properties[4].name']).to.match(/not a valid property name/);
  });

  it('rejects duplicate property names ignoring case, and GraphQL built-in class names', () => {
    expect(issuesOf({ class: 'A', properties: [{ name: 'title', dataType: ['text'] }, { name: 'Title', dataType: ['int'] }] })[0].message).to.match(/unique/);
    expect(issuesOf({ class: 'String' })[0].message).to.match(/reserved/);
  });

  it('validates numbers in the index config', () => {
    const paths = issuesOf({ class: 'A', vectorIndexConfig: { efConstruction: 0, maxConnections: 1.5, ef: 0, dimensions: -3 } }).map((i) => i.path);
    expect(paths).to.include.members(['vectorIndexConfig.efConstruction', 'vectorIndexConfig.maxConnections', 'vectorIndexConfig.ef', 'vectorIndexConfig.dimensions']);
  });

  it('parses a property on its own', () => {
    expect(parseProperty({ name: 'tags', dataType: ['text[]'] })).to.deep.equal({ name: 'tags', dataType: ['text[]'], tokenization: 'word' });
    expect(() => parseProperty({ name: 'x', dataType: ['int', 'text'] })).to.throw(/at most 1/);
  });

  it('produces an OpenAPI schema with descriptions and defaults for the CRD', () => {
    const o = classSchema.openapi() as any;
    expect(o.type).to.equal('object');
    expect(o.required).to.deep.equal(['class']);
    const vic = o.properties.vectorIndexConfig;
    expect(vic.properties.maxConnections.default).to.equal(32);
    expect(vic.properties.distance.enum).to.deep.equal(['cosine', 'l2-squared', 'dot']);
    expect(vic.properties.efConstruction.description).to.be.a('string').and.not.empty;
    expect(o.properties.properties.items.properties.dataType.items.enum).to.include('uuid[]');
    expect(o.properties.shardingConfig.properties.desiredCount.default).to.equal(1);
  });
});
