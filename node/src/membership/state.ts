// Membership transitions as pure functions: (the record we hold, a message, who we are) ->
// a decision. The core applies decisions (store, gossip, emit, start or stop timers); nothing
// here has side effects, so every rule is unit-testable in isolation.
//
// The rules are memberlist's (facts in shared/reference/membership-and-faults.md, 1.3):
// - Incarnation numbers are owned by the member they describe. An alive message is accepted
//   only with a strictly greater incarnation; suspect and dead are accepted at an equal or
//   greater one. So a refutation (alive at inc+1) beats the suspicion it answers, and a stale
//   alive can never resurrect a member declared dead.
// - Any accusation about ourselves is refuted (raise our incarnation above it), unless we are
//   leaving. Only an alive member can become suspect.
// - dead with from == node is a graceful leave and gives `left`.
// One deliberate difference: an alive at a higher incarnation may change a member's address
// even while the old record is alive. A StatefulSet pod keeps its name across restarts but not
// its IP, and a restarted pod must win over its old record at once; two live processes with
// one name are a misconfiguration that the core logs as a conflict.
import { sameBytes } from './codec.js';
import type { AliveMsg, DeadMsg, SuspectMsg } from './messages.js';
import type { MemberEventType, MemberRecord } from './types.js';

/** What the deciding member knows about itself. */
export interface SelfView {
  name: string;
  incarnation: number;
  addr: string;
  meta: Uint8Array;
  leaving: boolean;
}

export type Decision =
  | { kind: 'ignore' }
  /** Raise our incarnation above `accusedInc` and gossip alive. `conflict`: another address claims our name. */
  | { kind: 'refute'; accusedInc: number; conflict: boolean }
  /** The member is already suspect: count the accuser as a confirmation. */
  | { kind: 'confirm' }
  /** Store `next`, gossip the message on, and tell subscribers `events`. */
  | { kind: 'apply'; next: MemberRecord; events: MemberEventType[]; addrChanged: boolean };

const IGNORE: Decision = { kind: 'ignore' };

export function decideAlive(prev: MemberRecord | undefined, msg: AliveMsg, self: SelfView, nowMs: number): Decision {
  if (msg.node === self.name) {
    if (self.leaving || msg.inc < self.incarnation) return IGNORE;
    if (msg.inc === self.incarnation && msg.addr === self.addr && sameBytes(msg.meta, self.meta)) return IGNORE;
    return { kind: 'refute', accusedInc: msg.inc, conflict: msg.addr !== self.addr };
  }
  const next: MemberRecord = {
    name: msg.node, addr: msg.addr, meta: msg.meta, incarnation: msg.inc, state: 'alive',
    stateChangeMs: prev && prev.state === 'alive' ? prev.stateChangeMs : nowMs,
  };
  if (!prev) return { kind: 'apply', next, events: ['join'], addrChanged: false };
  if (msg.inc <= prev.incarnation) return IGNORE;
  const addrChanged = msg.addr !== prev.addr;
  const changed = addrChanged || !sameBytes(msg.meta, prev.meta);
  const events: MemberEventType[] = [];
  if (prev.state === 'dead' || prev.state === 'left') events.push('join');
  else if (prev.state === 'suspect') events.push('alive');
  if (changed && prev.state !== 'dead' && prev.state !== 'left') events.push('update');
  return { kind: 'apply', next, events, addrChanged };
}

export function decideSuspect(prev: MemberRecord | undefined, msg: SuspectMsg, self: SelfView, nowMs: number): Decision {
  if (!prev || msg.inc < prev.incarnation) return IGNORE;
  if (msg.node === self.name) {
    return self.leaving ? IGNORE : { kind: 'refute', accusedInc: msg.inc, conflict: false };
  }
  if (prev.state === 'suspect') return { kind: 'confirm' };
  if (prev.state !== 'alive') return IGNORE;
  const next: MemberRecord = { ...prev, incarnation: msg.inc, state: 'suspect', stateChangeMs: nowMs };
  return { kind: 'apply', next, events: ['suspect'], addrChanged: false };
}

export function decideDead(prev: MemberRecord | undefined, msg: DeadMsg, self: SelfView, nowMs: number): Decision {
  if (!prev || msg.inc < prev.incarnation) return IGNORE;
  if (msg.node === self.name) {
    return self.leaving ? IGNORE : { kind: 'refute', accusedInc: msg.inc, conflict: false };
  }
  const left = msg.from === msg.node;
  if (prev.state === 'left' || (prev.state === 'dead' && !left)) return IGNORE;
  const next: MemberRecord = { ...prev, incarnation: msg.inc, state: left ? 'left' : 'dead', stateChangeMs: nowMs };
  return { kind: 'apply', next, events: [left ? 'left' : 'dead'], addrChanged: false };
}
