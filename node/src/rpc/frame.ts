// Frames of the internal RPC protocol: how bytes on a TCP connection become messages. Pure code
// (no sockets): an encoder that lays one frame out in one buffer, and an incremental decoder
// that takes socket chunks and yields whole frames, or reports why the stream is unusable.
//
// Layout (all integers big-endian; see README.md):
//   u32 length   bytes after this field (type .. last blob byte); at most maxFrameBytes
//   u8  type     FrameType
//   u32 id       request id (0 on handshake and connection-level frames)
//   u32 hlen     length of the JSON header
//   hlen bytes   header: UTF-8 JSON
//   u32 count    number of blobs (binary attachments, e.g. Float32 vectors)
//   count x u32  byte length of each blob
//   blob bytes   concatenated
// The JSON header carries everything but bulk binary data; values reference blobs by index.

export enum FrameType {
  /** Server -> client, first frame of a connection: cluster, node, challenge nonce. */
  Hello = 1,
  /** Client -> server: the client's answer to the challenge. */
  Auth = 2,
  /** Server -> client: accepted, with the server's own proof. */
  Welcome = 3,
  Request = 4,
  Response = 5,
  /** Failed request (id > 0), or the reason a connection is being closed (id 0). */
  Error = 6,
}

const FRAME_TYPES = new Set<number>([1, 2, 3, 4, 5, 6]);

export interface Frame {
  type: FrameType;
  id: number;
  header: unknown;
  blobs: Uint8Array[];
}

/** Bytes of the fixed part: length, type, id, hlen, count. */
const FIXED_BYTES = 4 + 1 + 4 + 4 + 4;
/**
 * Default bound on one frame. The largest legitimate frames are import batches (HTTP bodies are
 * limited to 64 MiB by default; their vectors shrink to about 40% as Float32 bytes) and list
 * pages with vectors; a peer that announces more is broken or hostile.
 */
export const DEFAULT_MAX_FRAME_BYTES = 128 * 1024 * 1024;
/** Upper bound on blobs per frame, so that a hostile count cannot make us allocate a huge table. */
export const MAX_BLOBS = 1 << 20;

export class FrameError extends Error {
  override name = 'FrameError';
  constructor(readonly reason: 'oversized' | 'malformed', message: string) {
    super(message);
  }
}

/** One frame as a single buffer, ready for one socket write. */
export function encodeFrame(type: FrameType, id: number, header: unknown, blobs: readonly Uint8Array[] = []): Buffer {
  const json = Buffer.from(JSON.stringify(header ?? null), 'utf8');
  let blobBytes = 0;
  for (const b of blobs) blobBytes += b.byteLength;
  const total = FIXED_BYTES + json.length + 4 * blobs.length + blobBytes;
  const out = Buffer.allocUnsafe(total);
  let o = out.writeUInt32BE(total - 4, 0);
  o = out.writeUInt8(type, o);
  o = out.writeUInt32BE(id >>> 0, o);
  o = out.writeUInt32BE(json.length, o);
  o += json.copy(out, o);
  o = out.writeUInt32BE(blobs.length, o);
  for (const b of blobs) o = out.writeUInt32BE(b.byteLength, o);
  for (const b of blobs) {
    out.set(b, o);
    o += b.byteLength;
  }
  return out;
}

/** Parse the body of one frame (everything after the length field). Throws FrameError. */
export function decodeBody(body: Buffer): Frame {
  if (body.length < FIXED_BYTES - 4) throw new FrameError('malformed', `frame of ${body.length} bytes is shorter than its fixed part (${FIXED_BYTES - 4})`);
  const type = body.readUInt8(0);
  if (!FRAME_TYPES.has(type)) throw new FrameError('malformed', `unknown frame type ${type}`);
  const id = body.readUInt32BE(1);
  const hlen = body.readUInt32BE(5);
  let o = 9;
  if (hlen > body.length - o - 4) throw new FrameError('malformed', `header length ${hlen} exceeds the frame`);
  let header: unknown;
  try {
    header = JSON.parse(body.toString('utf8', o, o + hlen));
  } catch (e) {
    throw new FrameError('malformed', `header is not JSON: ${(e as Error).message}`);
  }
  o += hlen;
  const count = body.readUInt32BE(o);
  o += 4;
  if (count > MAX_BLOBS || count * 4 > body.length - o) throw new FrameError('malformed', `blob count ${count} exceeds the frame`);
  const lengths = new Array<number>(count);
  let sum = 0;
  for (let i = 0; i < count; i++, o += 4) sum += lengths[i] = body.readUInt32BE(o);
  if (sum !== body.length - o) throw new FrameError('malformed', `blobs declare ${sum} bytes, the frame holds ${body.length - o}`);
  const blobs = new Array<Uint8Array>(count);
  for (let i = 0; i < count; i++) {
    blobs[i] = body.subarray(o, o + lengths[i]);
    o += lengths[i];
  }
  return { type: type as FrameType, id, header, blobs };
}

/**
 * Accumulates socket chunks and returns the frames they complete. The length prefix is checked
 * before the body is buffered, so a peer can never make us hold more than maxFrameBytes.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(public maxFrameBytes: number) {}

  /** Frames completed by this chunk, in order. Throws FrameError on a bad stream (drop the connection). */
  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffered < 4) return frames;
      const head = this.peek(4);
      const length = head.readUInt32BE(0);
      if (length > this.maxFrameBytes) throw new FrameError('oversized', `frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes}`);
      if (this.buffered < 4 + length) return frames;
      const whole = this.take(4 + length);
      frames.push(decodeBody(whole.subarray(4)));
    }
  }

  /** Bytes buffered and not yet part of a whole frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0];
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0];
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks);
      out = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.buffered -= n;
    return out;
  }
}
