// The real transport: one UDP socket and one TCP listener on the same port.
//
// Datagrams carry probes and gossip (one sealed envelope per datagram, <= maxPacketBytes).
// TCP carries request/response exchanges (push-pull, fallback ping): the client connects,
// writes one frame, reads one frame, and both sides close. A frame is a 4-byte big-endian
// length followed by a sealed envelope. Nothing here understands messages: bytes in, bytes
// out, so that the runtime (membership.ts) owns decoding, auth and counting.
//
// Robustness: every socket error is caught and logged; an oversized frame closes the
// connection; a peer that stalls is cut off after tcpTimeoutMs; at most maxConnections
// inbound connections are served at once.
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, isIP, type Server, type Socket } from 'node:net';
import { formatAddr, parseAddr } from './addr.js';
import type { DropReason } from './envelope.js';

export interface TransportLog {
  debug(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface NetTransportOptions {
  bindAddr: string;
  /** 0 picks a free port (the same for UDP and TCP). */
  port: number;
  maxStreamBytes: number;
  tcpTimeoutMs: number;
  maxConnections?: number;
  onPacket(fromAddr: string, buf: Buffer): void;
  /** Answer one request frame (undefined: close without answering). */
  onStream(fromAddr: string, frame: Buffer): Buffer | undefined;
  /** A frame was refused before it reached onStream. */
  onDrop(reason: DropReason): void;
  log: TransportLog;
}

const LENGTH_BYTES = 4;

/** "::ffff:10.0.0.1" -> "10.0.0.1", so that IPv4 peers have one spelling. */
function normalizeHost(host: string): string {
  return host.startsWith('::ffff:') && isIP(host.slice(7)) === 4 ? host.slice(7) : host;
}

function frame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(LENGTH_BYTES + payload.length);
  out.writeUInt32BE(payload.length, 0);
  payload.copy(out, LENGTH_BYTES);
  return out;
}

/**
 * Collects one length-prefixed frame from a stream of chunks. Returns the payload when
 * complete, 'oversized' as soon as the announced length exceeds the limit, else undefined.
 */
class FrameReader {
  private chunks: Buffer[] = [];
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}
  push(chunk: Buffer): Buffer | 'oversized' | undefined {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes < LENGTH_BYTES) return undefined;
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = [all];
    const length = all.readUInt32BE(0);
    if (length > this.maxBytes) return 'oversized';
    if (all.length < LENGTH_BYTES + length) return undefined;
    return all.subarray(LENGTH_BYTES, LENGTH_BYTES + length);
  }
}

export class NetTransport {
  private closed = false;
  private readonly open = new Set<Socket>();

  private constructor(
    private readonly opts: NetTransportOptions,
    private readonly udp: UdpSocket,
    private readonly tcp: Server,
    readonly port: number,
  ) {}

  /** Bind UDP and TCP on the same port (retrying a few free ports when asked for port 0). */
  static async listen(opts: NetTransportOptions): Promise<NetTransport> {
    const attempts = opts.port === 0 ? 10 : 1;
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      const udp = createSocket({ type: isIP(opts.bindAddr) === 6 ? 'udp6' : 'udp4' });
      try {
        const port = await bindUdp(udp, opts.bindAddr, opts.port);
        const tcp = await listenTcp(opts.bindAddr, port, opts.maxConnections ?? 128);
        const t = new NetTransport(opts, udp, tcp, port);
        t.wire();
        return t;
      } catch (err) {
        lastError = err;
        udp.close();
      }
    }
    throw new Error(`cannot listen for gossip on ${formatAddr(opts.bindAddr, opts.port)} (UDP and TCP): ${(lastError as Error)?.message}`);
  }

  private wire(): void {
    this.udp.on('message', (buf: Buffer, rinfo: RemoteInfo) => {
      if (this.closed) return;
      this.opts.onPacket(formatAddr(normalizeHost(rinfo.address), rinfo.port), buf);
    });
    this.udp.on('error', (err) => this.opts.log.warn('gossip UDP socket error', { err }));
    this.tcp.on('connection', (sock) => this.serve(sock));
    this.tcp.on('error', (err) => this.opts.log.warn('gossip TCP listener error', { err }));
  }

  sendPacket(to: string, buf: Buffer): void {
    if (this.closed) return;
    let host: string;
    let port: number;
    try {
      ({ host, port } = parseAddr(to));
    } catch (err) {
      this.opts.log.debug('not sending to a malformed address', { to, err });
      return;
    }
    this.udp.send(buf, port, host, (err) => {
      if (err && !this.closed) this.opts.log.debug('gossip datagram not sent', { to, err });
    });
  }

  private serve(sock: Socket): void {
    const from = formatAddr(normalizeHost(sock.remoteAddress ?? '?'), sock.remotePort ?? 0);
    const reader = new FrameReader(this.opts.maxStreamBytes);
    this.open.add(sock);
    sock.on('close', () => this.open.delete(sock));
    sock.setTimeout(this.opts.tcpTimeoutMs, () => sock.destroy());
    sock.on('error', () => sock.destroy());
    sock.on('data', (chunk: Buffer) => {
      const got = reader.push(chunk);
      if (got === undefined) return;
      sock.removeAllListeners('data');
      if (got === 'oversized') {
        this.opts.onDrop('oversized');
        sock.destroy();
        return;
      }
      const reply = this.closed ? undefined : this.opts.onStream(from, got);
      if (reply) sock.end(frame(reply));
      else sock.end();
    });
  }

  /** One request/response exchange over a fresh TCP connection. */
  request(to: string, payload: Buffer, timeoutMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('transport closed'));
      let host: string;
      let port: number;
      try {
        ({ host, port } = parseAddr(to));
      } catch (err) {
        return reject(err);
      }
      const sock = connect({ host, port });
      const reader = new FrameReader(this.opts.maxStreamBytes);
      const timer = setTimeout(() => fail(new Error(`TCP exchange with ${to} timed out after ${timeoutMs} ms`)), timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        sock.destroy();
        reject(err);
      };
      sock.on('error', fail);
      sock.on('close', () => fail(new Error(`${to} closed the connection without answering`)));
      sock.on('connect', () => sock.write(frame(payload)));
      sock.on('data', (chunk: Buffer) => {
        const got = reader.push(chunk);
        if (got === undefined) return;
        if (got === 'oversized') {
          this.opts.onDrop('oversized');
          return fail(new Error(`${to} answered with an oversized frame`));
        }
        clearTimeout(timer);
        sock.removeAllListeners('close');
        sock.destroy();
        resolve(got);
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const sock of this.open) sock.destroy();
    await Promise.all([
      new Promise<void>((r) => this.udp.close(() => r())),
      new Promise<void>((r) => this.tcp.close(() => r())),
    ]);
  }
}

function bindUdp(sock: UdpSocket, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    sock.once('error', onError);
    sock.bind(port, host, () => {
      sock.off('error', onError);
      resolve(sock.address().port);
    });
  });
}

function listenTcp(host: string, port: number, maxConnections: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.maxConnections = maxConnections;
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
