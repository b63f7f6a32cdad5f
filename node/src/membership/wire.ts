// Messages <-> bytes for both transports: codec.ts bodies inside envelope.ts envelopes. The
// real transport uses it for every packet; the simulator in "wire" mode runs every simulated
// packet through it too, which is how simulations exercise the exact bytes.
import { bodySize, DecodeError, readMessages, readStreamMessage, Reader, streamMessageSize, Writer, writeMessages, writeStreamMessage } from './codec.js';
import { Envelope, EnvelopeKind, type DropReason } from './envelope.js';
import type { Message, StreamMessage } from './messages.js';

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: DropReason };

export class Wire {
  readonly envelope: Envelope;

  constructor(clusterName: string, key: string | undefined, readonly maxPacketBytes: number, readonly maxStreamBytes = 8 << 20) {
    this.envelope = new Envelope(clusterName, key);
  }

  /** Room for message bytes in one datagram. */
  get packetBudgetBytes(): number {
    return this.maxPacketBytes - this.envelope.overheadBytes;
  }

  encodePacket(msgs: readonly Message[]): Buffer {
    const buf = this.envelope.allocate(EnvelopeKind.Datagram, bodySize(msgs));
    writeMessages(new Writer(buf, this.envelope.bodyOffset), msgs);
    return this.envelope.seal(buf);
  }

  decodePacket(buf: Buffer): Decoded<Message[]> {
    if (buf.length > this.maxPacketBytes) return { ok: false, reason: 'oversized' };
    const opened = this.envelope.open(EnvelopeKind.Datagram, buf);
    if (!opened.ok) return opened;
    try {
      return { ok: true, value: readMessages(buf, opened.bodyStart, opened.bodyEnd) };
    } catch (err) {
      if (err instanceof DecodeError) return { ok: false, reason: 'malformed' };
      throw err;
    }
  }

  encodeStream(msg: StreamMessage): Buffer {
    const buf = this.envelope.allocate(EnvelopeKind.Stream, streamMessageSize(msg));
    writeStreamMessage(new Writer(buf, this.envelope.bodyOffset), msg);
    return this.envelope.seal(buf);
  }

  decodeStream(buf: Buffer): Decoded<StreamMessage> {
    if (buf.length > this.maxStreamBytes) return { ok: false, reason: 'oversized' };
    const opened = this.envelope.open(EnvelopeKind.Stream, buf);
    if (!opened.ok) return opened;
    try {
      const r = new Reader(buf, opened.bodyStart, opened.bodyEnd);
      const msg = readStreamMessage(r);
      if (r.more()) return { ok: false, reason: 'malformed' };
      return { ok: true, value: msg };
    } catch (err) {
      if (err instanceof DecodeError) return { ok: false, reason: 'malformed' };
      throw err;
    }
  }
}
