// Compiled Get plans (node/src/api/graphql/get-plan.ts) answer the plain nearVector shape with
// the very bytes graphql-js would produce, hand anything else (and every error) to graphql-js, and
// ask storage for the same things (objects or not, vectors or not).
import { expect } from 'chai';
import { parseClass } from '../../api/index.js';
import type { ApiDeps } from '../../node/src/api/deps.js';
import { GraphqlEndpoint } from '../../node/src/api/graphql/endpoint.js';
import type { Reply } from '../../node/src/api/http/reply.js';
import type { ClassState, ControlSnapshot } from '../../node/src/control/types.js';
import type { ObjectQuery, QueryHit } from '../../node/src/coordinator/types.js';
import type { LiveObject } from '../../node/src/objects/types.js';

const definition = parseClass({
  class: 'Doc',
  vectorIndexConfig: { distance: 'cosine', dimensions: 3 },
  properties: [
    { name: 'title', dataType: ['text'] },
    { name: 'count', dataType: ['int'] },
    { name: 'score', dataType: ['number'] },
    { name: 'tags', dataType: ['text[]'] },
    { name: 'flag', dataType: ['boolean'] },
    { name: 'when', dataType: ['date'] },
  ],
});

function object(i: number, properties: Record<string, unknown>): LiveObject {
  return {
    id: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    class: 'Doc', properties, vector: Float32Array.from([0.1 * i, -0.25, 1 / 3]),
    creationTimeUnix: 1700000000000 + i, lastUpdateTimeUnix: 1700000000500 + i, version: 1, origin: 'n', deleted: false,
  };
}

const OBJECTS = [
  object(1, { title: 'plain', count: 3, score: 0.5, tags: ['a', 'b'], flag: true, when: '2024-01-31T12:00:00Z' }),
  object(2, { title: 'quote " backslash \\ newline \n unicode é ✓', count: -0, score: -1e-7, tags: [], flag: false }),
  object(3, {}), // every property missing
  object(4, { title: 'x', tags: ['only'], score: 123456789.125 }),
];

interface Harness {
  endpoint: GraphqlEndpoint;
  queries: ObjectQuery[];
  /** Replace what storage returns. */
  objects: LiveObject[];
}

function harness(): Harness {
  const cls = { definition, sharding: {} } as unknown as ClassState;
  const snap: ControlSnapshot = { version: 1, classes: new Map([['Doc', cls]]) };
  const h: Harness = { queries: [], objects: OBJECTS, endpoint: undefined as unknown as GraphqlEndpoint };
  const coordinator = {
    async query(q: ObjectQuery): Promise<QueryHit[]> {
      h.queries.push(q);
      return h.objects.slice(q.offset, q.offset + q.limit).map((o, i) => ({
        id: o.id,
        distance: i === 0 ? 0 : i / 7,
        ...(q.withObjects === false ? {} : { object: o }),
      }));
    },
  };
  const deps = { control: { snapshot: () => snap }, coordinator, metrics: { query() {} } } as unknown as ApiDeps;
  h.endpoint = new GraphqlEndpoint(deps);
  return h;
}

/** The answer's bytes, whichever way it was produced. */
function text(r: Reply): string {
  return r.raw ?? JSON.stringify(r.body);
}

async function both(query: string, objects = OBJECTS): Promise<{ planned: Reply; graphqlJs: Reply; plannedQueries: ObjectQuery[]; graphqlJsQueries: ObjectQuery[] }> {
  const a = harness();
  a.objects = objects;
  const planned = await a.endpoint.handle({ query });
  const b = harness();
  b.objects = objects;
  b.endpoint.plans = false;
  const graphqlJs = await b.endpoint.handle({ query });
  return { planned, graphqlJs, plannedQueries: a.queries, graphqlJsQueries: b.queries };
}

describe('GraphQL compiled Get plans', () => {
  const plain = [
    '{Get{Doc(nearVector:{vector:[0.1,0.2,0.3]},limit:10){_additional{id distance}}}}',
    '{ Get { Doc(limit: 2, nearVector: { vector: [1, 2, 3], certainty: 0.7 }) { _additional { distance id certainty } } } }',
    '{Get{Doc(nearVector:{vector:[1,2,3],distance:0.9},offset:1,limit:2,consistencyLevel:ALL){title count _additional{id}}}}',
    '{Get{Doc(nearVector:{vector:[1,2,3]}){title count score tags flag when _additional{id distance certainty creationTimeUnix lastUpdateTimeUnix}}}}',
    '{Get{Doc(nearVector:{vector:[1,2,3]},limit:3,autocut:1){_additional{vector id}}}}',
    '{Get{Doc(nearVector:{vector:[1,2,3]},limit:0){_additional{id}}}}',
  ];
  for (const query of plain) {
    it(`answers ${query.slice(0, 70)}... as graphql-js does, by the plan`, async () => {
      const r = await both(query);
      expect(r.planned.raw, 'answered by the plan').to.be.a('string');
      expect(r.graphqlJs.raw).to.equal(undefined);
      expect(r.planned.status).to.equal(r.graphqlJs.status);
      expect(text(r.planned)).to.equal(text(r.graphqlJs));
      expect(JSON.parse(text(r.planned))).to.deep.equal(JSON.parse(text(r.graphqlJs)));
      // Storage is asked for the same thing (ids only, or objects).
      expect(r.plannedQueries.map((q) => ({ ...q, vector: Array.from(q.vector ?? []) })))
        .to.deep.equal(r.graphqlJsQueries.map((q) => ({ ...q, vector: Array.from(q.vector ?? []) })));
    });
  }

  it('asks storage for ids only when no stored field is selected', async () => {
    const r = await both('{Get{Doc(nearVector:{vector:[1,2,3]}){_additional{id distance certainty}}}}');
    expect(r.plannedQueries[0].withObjects).to.equal(false);
    const s = await both('{Get{Doc(nearVector:{vector:[1,2,3]}){title _additional{id}}}}');
    expect(s.plannedQueries[0].withObjects).to.equal(true);
  });

  const notPlain = [
    '{Get{Doc(nearVector:{vector:[1,2,3]}){t: title _additional{id}}}}', // alias
    '{Get{Doc(nearVector:{vector:[1,2,3]}){__typename _additional{id}}}}',
    '{Get{Doc(nearVector:{vector:[1,2,3]}){title title _additional{id}}}}', // merged duplicate
    '{Get{Doc(nearVector:{vector:[1,2,3]}){...F}}} fragment F on Doc {title}',
    '{Get{Doc(nearVector:{vector:[1,2,3]}){title @include(if: false) _additional{id}}}}',
    '{Get{Doc(nearVector:{vector:[1,2,3]},where:{operator:Equal,path:["title"],valueText:"x"}){_additional{id}}}}',
    '{Get{Doc(nearVector:{vector:[1,2,3]}){_additional{id}}} Aggregate{Doc{meta{count}}}}',
  ];
  for (const query of notPlain) {
    it(`leaves ${query.slice(0, 70)}... to graphql-js`, async () => {
      const r = await both(query);
      expect(r.planned.raw).to.equal(undefined);
      expect(r.planned.status).to.equal(r.graphqlJs.status);
      expect(text(r.planned)).to.equal(text(r.graphqlJs));
    });
  }

  it('hands every error to graphql-js, with its status and messages', async () => {
    const errors = [
      '{Get{Doc(nearVector:{vector:[1,2]}){_additional{id}}}}', // wrong length: 422
      '{Get{Doc(nearVector:{vector:[1,2,3]},limit:-1){_additional{id}}}}', // negative limit: 422
      '{Get{Doc(nearVector:{vector:[1,2,3]},limit:9000,offset:2000){_additional{id}}}}', // over 10,000
      '{Get{Doc(nearVector:{vector:[1,2,3],distance:0.5,certainty:0.5}){_additional{id}}}}',
      '{Get{Doc(nearVector:{vector:[1,1e999,3]}){_additional{id}}}}', // not finite
    ];
    for (const query of errors) {
      const r = await both(query);
      expect(r.planned.raw, query).to.equal(undefined);
      expect(r.planned.status, query).to.equal(r.graphqlJs.status);
      expect(r.planned.status, query).to.equal(422);
      expect(text(r.planned), query).to.equal(text(r.graphqlJs));
    }
  });

  it('hands a value a scalar refuses to graphql-js (a partial answer with its error)', async () => {
    const bad = [object(9, { count: 1.5, title: 'fine' })];
    const r = await both('{Get{Doc(nearVector:{vector:[1,2,3]}){title count _additional{id}}}}', bad);
    expect(r.planned.raw).to.equal(undefined);
    expect(text(r.planned)).to.equal(text(r.graphqlJs));
    expect((r.planned.body as { errors: unknown[] }).errors).to.have.length(1);
  });
});
