// The pure pieces: transition rules, Lifeguard's suspicion and health arithmetic, the
// broadcast queue, and the probe schedule.
import { expect } from 'chai';
import { Awareness } from '../../node/src/membership/awareness.js';
import { BroadcastQueue } from '../../node/src/membership/broadcast.js';
import { messageSize } from '../../node/src/membership/codec.js';
import { LAN, retransmitLimit, suspicionK, suspicionMaxMs, suspicionMinMs } from '../../node/src/membership/config.js';
import { MemberTable } from '../../node/src/membership/members.js';
import { MsgType, type AliveMsg, type DeadMsg, type SuspectMsg } from '../../node/src/membership/messages.js';
import { ProbeSchedule } from '../../node/src/membership/schedule.js';
import { decideAlive, decideDead, decideSuspect, type SelfView } from '../../node/src/membership/state.js';
import { Suspicion, suspicionTimeoutMs } from '../../node/src/membership/suspicion.js';
import type { MemberRecord } from '../../node/src/membership/types.js';

const self: SelfView = { name: 'me', incarnation: 5, addr: '10.0.0.1:7000', meta: new Uint8Array([1]), leaving: false };
const rec = (over: Partial<MemberRecord> = {}): MemberRecord => ({
  name: 'x', addr: '10.0.0.2:7000', meta: new Uint8Array(0), incarnation: 3, state: 'alive', stateChangeMs: 0, ...over,
});
const alive = (inc: number, over: Partial<AliveMsg> = {}): AliveMsg => ({ t: MsgType.Alive, inc, node: 'x', addr: '10.0.0.2:7000', meta: new Uint8Array(0), ...over });
const suspect = (inc: number, node = 'x'): SuspectMsg => ({ t: MsgType.Suspect, inc, node, from: 'y' });
const dead = (inc: number, from = 'y', node = 'x'): DeadMsg => ({ t: MsgType.Dead, inc, node, from });

describe('membership transition rules (state.ts)', () => {
  it('accepts alive only at a strictly greater incarnation', () => {
    expect(decideAlive(rec(), alive(3), self, 10).kind).to.equal('ignore');
    expect(decideAlive(rec(), alive(2), self, 10).kind).to.equal('ignore');
    const d = decideAlive(rec(), alive(4), self, 10);
    expect(d.kind).to.equal('apply');
  });

  it('a new member joins; a dead or left one rejoins; a suspect one is alive again', () => {
    expect(decideAlive(undefined, alive(1), self, 10)).to.include({ kind: 'apply' }).and.have.deep.property('events', ['join']);
    expect(decideAlive(rec({ state: 'dead' }), alive(4), self, 10)).to.have.deep.property('events', ['join']);
    expect(decideAlive(rec({ state: 'left' }), alive(4), self, 10)).to.have.deep.property('events', ['join']);
    expect(decideAlive(rec({ state: 'suspect' }), alive(4), self, 10)).to.have.deep.property('events', ['alive']);
  });

  it('reports metadata and address changes as updates (a restarted pod may move)', () => {
    const d = decideAlive(rec(), alive(4, { meta: new Uint8Array([9]) }), self, 10);
    expect(d).to.have.deep.property('events', ['update']);
    const moved = decideAlive(rec(), alive(4, { addr: '10.0.0.9:7000' }), self, 10);
    expect(moved).to.include({ kind: 'apply', addrChanged: true });
    expect(decideAlive(rec(), alive(4), self, 10)).to.have.deep.property('events', []);
  });

  it('a stale alive never resurrects a dead member', () => {
    expect(decideAlive(rec({ state: 'dead', incarnation: 3 }), alive(3), self, 10).kind).to.equal('ignore');
  });

  it('refutes any accusation about ourselves at or above our incarnation, unless leaving', () => {
    expect(decideSuspect(rec({ name: 'me', incarnation: 5 }), suspect(5, 'me'), self, 1)).to.deep.equal({ kind: 'refute', accusedInc: 5, conflict: false });
    expect(decideDead(rec({ name: 'me', incarnation: 5 }), dead(6, 'y', 'me'), self, 1)).to.deep.equal({ kind: 'refute', accusedInc: 6, conflict: false });
    expect(decideSuspect(rec({ name: 'me', incarnation: 5 }), suspect(4, 'me'), self, 1).kind).to.equal('ignore');
    expect(decideDead(rec({ name: 'me', incarnation: 5 }), dead(5, 'me', 'me'), { ...self, leaving: true }, 1).kind).to.equal('ignore');
    expect(decideAlive(undefined, alive(5, { node: 'me', addr: '10.0.0.7:7000' }), self, 1)).to.deep.equal({ kind: 'refute', accusedInc: 5, conflict: true });
    expect(decideAlive(undefined, alive(5, { node: 'me', addr: self.addr, meta: self.meta }), self, 1).kind).to.equal('ignore');
  });

  it('only an alive member becomes suspect; a suspect one collects confirmations', () => {
    expect(decideSuspect(rec(), suspect(3), self, 7)).to.deep.include({ kind: 'apply', events: ['suspect'] });
    expect(decideSuspect(rec({ state: 'suspect' }), suspect(3), self, 7).kind).to.equal('confirm');
    expect(decideSuspect(rec({ state: 'dead' }), suspect(3), self, 7).kind).to.equal('ignore');
    expect(decideSuspect(rec(), suspect(2), self, 7).kind).to.equal('ignore');
    expect(decideSuspect(undefined, suspect(9), self, 7).kind).to.equal('ignore');
  });

  it('dead from the member itself is a leave; from anyone else a failure', () => {
    const left = decideDead(rec(), dead(3, 'x'), self, 1);
    expect(left).to.deep.include({ kind: 'apply', events: ['left'] });
    const failed = decideDead(rec(), dead(3, 'y'), self, 1);
    expect(failed).to.deep.include({ kind: 'apply', events: ['dead'] });
    expect(decideDead(rec({ state: 'left' }), dead(3, 'y'), self, 1).kind).to.equal('ignore');
    expect(decideDead(rec({ state: 'dead' }), dead(3, 'x'), self, 1)).to.deep.include({ events: ['left'] });
    expect(decideDead(rec({ incarnation: 4 }), dead(3), self, 1).kind).to.equal('ignore');
  });
});

describe('Lifeguard arithmetic', () => {
  it("matches memberlist's dogpile table (mult 5, max mult 2, probe 100 ms)", () => {
    // TestMemberList_ProbeNode_Suspect_Dogpile: 1000, 750, 604, 500 ms for 0..3 confirmations (k = 3).
    expect([0, 1, 2, 3, 4].map((n) => suspicionTimeoutMs(n, 3, 500, 1000))).to.deep.equal([1000, 750, 604, 500, 500]);
    expect(suspicionTimeoutMs(0, 0, 500, 1000)).to.equal(500);
  });

  it('derives LAN timeouts and retransmits from N like memberlist (log10)', () => {
    expect(suspicionMinMs(LAN, 50)).to.equal(6796);
    expect(suspicionMaxMs(LAN, 50)).to.equal(6 * 6796);
    expect(suspicionMinMs(LAN, 5)).to.equal(4000);
    expect(suspicionK(LAN, 50)).to.equal(2);
    expect(suspicionK(LAN, 3)).to.equal(0);
    expect(retransmitLimit(LAN, 50)).to.equal(8);
    expect(retransmitLimit(LAN, 100)).to.equal(12);
  });

  it('a suspicion shrinks only with new, independent confirmations, and can be postponed', () => {
    const s = new Suspicion(1000, 3, 'accuser', 2, 4000, 24000);
    expect(s.deadlineMs()).to.equal(25000);
    expect(s.confirm('accuser')).to.equal(false);
    expect(s.confirm('b')).to.equal(true);
    expect(s.confirm('b')).to.equal(false);
    expect(s.confirm('c')).to.equal(true);
    expect(s.deadlineMs()).to.equal(5000);
    s.postpone(9000);
    expect(s.deadlineMs()).to.equal(9000);
    s.postpone(100);
    expect(s.deadlineMs()).to.equal(9000);
  });

  it('health score is clamped to 0..max-1 and scales timeouts by score + 1', () => {
    const a = new Awareness(8);
    a.apply(-3);
    expect(a.value).to.equal(0);
    a.apply(20);
    expect(a.value).to.equal(7);
    expect(a.scale(500)).to.equal(4000);
  });
});

describe('broadcast queue', () => {
  const al = (node: string, inc: number): AliveMsg => ({ t: MsgType.Alive, inc, node, addr: 'a:1', meta: new Uint8Array(0) });

  it('keeps one message per member: a newer one replaces the queued one', () => {
    const q = new BroadcastQueue();
    q.enqueue('x', al('x', 1));
    q.enqueue('x', { t: MsgType.Suspect, inc: 1, node: 'x', from: 'y' });
    expect(q.size).to.equal(1);
    expect(q.take(1000, 4).map((m) => m.t)).to.deep.equal([MsgType.Suspect]);
  });

  it('sends the least transmitted, then the newest, first; drops after the limit', () => {
    const q = new BroadcastQueue();
    q.enqueue('a', al('a', 1));
    q.enqueue('b', al('b', 1));
    expect(q.take(1000, 2).map((m) => (m as AliveMsg).node)).to.deep.equal(['b', 'a']);
    q.enqueue('c', al('c', 1));
    expect(q.take(1000, 2).map((m) => (m as AliveMsg).node)).to.deep.equal(['c', 'b', 'a']);
    expect(q.has('a')).to.equal(false);
    expect(q.take(1000, 2).map((m) => (m as AliveMsg).node)).to.deep.equal(['c']);
    expect(q.isEmpty()).to.equal(true);
  });

  it('never exceeds the byte budget', () => {
    const q = new BroadcastQueue();
    for (let i = 0; i < 50; i++) q.enqueue(`m${i}`, al(`m${i}`, i));
    const one = messageSize(al('m10', 10));
    const taken = q.take(one * 3 + 2, 8);
    expect(taken.reduce((n, m) => n + messageSize(m), 0)).to.be.at.most(one * 3 + 2);
    expect(taken.length).to.be.at.least(2);
  });
});

describe('probe schedule', () => {
  function table(names: string[]): MemberTable {
    const t = new MemberTable();
    for (const name of names) t.set({ name, addr: `${name}:1`, meta: new Uint8Array(0), incarnation: 1, state: 'alive', stateChangeMs: 0 });
    return t;
  }

  it('with a shared view, every member is probed exactly once per round, and each prober covers everyone once per cycle', () => {
    const names = Array.from({ length: 13 }, (_, i) => `node-${i}`);
    const t = table(names);
    const schedules = names.map((n) => new ProbeSchedule(n));
    const period = names.length - 1;
    const firstRound = 5 * period; // the start of a cycle
    const covered = names.map(() => new Set<string>());
    for (let round = firstRound; round < firstRound + period; round++) {
      const targets = schedules.map((s) => s.target(round, t) as string);
      expect(new Set(targets).size, `round ${round}`).to.equal(names.length);
      targets.forEach((target, i) => {
        expect(target).to.not.equal(names[i]);
        covered[i].add(target);
      });
    }
    covered.forEach((c) => expect(c.size).to.equal(period));
  });

  it('reshuffles the ring from one cycle to the next, and has no target when alone', () => {
    const names = Array.from({ length: 8 }, (_, i) => `m${i}`);
    const s = new ProbeSchedule('m0');
    const t = table(names);
    const cycle = (c: number) => Array.from({ length: 7 }, (_, i) => s.target(c * 7 + i, t));
    expect(cycle(1)).to.not.deep.equal(cycle(2));
    expect(new ProbeSchedule('solo').target(3, table(['solo']))).to.equal(undefined);
  });
});
