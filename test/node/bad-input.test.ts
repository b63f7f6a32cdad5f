// Bad input of every kind gets a 4xx (or a per-object error inside a batch) that names the field
// and the reason; the node keeps running and loses nothing it stored.
import { expect } from 'chai';
import { startNodeProcess, stopAllNodes, type NodeProcess } from '../support/node-process.js';
import type { JsonClient, Answer } from '../support/http-client.js';

const ID = '36ddd591-2dee-4e7e-a3cc-eb86d30a4303';
const ID2 = '00000000-0000-4000-8000-000000000002';

function message(r: Answer): string {
  return (r.body?.error ?? r.body?.errors ?? []).map((e: { message: string }) => e.message).join(' | ');
}

function expectError(r: Answer, status: number, pattern: RegExp): void {
  expect(r.status, r.text).to.equal(status);
  expect(message(r), r.text).to.match(pattern);
}

describe('bad input', function () {
  this.timeout(60_000);
  let node: NodeProcess;
  let api: JsonClient;

  before(async () => {
    node = await startNodeProcess({ env: { SHOAL_MAX_BODY_BYTES: '4096' } });
    api = node.client;
    await node.waitReady();
    const cls = await api.post('/v1/schema', {
      class: 'Doc', vectorIndexConfig: { dimensions: 3 },
      properties: [{ name: 'title', dataType: ['text'] }, { name: 'n', dataType: ['int'] }, { name: 'when', dataType: ['date'] }, { name: 'ref', dataType: ['uuid'] }],
    });
    expect(cls.status).to.equal(200);
    const stored = await api.post('/v1/objects', { class: 'Doc', id: ID, properties: { title: 'kept', n: 1 }, vector: [1, 0, 0] });
    expect(stored.status).to.equal(200);
  });
  after(stopAllNodes);

  describe('objects', () => {
    it('wrong vector length', async () => {
      expectError(await api.post('/v1/objects', { class: 'Doc', vector: [1, 2] }), 422, /^vector: has length 2, but class Doc holds vectors of length 3/);
      expectError(await api.put(`/v1/objects/Doc/${ID}`, { class: 'Doc', vector: [1, 2, 3, 4] }), 422, /vector: has length 4/);
    });

    it('non-numeric and non-finite vector entries', async () => {
      expectError(await api.post('/v1/objects', { class: 'Doc', vector: [1, 'a', 3] }), 422, /^vector: \[1\] must be a number, got "a"/);
      expectError(await api.post('/v1/objects', { class: 'Doc', vector: [1, null, 3] }), 422, /^vector: \[1\] must be a number, got null/);
      expectError(await api.post('/v1/objects', {}, { raw: '{"class":"Doc","vector":[1,1e999,3]}' }), 422, /^vector: \[1\] must be a finite float32 number, got Infinity/);
      expectError(await api.post('/v1/objects', { class: 'Doc', vector: [1, 1e39, 3] }), 422, /finite float32/);
      expectError(await api.post('/v1/objects', { class: 'Doc', vector: 'abc' }), 422, /^vector: must be an array of numbers/);
    });

    it('unknown class', async () => {
      expectError(await api.post('/v1/objects', { class: 'Nope', vector: [1, 2, 3] }), 422, /^class: class "Nope" does not exist/);
      expectError(await api.post('/v1/objects', { vector: [1, 2, 3] }), 422, /^class: is required/);
      expectError(await api.get(`/v1/objects/Nope/${ID}`), 404, /class "Nope" does not exist/);
      expectError(await api.get('/v1/objects?class=Nope'), 404, /class "Nope" does not exist/);
    });

    it('unknown property and wrong property type', async () => {
      expectError(await api.post('/v1/objects', { class: 'Doc', properties: { colour: 'red' } }), 422, /^properties\.colour: class Doc has no property "colour"/);
      expectError(await api.post('/v1/objects', { class: 'Doc', properties: { n: '12' } }), 422, /^properties\.n: must be an int/);
      expectError(await api.post('/v1/objects', { class: 'Doc', properties: { n: 1.5 } }), 422, /^properties\.n: must be an int/);
      expectError(await api.post('/v1/objects', { class: 'Doc', properties: { when: 'yesterday' } }), 422, /^properties\.when: must be an RFC 3339 date/);
      expectError(await api.post('/v1/objects', { class: 'Doc', properties: { ref: 'x' } }), 422, /^properties\.ref: must be a UUID/);
      expectError(await api.post('/v1/objects', { class: 'Doc', properties: 'x' }), 422, /^properties: must be an object/);
      expectError(await api.patch(`/v1/objects/Doc/${ID}`, { properties: { title: 5 } }), 422, /^properties\.title: must be text/);
    });

    it('invalid UUID', async () => {
      expectError(await api.post('/v1/objects', { class: 'Doc', id: 'not-a-uuid' }), 422, /^id: must be a UUID/);
      expectError(await api.get('/v1/objects/Doc/not-a-uuid'), 422, /id in the path must be a UUID/);
      expectError(await api.delete('/v1/objects/Doc/1234'), 422, /id in the path must be a UUID/);
      expectError(await api.put(`/v1/objects/Doc/${ID}`, { class: 'Doc', id: ID2 }), 422, /^id: is .* but the URL names/);
      expectError(await api.get('/v1/objects?class=Doc&after=xyz'), 422, /^after must be a UUID/);
    });

    it('invalid consistency_level on every kind of route', async () => {
      expectError(await api.get(`/v1/objects/Doc/${ID}?consistency_level=TWO`), 422, /^consistency_level must be one of ONE, QUORUM, ALL, got "TWO"/);
      expectError(await api.post('/v1/batch/objects?consistency_level=most', { objects: [] }), 422, /^consistency_level must be one of/);
      expectError(await api.delete(`/v1/objects/Doc/${ID}?consistency_level=any`), 422, /^consistency_level/);
    });

    it('invalid list parameters', async () => {
      expectError(await api.get('/v1/objects?class=Doc&limit=abc'), 422, /^limit must be an integer/);
      expectError(await api.get('/v1/objects?class=Doc&limit=9000&offset=2000'), 422, /offset \+ limit must not exceed 10000/);
      expectError(await api.get(`/v1/objects?after=${ID}`), 422, /after needs class/);
    });
  });

  describe('batch', () => {
    it('reports each bad object in place and stores the good ones', async () => {
      const r = await api.post('/v1/batch/objects', {
        objects: [
          { class: 'Doc', id: ID2, properties: { title: 'good' }, vector: [0, 1, 0] },
          { class: 'Doc', vector: [1, 2] },
          { class: 'Nope', vector: [1, 2, 3] },
          { class: 'Doc', properties: { n: 'x' } },
          { class: 'Doc', id: 'bad' },
          'not an object',
        ],
      });
      expect(r.status).to.equal(200);
      expect(r.body.map((e: any) => e.result.status)).to.deep.equal(['SUCCESS', 'FAILED', 'FAILED', 'FAILED', 'FAILED', 'FAILED']);
      const msg = (i: number) => r.body[i].result.errors.error[0].message;
      expect(msg(1)).to.match(/^objects\[1\]\.vector: has length 2/);
      expect(msg(2)).to.match(/^objects\[2\]\.class: class "Nope" does not exist/);
      expect(msg(3)).to.match(/^objects\[3\]\.properties\.n: must be an int/);
      expect(msg(4)).to.match(/^objects\[4\]\.id: must be a UUID/);
      expect(msg(5)).to.match(/must be a JSON object/);
      expect((await api.get(`/v1/objects/Doc/${ID2}`)).status).to.equal(200);
    });

    it('rejects a body without an objects array', async () => {
      expectError(await api.post('/v1/batch/objects', { object: [] }), 422, /array "objects"/);
      expectError(await api.post('/v1/batch/objects', [1, 2]), 422, /array "objects"/);
    });

    it('validates batch delete requests', async () => {
      expectError(await api.delete('/v1/batch/objects', { match: { class: 'Nope', where: {} } }), 404, /does not exist/);
      expectError(await api.delete('/v1/batch/objects', { match: { class: 'Doc' } }), 422, /match\.where: is required/);
      expectError(await api.delete('/v1/batch/objects', { match: { class: 'Doc', where: { operator: 'Equal', path: ['nope'], valueText: 'x' } } }), 422, /^match\.where\.path: class Doc has no property "nope"/);
      expectError(await api.delete('/v1/batch/objects', { match: { class: 'Doc', where: { operator: 'Equal', path: ['title'], valueText: 'x' } }, output: 'loud' }), 422, /output must be/);
    });
  });

  describe('schema', () => {
    it('duplicate class, invalid class, unknown class', async () => {
      expectError(await api.post('/v1/schema', { class: 'Doc' }), 422, /class "Doc" already exists/);
      expectError(await api.post('/v1/schema', { class: 'doc' }), 422, /class "Doc" already exists/);
      expectError(await api.post('/v1/schema', { class: 'Bad', properties: [{ name: 'x', dataType: ['int'] }, { name: 'X', dataType: ['text'] }] }), 422, /unique/);
      expectError(await api.post('/v1/schema', { class: 'Bad', vectorIndexConfig: { distance: 'hamming' } }), 422, /^vectorIndexConfig\.distance: must be one of cosine, l2-squared, dot/);
      expectError(await api.post('/v1/schema', { class: 'Bad', replicationConfig: { factor: 2 } }), 422, /replicationConfig\.factor is 2.*standalone/);
      expectError(await api.get('/v1/schema/Nope'), 404, /does not exist/);
      expectError(await api.post('/v1/schema/Nope/properties', { name: 'x', dataType: ['text'] }), 404, /does not exist/);
      expectError(await api.post('/v1/schema/Doc/properties', { name: 'Title', dataType: ['text'] }), 422, /already has a property "title"/);
      expectError(await api.post('/v1/schema/Doc/properties', { name: 'x', dataType: ['Doc'] }), 422, /^dataType\[0\]: cross-references/);
    });
  });

  describe('HTTP', () => {
    it('malformed JSON on the fast path and on express routes', async () => {
      expectError(await api.post('/v1/batch/objects', undefined, { raw: '{"objects": [' }), 400, /^request body is not valid JSON/);
      expectError(await api.post('/v1/schema', undefined, { raw: '{class:' }), 400, /^request body is not valid JSON/);
      expectError(await api.post('/v1/graphql', undefined, { raw: 'nope' }), 400, /not valid JSON/);
    });

    it('oversize bodies get 413 naming the limit and the variable', async () => {
      const big = { objects: Array.from({ length: 100 }, () => ({ class: 'Doc', vector: [1, 2, 3], properties: { title: 'x'.repeat(40) } })) };
      expectError(await api.post('/v1/batch/objects', big), 413, /limit of 4096 bytes \(SHOAL_MAX_BODY_BYTES\)/);
      expectError(await api.post('/v1/schema', { class: 'Big', description: 'x'.repeat(5000) }), 413, /SHOAL_MAX_BODY_BYTES/);
    });

    it('unknown endpoints are JSON 404s', async () => {
      expectError(await api.get('/v1/nothing'), 404, /no endpoint GET \/v1\/nothing/);
    });
  });

  describe('GraphQL', () => {
    it('malformed queries and unknown classes or fields are 400s', async () => {
      expectError(await api.graphql('{Get{Doc(limit:1){title'), 400, /Syntax Error/);
      expectError(await api.graphql('{Get{Nope{title}}}'), 400, /Class "Nope" does not exist/);
      expectError(await api.graphql('{Get{Doc{colour}}}'), 400, /Cannot query field "colour" on type "Doc"/);
      expectError(await api.graphql('{Get{Doc(nearVector:{vector:["a"]}){title}}}'), 400, /Float cannot represent/);
      expectError(await api.post('/v1/graphql', { q: '{}' }), 400, /^query: must be a non-empty string/);
    });

    it('bad arguments are 422s naming the argument', async () => {
      expectError(await api.graphql('{Get{Doc(nearVector:{vector:[1,2]}){title}}}'), 422, /Doc\.nearVector\.vector has length 2, but class Doc holds vectors of length 3/);
      expectError(await api.graphql('{Get{Doc(where:{operator:Equal,path:["nope"],valueText:"x"}){title}}}'), 422, /Doc\.where\.path: class Doc has no property "nope"/);
      expectError(await api.graphql('{Get{Doc(where:{operator:Equal,path:["n"],valueText:"x"}){title}}}'), 422, /Doc\.where\.valueText: cannot be used with property n \(int\)/);
      expectError(await api.graphql(`{Get{Doc(nearObject:{id:"${ID2.replace('2', '9')}"}){title}}}`), 422, /no object with id/);
      expectError(await api.graphql('{Get{Doc(limit:-1){title}}}'), 422, /must not be negative/);
    });
  });

  // In a suite of its own: mocha runs a suite's own tests before its nested suites.
  describe('afterwards', () => {
    it('keeps running and keeps what it stored', async () => {
      expect(node.child.exitCode).to.equal(null);
      const r = await api.get(`/v1/objects/Doc/${ID}?include=vector`);
      expect(r.status).to.equal(200);
      expect(r.body.properties).to.deep.equal({ title: 'kept', n: 1 });
      expect(r.body.vector).to.deep.equal([1, 0, 0]);
      const count = await api.graphql('{Aggregate{Doc{meta{count}}}}');
      expect(count.body.data.Aggregate.Doc[0].meta.count).to.equal(2);
    });
  });
});
