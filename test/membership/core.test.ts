// Protocol scenarios as short scripts on the simulated network (virtual time, seeded).
import { expect } from 'chai';
import { decodeMeta, encodeMeta } from '../../node/src/membership/codec.js';
import { LAN } from '../../node/src/membership/config.js';
import { Simulation } from '../../node/src/membership/sim.js';
import type { MemberEvent } from '../../node/src/membership/types.js';
import { crashDetection } from './scenarios.js';

function cluster(n: number, seed = 1, loss = 0): { sim: Simulation; names: string[]; events: { t: number; observer: string; ev: MemberEvent }[] } {
  const sim = new Simulation({ seed, config: LAN, loss });
  const events: { t: number; observer: string; ev: MemberEvent }[] = [];
  sim.onEvent((t, observer, ev) => events.push({ t, observer, ev }));
  const names = sim.startCluster(n);
  sim.runFor(20 * n + 100);
  expect(sim.runUntil(() => sim.converged(), 30_000), 'initial convergence').to.not.equal(undefined);
  sim.runFor(2_000);
  events.length = 0;
  return { sim, names, events };
}

const statesOf = (sim: Simulation, observers: string[], subject: string) => observers.map((o) => sim.view(o, subject)?.state);

describe('membership protocol scenarios (simulated)', () => {
  it('buddy system: a member that cannot be heard learns of its suspicion from the ping and refutes', () => {
    const { sim, names, events } = cluster(8);
    const x = 'n3';
    const before = sim.core(x).currentIncarnation;
    sim.partition([x], names.filter((n) => n !== x), true); // x hears everyone, nobody hears x
    sim.runFor(3_000);
    expect(events.some((e) => e.ev.type === 'suspect' && e.ev.member.name === x), 'x was suspected').to.equal(true);
    expect(sim.core(x).currentIncarnation, 'x refuted while still unheard').to.be.greaterThan(before);
    sim.heal();
    sim.runUntil(() => sim.converged(), 10_000);
    expect(statesOf(sim, names, x).every((s) => s === 'alive')).to.equal(true);
    expect(events.filter((e) => e.ev.type === 'dead')).to.deep.equal([]);
  });

  it('graceful leave: everyone records "left", nobody "dead", and the leaver stops probing', () => {
    const { sim, names, events } = cluster(10);
    sim.leave('n4');
    sim.runFor(2_000);
    expect(sim.core('n4').leaveDone()).to.equal(true);
    expect(statesOf(sim, names.filter((n) => n !== 'n4'), 'n4').every((s) => s === 'left')).to.equal(true);
    const probes = sim.core('n4').stats.probes;
    sim.runFor(5_000);
    expect(sim.core('n4').stats.probes).to.equal(probes);
    expect(events.filter((e) => e.ev.type === 'dead')).to.deep.equal([]);
  });

  it('crash, then restart with the same name: declared dead, then rejoins at a higher incarnation', () => {
    const { sim, names } = cluster(10);
    const others = names.filter((n) => n !== 'n6');
    sim.crash('n6');
    expect(sim.runUntil(() => statesOf(sim, others, 'n6').every((s) => s === 'dead'), 30_000)).to.not.equal(undefined);
    const deadInc = sim.view('n0', 'n6')?.incarnation ?? 0;
    sim.restart('n6', encodeMeta({ version: 'restarted' }));
    sim.join('n6', ['n1']);
    expect(sim.runUntil(() => sim.converged(), 10_000), 'rejoined').to.not.equal(undefined);
    for (const o of others) {
      const rec = sim.view(o, 'n6');
      expect(rec?.incarnation).to.be.greaterThan(deadInc);
      expect(decodeMeta(rec!.meta).version).to.equal('restarted');
    }
  });

  it('one-way partition long enough to be declared dead: after healing, the member refutes and is alive everywhere', () => {
    const { sim, names } = cluster(12);
    const others = names.filter((n) => n !== 'n2');
    sim.partition(['n2'], others, true);
    expect(sim.runUntil(() => statesOf(sim, others, 'n2').every((s) => s === 'dead'), 60_000)).to.not.equal(undefined);
    sim.heal();
    const took = sim.runUntil(() => sim.converged(), 30_000, 10);
    expect(took, 'converged after healing').to.not.equal(undefined);
    expect(took!).to.be.at.most(5_000);
  });

  it('Lifeguard: a member that hears no acks raises its health score, probes less, and recovers when healed', () => {
    const { sim, names } = cluster(10);
    const x = 'n5';
    sim.partition(names.filter((n) => n !== x), [x], true); // x's pings go out, nothing comes back
    const probesBefore = sim.core(x).stats.probes;
    sim.runFor(30_000);
    expect(sim.core(x).healthScore()).to.be.at.least(5);
    // A healthy member probes once per second; a degraded one far less.
    expect(sim.core(x).stats.probes - probesBefore).to.be.below(15);
    sim.heal();
    sim.runUntil(() => sim.converged(), 60_000, 100);
    // Each successful probe lowers the score by one; at score s it probes every s+1 rounds.
    sim.runFor(45_000);
    expect(sim.converged()).to.equal(true);
    expect(sim.core(x).healthScore()).to.equal(0);
  });

  it('a frozen member notices its own stall, does not accuse anyone on waking, and rejoins', () => {
    const { sim, names } = cluster(10);
    const x = 'n7';
    sim.freeze(x, 20_000);
    sim.runFor(20_000);
    expect(statesOf(sim, names.filter((n) => n !== x), x).every((s) => s === 'dead')).to.equal(true);
    sim.runFor(1);
    expect(sim.core(x).stats.stalls).to.be.at.least(1);
    expect(sim.core(x).healthScore()).to.be.at.least(1);
    expect(sim.runUntil(() => sim.converged(), 10_000, 50)).to.not.equal(undefined);
    expect(sim.core(x).stats.deathsDeclared).to.equal(0);
  });

  it('metadata updates reach everyone and raise the incarnation', () => {
    const { sim, names } = cluster(20);
    const inc = sim.core('n9').currentIncarnation;
    sim.updateMeta('n9', encodeMeta({ version: '2.0.0', zone: 'b' }));
    sim.runFor(2_000);
    for (const o of names) expect(decodeMeta(sim.view(o, 'n9')!.meta)).to.deep.equal({ version: '2.0.0', zone: 'b' });
    expect(sim.core('n9').currentIncarnation).to.equal(inc + 1);
  });

  it('is deterministic: the same seed gives the same run, another seed another one', () => {
    const a = crashDetection({ seed: 42, n: 20, config: LAN, loss: 0.05 });
    const b = crashDetection({ seed: 42, n: 20, config: LAN, loss: 0.05 });
    const c = crashDetection({ seed: 43, n: 20, config: LAN, loss: 0.05 });
    expect(a).to.deep.equal(b);
    expect(a).to.not.deep.equal(c);
  });
});
