// Lifeguard's dynamic suspicion timeout ("LHA-Suspicion"). A suspicion starts with the long
// timeout `max` and shrinks logarithmically toward `min` as independent members confirm it:
//
//   timeout(n) = max(min, max - (ln(n + 1) / ln(k + 1)) * (max - min))
//
// where n is the number of confirmations from members other than the first accuser and k the
// number at which `min` is reached. A lone accuser (which may itself be the unhealthy one)
// thus waits `max`; a crash seen by k+1 members is declared after `min`.

export class Suspicion {
  private readonly confirmers = new Set<string>();
  private extraMs = 0;

  /**
   * @param accuser the member whose accusation started it (its confirmations do not count)
   * @param incarnation the suspected incarnation; a refutation raises it and ends the suspicion
   */
  constructor(
    readonly startMs: number,
    readonly incarnation: number,
    readonly accuser: string,
    private readonly k: number,
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {}

  /** Count a confirmation; true if it is new (then it is worth re-gossiping). */
  confirm(from: string): boolean {
    if (from === this.accuser || this.confirmers.has(from)) return false;
    this.confirmers.add(from);
    return true;
  }

  get confirmations(): number {
    return this.confirmers.size;
  }

  /** Current timeout, from the start of the suspicion. */
  timeoutMs(): number {
    return suspicionTimeoutMs(this.confirmers.size, this.k, this.minMs, this.maxMs);
  }

  /** When the suspect should be declared dead unless it refutes. */
  deadlineMs(): number {
    return this.startMs + this.timeoutMs() + this.extraMs;
  }

  /** Push the deadline to at least `atMs` (used after our own process stalled). */
  postpone(atMs: number): void {
    const deadline = this.deadlineMs();
    if (deadline < atMs) this.extraMs += atMs - deadline;
  }
}

/** The Lifeguard timeout formula; k < 1 means "no confirmations needed": min. */
export function suspicionTimeoutMs(n: number, k: number, minMs: number, maxMs: number): number {
  if (k < 1) return minMs;
  const frac = Math.log(n + 1) / Math.log(k + 1);
  return Math.max(minMs, Math.round(maxMs - frac * (maxMs - minMs)));
}
