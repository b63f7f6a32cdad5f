// Reconnect backoff, as a pure value: after n consecutive failures the next attempt waits
// initial * 2^(n-1), capped at max, with +-20% jitter so that pods restarting together do not
// reconnect in lockstep. A success resets it.

export interface BackoffConfig {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = { initialMs: 100, maxMs: 5_000 };

export interface BackoffState {
  failures: number;
  /** Monotonic time (ms) before which no attempt is made; 0 = now. */
  retryAtMs: number;
}

export const FRESH: BackoffState = { failures: 0, retryAtMs: 0 };

export function afterFailure(state: BackoffState, nowMs: number, config: BackoffConfig, random: () => number = Math.random): BackoffState {
  const failures = state.failures + 1;
  const base = Math.min(config.maxMs, config.initialMs * 2 ** Math.min(failures - 1, 30));
  const jittered = base * (0.8 + 0.4 * random());
  return { failures, retryAtMs: nowMs + jittered };
}

export function mayAttempt(state: BackoffState, nowMs: number): boolean {
  return nowMs >= state.retryAtMs;
}
