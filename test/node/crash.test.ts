// Crash safety through the HTTP API: import continuously, kill -9 the node mid-import, restart
// it on the same data directory; every acknowledged object must be present and searchable.
// Repeated, with and without frequent index snapshots (restore = snapshot + replay, or rebuild).
import { expect } from 'chai';
import { startNodeProcess, stopAllNodes, tempDataDir, type NodeProcess } from '../support/node-process.js';
import { seededRandom, randomVector, randomUuid } from '../support/vectors.js';
import { waitFor } from '../support/wait.js';

const DIMS = 16;
const BATCH = 40;

interface Acked {
  id: string;
  vector: number[];
}

/** Import batches from `writers` concurrent loops until the node dies; collect acknowledged objects. */
function importUntilDeath(node: NodeProcess, random: () => number, acked: Acked[], writers: number): Promise<void> {
  const writer = async () => {
    for (;;) {
      const objects = Array.from({ length: BATCH }, () => ({ class: 'Crash', id: randomUuid(random), properties: { n: acked.length }, vector: randomVector(random, DIMS) }));
      let results: Array<{ id: string; result: { status: string } }>;
      try {
        const r = await fetch(`${node.url}/v1/batch/objects`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ objects }) });
        if (r.status !== 200) throw new Error(`status ${r.status}`);
        results = (await r.json()) as typeof results;
      } catch {
        return; // the node is gone: whatever was not acknowledged may or may not be stored
      }
      results.forEach((res, i) => {
        if (res.result.status === 'SUCCESS') acked.push({ id: objects[i].id, vector: objects[i].vector });
      });
    }
  };
  return Promise.all(Array.from({ length: writers }, writer)).then(() => undefined);
}

async function allIds(node: NodeProcess): Promise<Set<string>> {
  const ids = new Set<string>();
  let after = '';
  for (;;) {
    const r = await node.client.get(`/v1/objects?class=Crash&limit=1000${after ? `&after=${after}` : ''}`);
    expect(r.status).to.equal(200);
    const page = r.body.objects as Array<{ id: string }>;
    if (page.length === 0) return ids;
    for (const o of page) ids.add(o.id);
    after = page[page.length - 1].id;
  }
}

async function unfindable(node: NodeProcess, acked: Acked[]): Promise<string[]> {
  const missing: string[] = [];
  const queue = [...acked];
  const worker = async () => {
    for (let a = queue.pop(); a; a = queue.pop()) {
      const r = await node.client.graphql(`{Get{Crash(nearVector:{vector:${JSON.stringify(a.vector)}},limit:3){_additional{id}}}}`);
      const ids = (r.body?.data?.Get?.Crash ?? []).map((h: { _additional: { id: string } }) => h._additional.id);
      if (!ids.includes(a.id)) missing.push(a.id);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return missing;
}

for (const snapshots of [{ label: 'without snapshots', env: { SHOAL_SNAPSHOT_INTERVAL_MS: '0' } }, { label: 'with frequent snapshots', env: { SHOAL_SNAPSHOT_INTERVAL_MS: '300' } }]) {
  describe(`crash during import (kill -9, ${snapshots.label})`, function () {
    this.timeout(240_000);
    after(stopAllNodes);

    it('keeps every acknowledged object, searchable, over repeated kills', async () => {
      const dataDir = tempDataDir();
      const random = seededRandom(snapshots.label.length);
      const acked: Acked[] = [];
      let node = await startNodeProcess({ dataDir, env: snapshots.env });
      await node.waitReady();
      const created = await node.client.post('/v1/schema', { class: 'Crash', shardingConfig: { desiredCount: 2 }, properties: [{ name: 'n', dataType: ['int'] }] });
      expect(created.status).to.equal(200);
      for (let round = 1; round <= 3; round++) {
        const target = acked.length + 400 + Math.floor(random() * 400);
        const importing = importUntilDeath(node, random, acked, 3);
        await waitFor(() => acked.length >= target, { timeoutMs: 60_000, what: `${target} acknowledged objects` });
        await node.kill9();
        await importing;
        node = await startNodeProcess({ dataDir, env: snapshots.env });
        await node.waitReady(120_000);
        const ids = await allIds(node);
        const lost = acked.filter((a) => !ids.has(a.id));
        expect(lost.map((a) => a.id), `round ${round}: acknowledged objects lost`).to.deep.equal([]);
        const count = await node.client.graphql('{Aggregate{Crash{meta{count}}}}');
        expect(count.body.data.Aggregate.Crash[0].meta.count).to.equal(ids.size);
        expect(await unfindable(node, acked), `round ${round}: acknowledged objects not found by their own vector`).to.deep.equal([]);
      }
      await node.stop();
    });
  });
}
