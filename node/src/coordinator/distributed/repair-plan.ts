// What anti-entropy exchanges after comparing two replicas' entries in the buckets that
// differ. Pure. Newer (version, origin) wins in both directions: ids the peer holds newer (or
// only the peer holds) are pulled, ids this replica holds newer (or only it holds) are pushed.
// Tombstones are entries like any other, so a delete travels to a replica that missed it and a
// replica that missed it can never bring the object back.
//
// Entries stamped in the last `settleMs` are left alone: they are most likely writes still in
// flight to the other replica, and the next round will see them if they are not.
import { supersedes } from '../../objects/types.js';
import type { RecordEntry } from '../../rpc/replica/ops.js';
import { versionTimeMs } from '../../objects/hlc.js';

export interface RepairPlan {
  pull: string[];
  push: string[];
}

export function planRepair(local: readonly RecordEntry[], remote: readonly RecordEntry[], nowMs: number, settleMs: number): RepairPlan {
  const mine = new Map(local.map((e) => [e.id, e]));
  const theirs = new Map(remote.map((e) => [e.id, e]));
  const settled = (e: RecordEntry) => versionTimeMs(e.version) <= nowMs - settleMs;
  const pull: string[] = [];
  const push: string[] = [];
  for (const t of theirs.values()) {
    const m = mine.get(t.id);
    if ((!m || supersedes(t, m)) && settled(t)) pull.push(t.id);
  }
  for (const m of mine.values()) {
    const t = theirs.get(m.id);
    if ((!t || supersedes(m, t)) && settled(m)) push.push(m.id);
  }
  return { pull: pull.sort(), push: push.sort() };
}
