// The envelope around every datagram and every TCP frame: a magic and version, the cluster
// name, the body, and a trailer that is either HMAC-SHA256 truncated to 128 bits (when a key is
// configured: SHOAL_GOSSIP_KEY) or a CRC32 (integrity only). The cluster name is always inside
// the authenticated or checksummed bytes, so a packet for another cluster can neither be
// mistaken for ours nor be relabelled.
//
//   0     'S' 'G'           magic
//   2     version (1)
//   3     kind              1 = datagram, 2 = stream frame
//   4     flags             bit 0: trailer is an HMAC (else CRC32)
//   5     cluster length    u8
//   6     cluster name      UTF-8
//   ...   body              codec.ts messages
//   end   trailer           16-byte HMAC-SHA256-128 or 4-byte CRC32 (big endian)
//
// Not defended against: replay of a captured authentic packet (as in memberlist); the protocol
// tolerates duplicates, and incarnation numbers make stale state harmless.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { utf8Size } from './codec.js';

const MAGIC0 = 0x53;
const MAGIC1 = 0x47;
const VERSION = 1;
const HEADER_FIXED = 6;
const MAC_BYTES = 16;
const CRC_BYTES = 4;

export const enum EnvelopeKind {
  Datagram = 1,
  Stream = 2,
}

/** Why an incoming packet or frame was dropped; the label of shoal_gossip_packets_dropped_total. */
export type DropReason = 'malformed' | 'wrong_cluster' | 'unauthenticated' | 'oversized';

export type Opened = { ok: true; bodyStart: number; bodyEnd: number } | { ok: false; reason: DropReason };

/** Seals and opens envelopes for one cluster name and optional key. */
export class Envelope {
  private readonly cluster: Buffer;
  private readonly key: Buffer | undefined;
  /** Bytes the envelope adds around a body. */
  readonly overheadBytes: number;

  constructor(clusterName: string, key?: string | Buffer) {
    if (utf8Size(clusterName) > 255) throw new Error(`cluster name "${clusterName}" exceeds 255 bytes`);
    this.cluster = Buffer.from(clusterName, 'utf8');
    this.key = key === undefined || key.length === 0 ? undefined : Buffer.isBuffer(key) ? key : Buffer.from(key, 'utf8');
    this.overheadBytes = HEADER_FIXED + this.cluster.length + (this.key ? MAC_BYTES : CRC_BYTES);
  }

  /** Offset at which the body starts in a sealed buffer. */
  get bodyOffset(): number {
    return HEADER_FIXED + this.cluster.length;
  }

  /** A buffer with the header written and room for a body of `bodyBytes`; finish with seal(). */
  allocate(kind: EnvelopeKind, bodyBytes: number): Buffer {
    const buf = Buffer.allocUnsafe(this.overheadBytes + bodyBytes);
    buf[0] = MAGIC0;
    buf[1] = MAGIC1;
    buf[2] = VERSION;
    buf[3] = kind;
    buf[4] = this.key ? 1 : 0;
    buf[5] = this.cluster.length;
    this.cluster.copy(buf, HEADER_FIXED);
    return buf;
  }

  /** Write the trailer over everything before it. */
  seal(buf: Buffer): Buffer {
    const end = buf.length - (this.key ? MAC_BYTES : CRC_BYTES);
    if (this.key) this.mac(buf, end).copy(buf, end);
    else buf.writeUInt32BE(crc32(buf.subarray(0, end)), end);
    return buf;
  }

  /** Check magic, kind, cluster and trailer; returns where the body is, or why to drop. */
  open(kind: EnvelopeKind, buf: Buffer): Opened {
    if (buf.length < HEADER_FIXED + CRC_BYTES || buf[0] !== MAGIC0 || buf[1] !== MAGIC1) return { ok: false, reason: 'malformed' };
    if (buf[2] !== VERSION || buf[3] !== kind) return { ok: false, reason: 'malformed' };
    const clusterLen = buf[5];
    const bodyStart = HEADER_FIXED + clusterLen;
    if (buf.length < bodyStart + CRC_BYTES) return { ok: false, reason: 'malformed' };
    if (clusterLen !== this.cluster.length || !buf.subarray(HEADER_FIXED, bodyStart).equals(this.cluster)) {
      return { ok: false, reason: 'wrong_cluster' };
    }
    const hasMac = (buf[4] & 1) === 1;
    if (hasMac !== (this.key !== undefined)) return { ok: false, reason: 'unauthenticated' };
    const trailer = hasMac ? MAC_BYTES : CRC_BYTES;
    const bodyEnd = buf.length - trailer;
    if (bodyEnd < bodyStart) return { ok: false, reason: 'malformed' };
    if (this.key) {
      const expected = this.mac(buf, bodyEnd);
      if (!timingSafeEqual(expected, buf.subarray(bodyEnd))) return { ok: false, reason: 'unauthenticated' };
    } else if (crc32(buf.subarray(0, bodyEnd)) !== buf.readUInt32BE(bodyEnd)) {
      return { ok: false, reason: 'malformed' };
    }
    return { ok: true, bodyStart, bodyEnd };
  }

  private mac(buf: Buffer, end: number): Buffer {
    return createHmac('sha256', this.key as Buffer).update(buf.subarray(0, end)).digest().subarray(0, MAC_BYTES);
  }
}
