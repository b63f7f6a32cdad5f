// The member table of one node: records by name, plus two derived values kept up to date on
// every change so that they cost nothing per packet:
// - `digest`: XOR over live members (alive or suspect) of a hash of (name, incarnation). Two
//   members with the same digest almost surely agree on who is live and at which incarnation
//   (metadata changes always raise the incarnation). It rides in every ping and ack; a
//   mismatch between quiet members triggers a state sync (sync.ts), which is how an update that
//   gossip missed is repaired within a second or two instead of at the next periodic push-pull.
// - `liveVersion`: bumped whenever the live set changes, to cache the probe ring.
import { hash32, mix32 } from './hash.js';
import type { MemberRecord, MemberState } from './types.js';

export function isLive(state: MemberState): boolean {
  return state === 'alive' || state === 'suspect';
}

function digestTerm(r: MemberRecord): number {
  return mix32(hash32(r.name) ^ Math.imul(r.incarnation + 1, 0x9e3779b1));
}

export class MemberTable {
  private readonly byName = new Map<string, MemberRecord>();
  private digestValue = 0;
  private liveCountValue = 0;
  private version = 0;
  private changeCount = 0;
  private liveCache: { version: number; list: MemberRecord[] } | undefined;

  get(name: string): MemberRecord | undefined {
    return this.byName.get(name);
  }

  /** Insert or replace a record, maintaining digest and live count. */
  set(rec: MemberRecord): void {
    const prev = this.byName.get(rec.name);
    if (prev) this.account(prev, -1);
    this.byName.set(rec.name, rec);
    this.account(rec, +1);
    if (!prev || isLive(prev.state) !== isLive(rec.state)) this.version++;
    this.changeCount++;
    this.liveCache = undefined;
  }

  delete(name: string): void {
    const prev = this.byName.get(name);
    if (!prev) return;
    this.account(prev, -1);
    this.byName.delete(name);
    this.version++;
    this.changeCount++;
    this.liveCache = undefined;
  }

  private account(r: MemberRecord, sign: 1 | -1): void {
    if (!isLive(r.state)) return;
    this.digestValue = (this.digestValue ^ digestTerm(r)) >>> 0;
    this.liveCountValue += sign;
  }

  get digest(): number {
    return this.digestValue;
  }

  /** Members alive or suspect, self included. */
  get liveCount(): number {
    return this.liveCountValue;
  }

  get liveVersion(): number {
    return this.version;
  }

  /** Bumped on every change of any record. */
  get changes(): number {
    return this.changeCount;
  }

  get size(): number {
    return this.byName.size;
  }

  values(): IterableIterator<MemberRecord> {
    return this.byName.values();
  }

  /** Live members (alive or suspect), self included; cached until the next change. */
  live(): readonly MemberRecord[] {
    if (!this.liveCache) {
      const list: MemberRecord[] = [];
      for (const r of this.byName.values()) if (isLive(r.state)) list.push(r);
      this.liveCache = { version: this.version, list };
    }
    return this.liveCache.list;
  }
}
