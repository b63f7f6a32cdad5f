// A small workload on a node, so that every workload metric has samples.
import { expect } from 'chai';
import type { NodeProcess } from '../support/node-process.js';
import { seededRandom, randomVector, randomUuid } from '../support/vectors.js';

const DIMS = 4;

/** Create a class, import objects and query them, so that every workload metric has samples. */
export async function exerciseNode(node: NodeProcess, className = 'Metric', count = 40): Promise<void> {
  const api = node.client;
  const created = await api.post('/v1/schema', {
    class: className, vectorIndexConfig: { distance: 'cosine' }, shardingConfig: { desiredCount: 2 },
    properties: [{ name: 'title', dataType: ['text'] }],
  });
  expect(created.status, created.text).to.equal(200);
  const random = seededRandom(11);
  const objects = Array.from({ length: count }, (_, i) => ({ class: className, id: randomUuid(random), properties: { title: `t${i}` }, vector: randomVector(random, DIMS) }));
  const imported = await api.post('/v1/batch/objects', { objects });
  expect(imported.status, imported.text).to.equal(200);
  const q = await api.graphql(`{Get{${className}(nearVector:{vector:${JSON.stringify(objects[0].vector)}},limit:3){title _additional{id distance}}}}`);
  expect(q.status, q.text).to.equal(200);
  expect(q.body.data.Get[className][0]._additional.id).to.equal(objects[0].id);
  const agg = await api.graphql(`{Aggregate{${className}{meta{count}}}}`);
  expect(agg.body.data.Aggregate[className][0].meta.count).to.equal(count);
}

