// The transmit-limited broadcast queue (memberlist's TransmitLimitedQueue, re-thought).
//
// Updates about members (alive, suspect, dead) wait here to be piggybacked on pings, acks and
// gossip datagrams. Each is sent a bounded number of times (retransmitLimit, growing with
// log10 N) and then dropped. Rules:
// - One entry per member: a newer update about X replaces the queued one (a refutation cancels
//   an in-flight suspicion instead of racing it).
// - Fewest transmissions first, then newest first: fresh news spreads before old news.
// - Each datagram takes what fits in the remaining byte budget; one datagram = one transmit.
import { messageSize } from './codec.js';
import type { BroadcastMsg } from './messages.js';

interface Entry {
  key: string;
  msg: BroadcastMsg;
  sizeBytes: number;
  transmits: number;
  id: number;
}

export class BroadcastQueue {
  private entries = new Map<string, Entry>();
  private nextId = 0;
  private sorted: Entry[] | undefined;

  /** Queue `msg` about member `key`, replacing any queued message about it. */
  enqueue(key: string, msg: BroadcastMsg): void {
    this.entries.set(key, { key, msg, sizeBytes: messageSize(msg), transmits: 0, id: this.nextId++ });
    this.sorted = undefined;
  }

  /** Is a message about `key` still being transmitted? */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  get size(): number {
    return this.entries.size;
  }

  isEmpty(): boolean {
    return this.entries.size === 0;
  }

  /**
   * Messages for one datagram with `budgetBytes` of room, each counted as transmitted once;
   * those that reach `limit` transmissions leave the queue.
   */
  take(budgetBytes: number, limit: number): BroadcastMsg[] {
    if (this.entries.size === 0 || budgetBytes <= 0) return [];
    const order = this.order();
    const out: BroadcastMsg[] = [];
    let room = budgetBytes;
    let changed = false;
    for (const e of order) {
      if (e.sizeBytes > room) continue;
      room -= e.sizeBytes;
      out.push(e.msg);
      e.transmits++;
      changed = true;
      if (e.transmits >= limit) this.entries.delete(e.key);
      if (room < 8) break; // nothing useful fits any more
    }
    if (changed) this.sorted = undefined;
    return out;
  }

  private order(): Entry[] {
    if (!this.sorted) {
      this.sorted = [...this.entries.values()].sort((a, b) => a.transmits - b.transmits || b.id - a.id);
    }
    return this.sorted;
  }
}
