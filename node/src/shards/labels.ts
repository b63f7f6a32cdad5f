// Labels: the uint32 numbers hnswlib knows objects by. hnswlib silently truncates labels to
// uint32, so a shard hands out its own dense labels. The store keeps label -> id (`labels`) and
// the freed labels (`free`) durably; this table is the main thread's working view of which
// labels are bound and free, small enough to restore at open without reading every binding.
//
// A label freed by a delete (or a vector change) can be handed out again. Two rules keep that
// safe and cheap:
// - Reuse waits until many labels are free: re-adding a label that is still in the index (marked
//   deleted) is an in-place update in hnswlib, about 7.5x the cost of a fresh insert, so while
//   tombstones are few we append fresh labels and let the index grow a little.
// - Every binding remembers the change sequence that made it. A search reports the last change
//   its worker had applied; a hit counts only if the label's current binding is not newer than
//   that, so a hit computed against a label's previous owner is never returned as its new one.

/** Reuse freed labels once more than max(minFree, fraction * labels handed out) are free. */
export interface LabelReusePolicy {
  minFree: number;
  fraction: number;
}

export const DEFAULT_LABEL_REUSE: LabelReusePolicy = { minFree: 1024, fraction: 0.1 };

const MAX_LABEL = 0xffffffff;

export class LabelTable {
  /** 1 where a label is bound to an object. */
  private boundBits: Uint8Array;
  /** Change sequence of each label's current binding; 0 for bindings older than this process. */
  private bindSeqs: Float64Array;
  private freeQueue: number[];
  private freeHead = 0;
  private nextLabel: number;

  private constructor(nextLabel: number, free: number[], private readonly policy: LabelReusePolicy) {
    const capacity = Math.max(1024, nextLabel * 2);
    this.nextLabel = nextLabel;
    this.freeQueue = free;
    this.boundBits = new Uint8Array(capacity);
    this.boundBits.fill(1, 0, nextLabel);
    for (const label of free) this.boundBits[label] = 0;
    this.bindSeqs = new Float64Array(capacity);
  }

  /** From the durable state: labels below `nextLabel` are bound unless listed as free. */
  static restore(nextLabel: number, free: Iterable<number>, policy: LabelReusePolicy = DEFAULT_LABEL_REUSE): LabelTable {
    return new LabelTable(nextLabel, [...free].filter((l) => l < nextLabel), policy);
  }

  get next(): number {
    return this.nextLabel;
  }

  get bound(): number {
    return this.nextLabel - this.freeCount;
  }

  get freeCount(): number {
    return this.freeQueue.length - this.freeHead;
  }

  isBound(label: number): boolean {
    return label < this.nextLabel && this.boundBits[label] === 1;
  }

  /** A label bound as of change `seq`: the oldest free label if reuse is due (reused: true), else a fresh one. */
  allocate(seq: number): { label: number; reused: boolean } {
    const reused = this.reuseDue();
    const label = reused ? this.takeFree() : this.nextLabel++;
    if (label > MAX_LABEL) throw new Error(`label space exhausted: ${label} exceeds uint32; compact the shard`);
    this.grow(label);
    if (this.boundBits[label] === 1) throw new Error(`label ${label} allocated while bound`);
    this.boundBits[label] = 1;
    this.bindSeqs[label] = seq;
    return { label, reused };
  }

  release(label: number): void {
    if (!this.isBound(label)) throw new Error(`label ${label} released but not bound`);
    this.boundBits[label] = 0;
    this.freeQueue.push(label);
  }

  /** True if the label's current binding existed at change `seenSeq` (so a hit from then is its object). */
  boundSince(label: number, seenSeq: number): boolean {
    return this.isBound(label) && this.bindSeqs[label] <= seenSeq;
  }

  private reuseDue(): boolean {
    const free = this.freeCount;
    return free > 0 && free > Math.max(this.policy.minFree, this.policy.fraction * this.nextLabel);
  }

  private takeFree(): number {
    const label = this.freeQueue[this.freeHead++];
    // Compact the queue now and then so consumed entries do not pile up.
    if (this.freeHead > 4096 && this.freeHead * 2 > this.freeQueue.length) {
      this.freeQueue = this.freeQueue.slice(this.freeHead);
      this.freeHead = 0;
    }
    return label;
  }

  private grow(label: number): void {
    if (label < this.boundBits.length) return;
    const size = Math.max(label + 1, this.boundBits.length * 2);
    const bits = new Uint8Array(size);
    bits.set(this.boundBits);
    this.boundBits = bits;
    const seqs = new Float64Array(size);
    seqs.set(this.bindSeqs);
    this.bindSeqs = seqs;
  }
}
