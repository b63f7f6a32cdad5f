// Lifeguard's local health awareness ("LHA-Probe"). A member that misses acks and nacks it
// should have received, or that must refute accusations, or whose own event loop stalled,
// doubts itself: it raises a score and stretches its probe interval and timeout by
// (score + 1), so that a slow member stops accusing healthy ones. Successful probes lower it.

export class Awareness {
  private score = 0;

  /** @param maxMultiplier scores range over 0..maxMultiplier-1 (memberlist: 8). */
  constructor(private readonly maxMultiplier: number) {}

  /** Current health score: 0 is healthy, higher is less trusted. */
  get value(): number {
    return this.score;
  }

  /** Add delta (positive: evidence we are unhealthy), clamped to the range. */
  apply(delta: number): void {
    this.score = Math.min(this.maxMultiplier - 1, Math.max(0, this.score + delta));
  }

  /** Scale a timeout by (score + 1). */
  scale(ms: number): number {
    return ms * (this.score + 1);
  }
}
