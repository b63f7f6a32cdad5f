// Five real Shoal node processes (standalone storage, gossip on through SHOAL_JOIN, fast
// profile) on 127.0.0.1: GET /v1/nodes on every node lists every member with its status and
// version; kill -9 turns a member UNAVAILABLE everywhere, a graceful stop too (left), and a
// restarted node with the same name and data is HEALTHY again everywhere. The protocol's finer
// states (suspect refuted, left versus dead, incarnations) are checked with gossip-only agents in
// processes.test.ts; this file checks the node that users run.
import { expect } from 'chai';
import { startNodeProcess, stopAllNodes, type NodeProcess } from '../support/node-process.js';
import { waitFor } from '../support/wait.js';
import { freePort } from '../support/ports.js';

interface NodesBody {
  nodes: Array<{ name: string; status: string; shoalVersion: string }>;
}

const NAMES = ['g0', 'g1', 'g2', 'g3', 'g4'];

describe('gossip between real node processes', function () {
  this.timeout(180_000);
  const nodes = new Map<string, NodeProcess>();
  const ports = new Map<string, number>();
  const dataDirs = new Map<string, string>();

  const start = async (name: string) => {
    const join = NAMES.filter((n) => n !== name).map((n) => `127.0.0.1:${ports.get(n)}`).join(',');
    const node = await startNodeProcess({
      nodeName: name,
      dataDir: dataDirs.get(name),
      env: { SHOAL_GOSSIP_PORT: String(ports.get(name)), SHOAL_GOSSIP_BIND: '127.0.0.1', SHOAL_ADVERTISE_ADDR: '127.0.0.1', SHOAL_GOSSIP_PROFILE: 'fast', SHOAL_JOIN: join },
    });
    dataDirs.set(name, node.dataDir);
    nodes.set(name, node);
    return node;
  };
  const view = async (name: string) => ((await nodes.get(name)!.client.get('/v1/nodes')).body as NodesBody).nodes;
  const statusIn = async (viewer: string, member: string) => (await view(viewer)).find((n) => n.name === member)?.status;
  const everyone = (except: string[]) => NAMES.filter((n) => !except.includes(n));

  before(async () => {
    for (const n of NAMES) ports.set(n, await freePort());
    await Promise.all(NAMES.map(start));
    await Promise.all([...nodes.values()].map((n) => n.waitReady()));
  });
  after(stopAllNodes);

  it('lists every member, HEALTHY and with its version, on every node', async () => {
    await waitFor(async () => {
      for (const n of NAMES) {
        const v = await view(n);
        if (JSON.stringify(v.map((x) => [x.name, x.status])) !== JSON.stringify(NAMES.map((x) => [x, 'HEALTHY']))) return false;
      }
      return true;
    }, { timeoutMs: 30_000, what: 'all five nodes to list all five as HEALTHY' });
    const meta = (await (await nodes.get('g0')!.client.get('/v1/meta')).body) as { shoalVersion: string };
    for (const entry of await view('g3')) expect(entry.shoalVersion).to.equal(meta.shoalVersion);
  });

  it('shows a node killed with kill -9 as UNAVAILABLE on every other node', async () => {
    await nodes.get('g2')!.kill9();
    await waitFor(async () => {
      for (const n of everyone(['g2'])) if ((await statusIn(n, 'g2')) !== 'UNAVAILABLE') return false;
      return true;
    }, { timeoutMs: 30_000, what: 'g2 UNAVAILABLE everywhere' });
    for (const n of everyone(['g2'])) expect(await statusIn(n, 'g0')).to.equal('HEALTHY');
  });

  it('shows a node stopped gracefully as UNAVAILABLE (it left) on every other node', async () => {
    expect(await nodes.get('g4')!.stop()).to.equal(0);
    await waitFor(async () => {
      for (const n of everyone(['g2', 'g4'])) if ((await statusIn(n, 'g4')) !== 'UNAVAILABLE') return false;
      return true;
    }, { timeoutMs: 15_000, what: 'g4 UNAVAILABLE everywhere' });
  });

  it('brings a restarted node (same name, same data) back as HEALTHY everywhere', async () => {
    await (await start('g2')).waitReady();
    await waitFor(async () => {
      for (const n of everyone(['g4'])) if ((await statusIn(n, 'g2')) !== 'HEALTHY') return false;
      return true;
    }, { timeoutMs: 30_000, what: 'g2 HEALTHY again everywhere' });
    expect(await statusIn('g2', 'g4'), 'the restarted node learns that g4 left').to.equal('UNAVAILABLE');
  });
});
