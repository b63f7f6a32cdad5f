// Hybrid logical clock: versions that follow wall time but never go backwards and always exceed
// every version this pod has seen, so last-write-wins respects causality across pods.
// Encoded in one double: physical milliseconds * 1000 + logical counter (< 1000). Today's
// milliseconds (~1.8e12) * 1000 stays below 2^53, so the value is exact.

const LOGICAL = 1000;

export class HybridClock {
  private last = 0;
  constructor(private readonly now: () => number = Date.now) {}

  /** A new version, greater than any returned or observed before. */
  next(): number {
    const wall = Math.floor(this.now()) * LOGICAL;
    this.last = wall > this.last ? wall : this.last + 1;
    return this.last;
  }

  /** Take in a version seen from another pod so that later local versions exceed it. */
  observe(version: number): void {
    if (version > this.last) this.last = version;
  }
}

/** Milliseconds since the epoch at which a version was stamped. */
export function versionTimeMs(version: number): number {
  return Math.floor(version / LOGICAL);
}
