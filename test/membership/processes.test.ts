// Real sockets, real processes: five gossip agents on 127.0.0.1 (fast profile), driven with
// real signals. Every wait is a poll with a deadline; agents are SIGKILLed in after() whatever
// happens.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { crashDetectionBoundMs, FAST } from '../../node/src/membership/index.js';
import { getJson, killAll, pollUntil, startAgent, stateIn, type Agent, type NodesBody } from './helpers.js';

describe('membership: five processes on real sockets', function () {
  this.timeout(90_000);
  const cluster = `it-${randomBytes(4).toString('hex')}`;
  const env = { SHOAL_CLUSTER_NAME: cluster, SHOAL_GOSSIP_KEY: randomBytes(16).toString('hex'), AGENT_VERSION: '9.9.9-it' };
  const names = ['n0', 'n1', 'n2', 'n3', 'n4'];
  const agents = new Map<string, Agent>();
  const bound = crashDetectionBoundMs(FAST, names.length);

  const agent = (name: string): Agent => agents.get(name) as Agent;
  const others = (...excluded: string[]): Agent[] => names.filter((n) => !excluded.includes(n)).map(agent);

  before(async () => {
    const first = await startAgent('n0', env);
    agents.set('n0', first);
    // The others start together, each given two seeds (one of them not up yet for some).
    const started = await Promise.all(names.slice(1).map((n) => startAgent(n, { ...env, SHOAL_JOIN: `${first.gossip},127.0.0.1:1` })));
    started.forEach((a) => agents.set(a.name, a));
  });

  after(killAll);

  it('converge: every node lists all five as HEALTHY with their version', async () => {
    await pollUntil('all five see five healthy members', async () => {
      const views = await Promise.all(others().map((a) => getJson<NodesBody>(a.httpPort, '/v1/nodes')));
      return views.every((v) => v.nodes.length === 5 && v.nodes.every((n) => n.status === 'HEALTHY'));
    }, 15_000);
    const view = await getJson<NodesBody>(agent('n3').httpPort, '/v1/nodes');
    expect(view.nodes.map((n) => n.name)).to.deep.equal(names);
    expect(view.nodes.every((n) => n.version === '9.9.9-it')).to.equal(true);
  });

  it('SIGSTOP for 3 s then SIGCONT: suspected at most, never dead, ends alive everywhere', async () => {
    const paused = agent('n1');
    const seen = new Set<string>();
    const watch = async () => {
      for (const a of others('n1')) seen.add((await stateIn(a, 'n1')) ?? 'unknown');
      return false;
    };
    paused.proc.kill('SIGSTOP');
    const stoppedAt = Date.now();
    try {
      while (Date.now() - stoppedAt < 3_000) {
        await watch();
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      paused.proc.kill('SIGCONT');
    }
    expect(Date.now() - stoppedAt).to.be.at.least(3_000);
    await pollUntil('n1 alive again in every view', async () => {
      await watch();
      const states = await Promise.all(others().map((a) => stateIn(a, 'n1')));
      return states.every((s) => s === 'alive');
    }, 10_000);
    // Keep watching past the point where an unrefuted suspicion would have turned into "dead".
    const until = stoppedAt + 2 * bound;
    while (Date.now() < until) {
      await watch();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect([...seen]).to.not.include('dead');
    expect([...seen], 'the pause was noticed').to.include('suspect');
    const states = await Promise.all(others().map((a) => stateIn(a, 'n1')));
    expect(states).to.deep.equal(['alive', 'alive', 'alive', 'alive', 'alive']);
  });

  it(`kill -9: every other node sees it dead within the fast profile's bound (${bound} ms)`, async () => {
    const victim = agent('n2');
    victim.proc.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited;
    const seen = new Set<string>();
    const tookMs = await pollUntil('n2 dead in every other view', async () => {
      const states = await Promise.all(others('n2').map((a) => stateIn(a, 'n2')));
      states.forEach((s) => seen.add(s ?? 'unknown'));
      return states.every((s) => s === 'dead');
    }, 4 * bound, 50);
    const elapsed = Date.now() - killedAt;
    expect(seen, 'a crash is a failure, not a leave').to.not.include('left');
    // The bound is computed for a quiet network; allow half again for a loaded 2-core machine
    // and the polling itself.
    expect(elapsed, `took ${tookMs} ms of polling`).to.be.at.most(1.5 * bound);
    const view = await getJson<NodesBody>(agent('n0').httpPort, '/v1/nodes');
    expect(view.nodes.find((n) => n.name === 'n2')?.status).to.equal('UNAVAILABLE');
  });

  it('SIGTERM: the others record it as left, never dead', async () => {
    const leaving = agent('n3');
    leaving.proc.kill('SIGTERM');
    const seen = new Set<string>();
    await pollUntil('n3 left in every other view', async () => {
      const states = await Promise.all(others('n2', 'n3').map((a) => stateIn(a, 'n3')));
      states.forEach((s) => seen.add(s ?? 'unknown'));
      return states.every((s) => s === 'left');
    }, 10_000, 50);
    const exit = await leaving.exited;
    expect(exit.code).to.equal(0);
    expect(seen).to.not.include('dead');
    const view = await getJson<NodesBody>(agent('n4').httpPort, '/v1/nodes');
    expect(view.nodes.find((n) => n.name === 'n3')?.status).to.equal('UNAVAILABLE');
  });

  it('a restarted process with the same name rejoins and wins over its dead record', async () => {
    const seeds = others('n2', 'n3').map((a) => a.gossip).join(',');
    const restarted = await startAgent('n2', { ...env, SHOAL_JOIN: seeds });
    agents.set('n2', restarted);
    await pollUntil('n2 alive again in every view, and it sees everyone', async () => {
      const views = await Promise.all(others('n3').map((a) => getJson<NodesBody>(a.httpPort, '/v1/nodes')));
      return views.every((v) => ['n0', 'n1', 'n2', 'n4'].every((n) => v.nodes.find((x) => x.name === n)?.status === 'HEALTHY'));
    }, 15_000);
    const view = await getJson<NodesBody>(restarted.httpPort, '/v1/nodes');
    expect(view.nodes.find((n) => n.name === 'n3')?.status, 'the leave is known to the newcomer too').to.equal('UNAVAILABLE');
    const members = await getJson<{ members: { name: string; incarnation: number; address: string }[] }>(agent('n0').httpPort, '/debug/members');
    const record = members.members.find((m) => m.name === 'n2');
    expect(record?.address).to.equal(restarted.gossip);
    expect(record?.incarnation, 'refuted its old record with a higher incarnation').to.be.greaterThan(1);
  });
});
