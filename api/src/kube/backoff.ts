// Exponential backoff with jitter. Jitter spreads retries of many keys (or many operator
// replicas restarting watches after an API server restart) so they do not arrive in lockstep.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** Delay before retry `attempt` (0-based): min(max, base * 2^attempt), without jitter. */
export function exponentialMs(attempt: number, p: BackoffPolicy): number {
  return Math.min(p.maxMs, p.baseMs * 2 ** Math.min(attempt, 52));
}

/** "Equal jitter": half the exponential delay fixed, the other half random. */
export function jitteredMs(attempt: number, p: BackoffPolicy, random: () => number = Math.random): number {
  const d = exponentialMs(attempt, p);
  return d / 2 + random() * (d / 2);
}

/** Wait `ms` on the real clock (retries of conflicting writes). */
export const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
