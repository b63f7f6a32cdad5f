// What survives a restart and what stops a start: schema and objects across graceful stops (also
// under another node name), and clear refusals for a damaged data directory or a bad setting.
import { expect } from 'chai';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNodeProcess, stopAllNodes, tempDataDir } from '../support/node-process.js';

const ID = '36ddd591-2dee-4e7e-a3cc-eb86d30a4303';

/** The error of a start that must fail. */
async function startError(opts: Parameters<typeof startNodeProcess>[0]): Promise<Error> {
  try {
    await startNodeProcess(opts);
  } catch (e) {
    return e as Error;
  }
  throw new Error('the node started, but it should have refused');
}

describe('node restarts', function () {
  this.timeout(120_000);
  after(stopAllNodes);

  it('keeps schema, fixed dimensions and objects across a graceful stop, even under another name', async () => {
    const dataDir = tempDataDir();
    const first = await startNodeProcess({ dataDir, nodeName: 'first' });
    await first.waitReady();
    expect((await first.client.post('/v1/schema', { class: 'Keep', shardingConfig: { desiredCount: 2 }, properties: [{ name: 't', dataType: ['text'] }] })).status).to.equal(200);
    expect((await first.client.post('/v1/objects', { class: 'Keep', id: ID, properties: { t: 'kept' }, vector: [1, 2, 3] })).status).to.equal(200);
    expect(await first.stop()).to.equal(0);
    expect(first.logs()).to.match(/"msg":"stopping","signal":"SIGTERM"/);

    const second = await startNodeProcess({ dataDir, nodeName: 'second' });
    await second.waitReady();
    const cls = await second.client.get('/v1/schema/Keep');
    expect(cls.body.vectorIndexConfig.dimensions).to.equal(3);
    expect(cls.body.shardingConfig.actualCount).to.equal(2);
    const obj = await second.client.get(`/v1/objects/Keep/${ID}?include=vector`);
    expect(obj.body.properties).to.deep.equal({ t: 'kept' });
    expect(obj.body.vector).to.deep.equal([1, 2, 3]);
    const nodes = await second.client.get('/v1/nodes?output=verbose');
    expect(nodes.body.nodes[0]).to.deep.include({ name: 'second', stats: { shardCount: 2, objectCount: 1 } });
    await second.stop();
  });

  it('refuses to start on a damaged schema file, naming it', async () => {
    const dataDir = tempDataDir();
    const node = await startNodeProcess({ dataDir });
    await node.client.post('/v1/schema', { class: 'Keep' });
    await node.stop();
    const file = join(dataDir, 'control', 'schema.json');
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 50));
    expect((await startError({ dataDir })).message).to.match(/cannot read the schema in .*schema\.json: not JSON/);
  });

  it('refuses to start when shards exist but the schema file is gone, rather than dropping them', async () => {
    const dataDir = tempDataDir();
    const node = await startNodeProcess({ dataDir });
    await node.client.post('/v1/schema', { class: 'Keep' });
    await node.client.post('/v1/objects', { class: 'Keep', vector: [1, 2] });
    await node.stop();
    rmSync(join(dataDir, 'control'), { recursive: true });
    expect((await startError({ dataDir })).message).to.match(/shards exist .* schema .* is missing; refusing to start/);
  });

  it('stops at start with a message naming a bad variable', async () => {
    const bad = await startError({ env: { SHOAL_MAX_BODY_BYTES: 'lots' } });
    expect(bad.message).to.match(/exited during start \(2\)/);
    expect(bad.message).to.match(/SHOAL_MAX_BODY_BYTES must be an integer/);
    expect((await startError({ env: { SHOAL_CONTROL: 'kube' } })).message).to.match(/SHOAL_CLUSTER is required with SHOAL_CONTROL=kube/);
  });
});
