// Compact binary encoding of protocol messages (not JSON: a ping is ~20 bytes, an alive with
// typical metadata ~120). Integers are unsigned LEB128 varints, strings a varint byte length
// plus UTF-8, byte arrays a varint length plus bytes. Every message starts with its type byte
// and is self-delimiting, so a datagram is simply messages back to back.
//
// Sizes are computed without encoding (messageSize): the core packs datagrams up to the byte
// budget with them, and the simulator counts bytes with them.
//
// Decoding never trusts a length: everything is bounds-checked and a violation throws
// DecodeError, which the receiver counts as a malformed packet.
import { STATE_CODES, type MemberState, META_MAX_BYTES } from './types.js';
import { MsgType, type Message, type PushEntry, type StreamMessage } from './messages.js';

export class DecodeError extends Error {}

/** Longest name, address or reason string accepted on the wire. */
const MAX_STRING_BYTES = 1024;
/** Most entries accepted in one push-pull (a cluster larger than this is out of scope). */
const MAX_ENTRIES = 100_000;

export function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** UTF-8 byte length without allocating. */
export function utf8Size(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4; // a surrogate pair is one 4-byte code point
      i++;
    } else n += 3; // BMP character, or a lone surrogate that Buffer writes as U+FFFD

  }
  return n;
}

function strSize(s: string): number {
  const n = utf8Size(s);
  return varintSize(n) + n;
}

function bytesSize(b: Uint8Array): number {
  return varintSize(b.length) + b.length;
}

/** Encoded size of one datagram message. */
export function messageSize(m: Message): number {
  switch (m.t) {
    case MsgType.Ping: return 1 + varintSize(m.seq) + strSize(m.target) + strSize(m.from) + 1 + 4;
    case MsgType.PingReq: return 1 + varintSize(m.seq) + strSize(m.target) + strSize(m.targetAddr) + 1;
    case MsgType.Ack: return 1 + varintSize(m.seq) + 1 + (m.hasDigest ? 4 : 0);
    case MsgType.Nack: return 1 + varintSize(m.seq);
    case MsgType.Suspect:
    case MsgType.Dead: return 1 + varintSize(m.inc) + strSize(m.node) + strSize(m.from);
    case MsgType.Alive: return 1 + varintSize(m.inc) + strSize(m.node) + strSize(m.addr) + bytesSize(m.meta);
  }
}

function entrySize(e: PushEntry): number {
  return strSize(e.name) + strSize(e.addr) + varintSize(e.inc) + 1 + bytesSize(e.meta);
}

/** Encoded size of one stream message. */
export function streamMessageSize(m: StreamMessage): number {
  switch (m.t) {
    case MsgType.PushPull: {
      let n = 1 + 1 + strSize(m.from) + varintSize(m.entries.length);
      for (const e of m.entries) n += entrySize(e);
      return n;
    }
    case MsgType.StreamPing: return 1 + varintSize(m.seq) + strSize(m.target) + strSize(m.from);
    case MsgType.StreamAck: return 1 + varintSize(m.seq);
    case MsgType.StreamError: return 1 + strSize(m.reason);
  }
}

/** Appends to a buffer sized exactly by the *Size functions. */
export class Writer {
  pos: number;
  constructor(readonly buf: Buffer, start = 0) {
    this.pos = start;
  }
  u8(v: number): void {
    this.buf[this.pos++] = v;
  }
  u32(v: number): void {
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }
  varint(v: number): void {
    let x = v >>> 0;
    while (x >= 0x80) {
      this.buf[this.pos++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    this.buf[this.pos++] = x;
  }
  str(s: string): void {
    const n = utf8Size(s);
    this.varint(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }
  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

/** Reads with bounds checks; any violation throws DecodeError. */
export class Reader {
  pos: number;
  constructor(readonly buf: Buffer, start: number, readonly end: number) {
    this.pos = start;
  }
  more(): boolean {
    return this.pos < this.end;
  }
  private need(n: number): void {
    if (this.pos + n > this.end) throw new DecodeError('truncated message');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  varint(): number {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.u8();
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (v > 0xffffffff) throw new DecodeError('varint exceeds 32 bits');
        return v;
      }
    }
    throw new DecodeError('varint too long');
  }
  str(): string {
    const n = this.varint();
    if (n > MAX_STRING_BYTES) throw new DecodeError(`string of ${n} bytes exceeds ${MAX_STRING_BYTES}`);
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  bytes(max: number): Uint8Array {
    const n = this.varint();
    if (n > max) throw new DecodeError(`byte field of ${n} bytes exceeds ${max}`);
    this.need(n);
    // Copy: the datagram buffer may be reused by the socket layer.
    const out = new Uint8Array(n);
    out.set(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }
}

export function writeMessage(w: Writer, m: Message): void {
  w.u8(m.t);
  switch (m.t) {
    case MsgType.Ping:
      w.varint(m.seq); w.str(m.target); w.str(m.from); w.u8(m.quiet ? 1 : 0); w.u32(m.digest);
      return;
    case MsgType.PingReq:
      w.varint(m.seq); w.str(m.target); w.str(m.targetAddr); w.u8(m.nack ? 1 : 0);
      return;
    case MsgType.Ack:
      w.varint(m.seq); w.u8((m.hasDigest ? 1 : 0) | (m.quiet ? 2 : 0));
      if (m.hasDigest) w.u32(m.digest);
      return;
    case MsgType.Nack:
      w.varint(m.seq);
      return;
    case MsgType.Suspect:
    case MsgType.Dead:
      w.varint(m.inc); w.str(m.node); w.str(m.from);
      return;
    case MsgType.Alive:
      w.varint(m.inc); w.str(m.node); w.str(m.addr); w.bytes(m.meta);
      return;
  }
}

export function readMessage(r: Reader): Message {
  const t = r.u8();
  switch (t) {
    case MsgType.Ping: {
      const seq = r.varint(); const target = r.str(); const from = r.str(); const flags = r.u8();
      return { t, seq, target, from, quiet: (flags & 1) !== 0, digest: r.u32() };
    }
    case MsgType.PingReq: {
      const seq = r.varint(); const target = r.str(); const targetAddr = r.str();
      return { t, seq, target, targetAddr, nack: (r.u8() & 1) !== 0 };
    }
    case MsgType.Ack: {
      const seq = r.varint(); const flags = r.u8(); const hasDigest = (flags & 1) !== 0;
      return { t, seq, hasDigest, quiet: (flags & 2) !== 0, digest: hasDigest ? r.u32() : 0 };
    }
    case MsgType.Nack:
      return { t, seq: r.varint() };
    case MsgType.Suspect:
    case MsgType.Dead: {
      const inc = r.varint(); const node = r.str();
      return { t, inc, node, from: r.str() };
    }
    case MsgType.Alive: {
      const inc = r.varint(); const node = r.str(); const addr = r.str();
      return { t, inc, node, addr, meta: r.bytes(META_MAX_BYTES) };
    }
    default:
      throw new DecodeError(`unknown message type ${t}`);
  }
}

/** Size of a datagram body holding `msgs`. */
export function bodySize(msgs: readonly Message[]): number {
  let n = 0;
  for (const m of msgs) n += messageSize(m);
  return n;
}

export function writeMessages(w: Writer, msgs: readonly Message[]): void {
  for (const m of msgs) writeMessage(w, m);
}

/** Decode every message in buf[start, end). Throws DecodeError on anything malformed. */
export function readMessages(buf: Buffer, start: number, end: number): Message[] {
  const r = new Reader(buf, start, end);
  const out: Message[] = [];
  while (r.more()) out.push(readMessage(r));
  if (out.length === 0) throw new DecodeError('empty datagram');
  return out;
}

export function writeStreamMessage(w: Writer, m: StreamMessage): void {
  w.u8(m.t);
  switch (m.t) {
    case MsgType.PushPull:
      w.u8(m.join ? 1 : 0); w.str(m.from); w.varint(m.entries.length);
      for (const e of m.entries) {
        w.str(e.name); w.str(e.addr); w.varint(e.inc); w.u8(STATE_CODES.indexOf(e.state)); w.bytes(e.meta);
      }
      return;
    case MsgType.StreamPing:
      w.varint(m.seq); w.str(m.target); w.str(m.from);
      return;
    case MsgType.StreamAck:
      w.varint(m.seq);
      return;
    case MsgType.StreamError:
      w.str(m.reason);
      return;
  }
}

function readState(r: Reader): MemberState {
  const code = r.u8();
  const state = STATE_CODES[code];
  if (state === undefined) throw new DecodeError(`unknown member state ${code}`);
  return state;
}

export function readStreamMessage(r: Reader): StreamMessage {
  const t = r.u8();
  switch (t) {
    case MsgType.PushPull: {
      const join = (r.u8() & 1) !== 0; const from = r.str(); const count = r.varint();
      if (count > MAX_ENTRIES) throw new DecodeError(`push-pull of ${count} entries exceeds ${MAX_ENTRIES}`);
      const entries: PushEntry[] = [];
      for (let i = 0; i < count; i++) {
        const name = r.str(); const addr = r.str(); const inc = r.varint(); const state = readState(r);
        entries.push({ name, addr, inc, state, meta: r.bytes(META_MAX_BYTES) });
      }
      return { t, join, from, entries };
    }
    case MsgType.StreamPing: {
      const seq = r.varint(); const target = r.str();
      return { t, seq, target, from: r.str() };
    }
    case MsgType.StreamAck:
      return { t, seq: r.varint() };
    case MsgType.StreamError:
      return { t, reason: r.str() };
    default:
      throw new DecodeError(`unknown stream message type ${t}`);
  }
}

// --- Node metadata: a small string map, encoded as count + (key, value) pairs. ---

export type MetaMap = Record<string, string>;

/** Encode metadata; keys sorted so equal maps give equal bytes. Throws if over 512 bytes. */
export function encodeMeta(meta: MetaMap): Uint8Array {
  const keys = Object.keys(meta).filter((k) => meta[k] !== undefined).sort();
  let size = varintSize(keys.length);
  for (const k of keys) size += strSize(k) + strSize(String(meta[k]));
  if (size > META_MAX_BYTES) {
    throw new Error(`node metadata encodes to ${size} bytes, more than the ${META_MAX_BYTES} allowed: shorten or drop values`);
  }
  const w = new Writer(Buffer.alloc(size));
  w.varint(keys.length);
  for (const k of keys) {
    w.str(k);
    w.str(String(meta[k]));
  }
  return new Uint8Array(w.buf.buffer, w.buf.byteOffset, size);
}

/** Decode metadata; malformed bytes give an empty map (metadata is advisory). */
export function decodeMeta(bytes: Uint8Array): MetaMap {
  const out: MetaMap = {};
  if (bytes.length === 0) return out;
  try {
    const r = new Reader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), 0, bytes.length);
    const n = r.varint();
    for (let i = 0; i < n; i++) {
      const k = r.str();
      out[k] = r.str();
    }
  } catch {
    return {};
  }
  return out;
}

/** Byte-wise equality of two metadata blobs. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
