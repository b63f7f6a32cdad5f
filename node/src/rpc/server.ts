// The serving side of the internal RPC: listens on the data port, authenticates each connection
// (handshake.ts), then runs requests concurrently and answers each by its id.
//
// Nothing a peer sends can crash the process: an unreadable frame, an oversized length, a
// request before authentication or a handshake that does not finish in time closes that one
// connection and is counted (shoal_rpc_server_dropped_connections_total{reason}). A request
// for an unknown method or with bad parameters is answered with an error, the connection stays.
// Before authentication frames are limited to 64 KiB, so an unauthenticated peer cannot make
// the server buffer a large frame. At most maxInFlight requests run per connection; beyond
// that the server stops reading from it (TCP backpressure) until one finishes.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { isShoalError } from '../coordinator/errors.js';
import type { Logger } from '../log.js';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, FrameError, FrameType, encodeFrame, type Frame } from './frame.js';
import { checkAuth, deriveKey, HandshakeError, makeHello, type Hello } from './handshake.js';
import { rpcMetrics, type RpcMetrics } from './metrics.js';
import { WireError } from './wire-records.js';

export interface HandlerReply {
  result: unknown;
  blobs?: Uint8Array[];
}

export interface RequestContext {
  /** Name of the calling pod (authenticated when the cluster has a secret). */
  peer: string;
}

export type Handler = (params: unknown, blobs: Uint8Array[], ctx: RequestContext) => HandlerReply | Promise<HandlerReply>;

export interface RpcServerOptions {
  node: string;
  cluster: string;
  secret: string | undefined;
  host: string;
  /** 0 picks a free port. */
  port: number;
  handlers: ReadonlyMap<string, Handler>;
  log: Logger;
  maxFrameBytes?: number;
  handshakeTimeoutMs?: number;
  maxInFlight?: number;
}

const HANDSHAKE_FRAME_BYTES = 64 * 1024;

export class RpcServer {
  private readonly sockets = new Set<Socket>();
  private readonly metrics: RpcMetrics = rpcMetrics();
  private readonly key: Buffer | undefined;

  private constructor(
    private readonly server: Server,
    private readonly opts: RpcServerOptions,
  ) {
    this.key = deriveKey(opts.secret);
  }

  static listen(opts: RpcServerOptions): Promise<RpcServer> {
    const server = createServer({ noDelay: true });
    const rpc = new RpcServer(server, opts);
    server.on('connection', (socket) => rpc.accept(socket));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        server.on('error', (e) => opts.log.error('data port server error', { error: e }));
        resolve(rpc);
      });
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined); // reset by peer etc.: 'close' follows
    new ServerConnection(socket, this.opts, this.key, this.metrics).start();
  }
}

/** One inbound connection: handshake, then requests. */
class ServerConnection {
  private readonly decoder = new FrameDecoder(HANDSHAKE_FRAME_BYTES);
  private readonly hello: Hello;
  private peer: string | undefined;
  private inFlight = 0;
  private paused = false;
  private done = false;
  private handshakeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly opts: RpcServerOptions,
    private readonly key: Buffer | undefined,
    private readonly metrics: RpcMetrics,
  ) {
    this.hello = makeHello(opts.cluster, opts.node, key);
  }

  start(): void {
    this.socket.setKeepAlive(true, 15_000);
    this.socket.write(encodeFrame(FrameType.Hello, 0, this.hello));
    this.handshakeTimer = setTimeout(() => this.drop('handshake-timeout', 'no Auth frame in time'), this.opts.handshakeTimeoutMs ?? 5_000);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('close', () => {
      clearTimeout(this.handshakeTimer);
      if (this.peer !== undefined) this.metrics.connections.dec({ direction: 'inbound' });
      this.done = true;
    });
  }

  private onData(chunk: Buffer): void {
    if (this.done) return;
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      const reason = e instanceof FrameError ? e.reason : 'malformed';
      return this.drop(reason, (e as Error).message);
    }
    for (const f of frames) {
      if (this.done) return;
      try {
        if (this.peer === undefined) this.onHandshakeFrame(f);
        else if (f.type === FrameType.Request) void this.onRequest(f);
        else return this.drop('malformed', `unexpected frame type ${f.type} after the handshake`);
      } catch (e) {
        // Never out of a socket handler: whatever went wrong, this connection ends, the pod stays.
        return this.drop(e instanceof HandshakeError ? e.reason : 'malformed', (e as Error).message);
      }
    }
  }

  private onHandshakeFrame(f: Frame): void {
    if (f.type !== FrameType.Auth) return this.drop('unauthenticated', `frame type ${f.type} before authentication`);
    const welcome = checkAuth(f.header, this.hello, this.key);
    clearTimeout(this.handshakeTimer);
    this.peer = (f.header as { node: string }).node;
    this.decoder.maxFrameBytes = this.opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.metrics.connections.inc({ direction: 'inbound' });
    this.socket.write(encodeFrame(FrameType.Welcome, 0, welcome));
  }

  private async onRequest(f: Frame): Promise<void> {
    const h = f.header as { m?: unknown; p?: unknown } | null;
    const method = typeof h?.m === 'string' ? h.m : '';
    const handler = this.opts.handlers.get(method);
    const started = performance.now();
    this.inFlight++;
    if (this.inFlight >= (this.opts.maxInFlight ?? 128) && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    let reply: Buffer;
    try {
      if (!handler) throw new WireError(`unknown method ${JSON.stringify(method)}`);
      const out = await handler(h?.p, f.blobs, { peer: this.peer as string });
      reply = encodeFrame(FrameType.Response, f.id, { r: out.result }, out.blobs ?? []);
      this.metrics.serverRequests.inc({ method, outcome: 'ok' });
    } catch (e) {
      reply = encodeFrame(FrameType.Error, f.id, errorHeader(e));
      this.metrics.serverRequests.inc({ method: handler ? method : 'unknown', outcome: 'error' });
      if (!isShoalError(e) && !(e instanceof WireError)) this.opts.log.warn('rpc method failed', { method, peer: this.peer, error: e as Error });
    }
    if (handler) this.metrics.serverDuration.observe({ method }, (performance.now() - started) / 1000);
    this.inFlight--;
    if (!this.done) this.socket.write(reply);
    if (this.paused && this.inFlight < (this.opts.maxInFlight ?? 128)) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** Close the connection because of the peer: tell it why (best effort), count it. */
  private drop(reason: string, message: string): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.handshakeTimer);
    this.metrics.serverDropped.inc({ reason });
    this.opts.log.warn('data-port connection dropped', { reason, detail: message, peer: this.peer, remote: this.socket.remoteAddress });
    this.socket.end(encodeFrame(FrameType.Error, 0, { kind: reason, message }));
    // end() flushes, then closes; a peer that never reads must not keep the socket open.
    setTimeout(() => this.socket.destroy(), 1_000).unref();
  }
}

function errorHeader(e: unknown): { kind: string; message: string } {
  if (isShoalError(e)) return { kind: e.kind, message: e.message };
  if (e instanceof WireError) return { kind: 'invalid', message: `bad request: ${e.message}` };
  return { kind: 'internal', message: (e as Error)?.message ?? String(e) };
}
