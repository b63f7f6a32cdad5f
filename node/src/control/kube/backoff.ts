// Exponential backoff with jitter, for watch restarts, conflict retries and report retries.
// Jitter keeps the pods of a cluster from hitting the API server in lockstep after it restarts.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** "Equal jitter": half of min(max, base * 2^attempt) fixed, the other half random. */
export function jitteredMs(attempt: number, p: BackoffPolicy, random: () => number = Math.random): number {
  const d = Math.min(p.maxMs, p.baseMs * 2 ** Math.min(attempt, 52));
  return d / 2 + random() * (d / 2);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
