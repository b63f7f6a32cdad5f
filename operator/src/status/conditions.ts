// Conditions bookkeeping: lastTransitionTime changes only when a condition's status changes,
// so rewriting the same observation is a no-op (no status write, no watch event, no hot loop).
import type { Condition, ConditionStatus } from '../../../api/index.js';

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

export function mergeConditions(previous: readonly Condition[] | undefined, next: readonly ConditionInput[], generation: number | undefined, nowIso: string): Condition[] {
  return next.map((c) => {
    const prev = previous?.find((p) => p.type === c.type);
    const lastTransitionTime = prev && prev.status === c.status ? prev.lastTransitionTime : nowIso;
    const out: Condition = { type: c.type, status: c.status, reason: c.reason, message: c.message, lastTransitionTime };
    if (generation !== undefined) out.observedGeneration = generation;
    return out;
  });
}

export function conditionOf(conds: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conds?.find((c) => c.type === type);
}
