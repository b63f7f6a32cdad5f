// One outbound connection to a peer's data port: connect, authenticate (handshake.ts), then
// multiplex calls by request id. Calls may be answered in any order; each has its own deadline.
// A late answer to a call that already timed out is dropped. When the socket closes, every call
// still in flight fails with 'closed' (the caller decides whether the work may have happened).
import { connect, type Socket } from 'node:net';
import { FrameDecoder, FrameError, FrameType, encodeFrame, type Frame } from './frame.js';
import { answerHello, checkWelcome, HandshakeError, type AuthMessage, type Hello } from './handshake.js';
import { RpcError } from './errors.js';

export interface ConnectionOptions {
  host: string;
  port: number;
  cluster: string;
  /** This pod's name. */
  node: string;
  /** The pod expected behind host:port. */
  peer: string;
  key: Buffer | undefined;
  maxFrameBytes: number;
  /** Deadline for TCP connect plus handshake. */
  connectTimeoutMs: number;
}

export interface CallReply {
  result: unknown;
  blobs: Uint8Array[];
}

interface Pending {
  resolve: (reply: CallReply) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** Request ids wrap at 2^32 - 1; 0 is reserved for connection-level frames. */
const MAX_ID = 0xffffffff;

export class RpcConnection {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closedError: Error | undefined;
  private readonly closeListeners: Array<(err: Error) => void> = [];

  private constructor(
    private readonly socket: Socket,
    private readonly decoder: FrameDecoder,
    readonly peer: string,
  ) {}

  /** Connect and authenticate; rejects with RpcError('connect' | 'auth' | 'protocol' | 'timeout'). */
  static connect(opts: ConnectionOptions): Promise<RpcConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: opts.host, port: opts.port, noDelay: true });
      const decoder = new FrameDecoder(Math.min(opts.maxFrameBytes, 64 * 1024));
      let hello: Hello | undefined;
      let auth: AuthMessage | undefined;
      const fail = (err: RpcError) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(new RpcError('timeout', `connecting to ${opts.peer} at ${opts.host}:${opts.port}: no handshake within ${opts.connectTimeoutMs} ms`)), opts.connectTimeoutMs);
      socket.on('error', (e) => fail(new RpcError('connect', `connecting to ${opts.peer} at ${opts.host}:${opts.port}: ${e.message}`)));
      socket.on('close', () => fail(new RpcError('connect', `connecting to ${opts.peer} at ${opts.host}:${opts.port}: closed during the handshake`)));
      const onData = (chunk: Buffer) => {
        let frames: Frame[];
        try {
          frames = decoder.push(chunk);
        } catch (e) {
          return fail(new RpcError('protocol', `handshake with ${opts.peer}: ${(e as Error).message}`));
        }
        for (const f of frames) {
          try {
            if (f.type === FrameType.Error) throw new RpcError('auth', `${opts.peer} refused the connection: ${errorMessage(f.header)}`);
            if (!hello && f.type === FrameType.Hello) {
              hello = f.header as Hello;
              auth = answerHello(hello, { cluster: opts.cluster, peer: opts.peer, node: opts.node, key: opts.key });
              socket.write(encodeFrame(FrameType.Auth, 0, auth));
            } else if (hello && auth && f.type === FrameType.Welcome) {
              checkWelcome(f.header, hello, auth, opts.key);
              clearTimeout(timer);
              socket.removeAllListeners();
              decoder.maxFrameBytes = opts.maxFrameBytes;
              const conn = new RpcConnection(socket, decoder, opts.peer);
              conn.attach();
              resolve(conn);
              return;
            } else throw new RpcError('protocol', `handshake with ${opts.peer}: unexpected frame type ${f.type}`);
          } catch (e) {
            return fail(e instanceof HandshakeError ? new RpcError('auth', e.message) : (e as RpcError));
          }
        }
      };
      socket.on('data', onData);
    });
  }

  get inFlight(): number {
    return this.pending.size;
  }

  get isOpen(): boolean {
    return this.closedError === undefined;
  }

  onClose(listener: (err: Error) => void): void {
    if (this.closedError) listener(this.closedError);
    else this.closeListeners.push(listener);
  }

  /** `timeoutMs` is this call's deadline from now; `budgetMs` is the caller's whole deadline, for the message. */
  call(method: string, params: unknown, blobs: readonly Uint8Array[], timeoutMs: number, budgetMs = timeoutMs): Promise<CallReply> {
    if (this.closedError) return Promise.reject(new RpcError('closed', `connection to ${this.peer} is closed: ${this.closedError.message}`));
    const id = this.takeId();
    const frame = encodeFrame(FrameType.Request, id, { m: method, p: params }, blobs);
    return new Promise<CallReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcError('timeout', `${method} on ${this.peer}: no answer within ${budgetMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.shutdown(new RpcError('closed', `connection to ${this.peer} closed by this pod`));
  }

  private takeId(): number {
    // Skip ids still in flight after a wrap (a call pending for 2^32 calls is not plausible, but cheap to rule out).
    do {
      const id = this.nextId;
      this.nextId = id === MAX_ID ? 1 : id + 1;
      if (!this.pending.has(id)) return id;
    } while (true);
  }

  private attach(): void {
    this.socket.setKeepAlive(true, 15_000);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (e) => this.shutdown(new RpcError('closed', `connection to ${this.peer} failed: ${e.message}`)));
    this.socket.on('close', () => this.shutdown(new RpcError('closed', `connection to ${this.peer} closed`)));
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      const reason = e instanceof FrameError ? e.message : String(e);
      return this.shutdown(new RpcError('protocol', `${this.peer} sent an unreadable frame: ${reason}`));
    }
    for (const f of frames) this.onFrame(f);
  }

  private onFrame(f: Frame): void {
    if (f.id === 0) {
      if (f.type === FrameType.Error) this.shutdown(new RpcError('closed', `${this.peer} closed the connection: ${errorMessage(f.header)}`));
      return;
    }
    const p = this.pending.get(f.id);
    if (!p) return; // timed out earlier
    this.pending.delete(f.id);
    clearTimeout(p.timer);
    if (f.type === FrameType.Response) p.resolve({ result: (f.header as { r?: unknown } | null)?.r, blobs: f.blobs });
    else if (f.type === FrameType.Error) {
      const h = (f.header ?? {}) as { kind?: string; message?: string };
      p.reject(new RpcError('remote', `${this.peer}: ${h.message ?? 'unknown error'}`, (h.kind as never) ?? 'internal'));
    } else p.reject(new RpcError('protocol', `${this.peer} answered with frame type ${f.type}`));
  }

  private shutdown(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    this.socket.destroy();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    for (const l of this.closeListeners.splice(0)) l(err);
  }
}

function errorMessage(header: unknown): string {
  const h = header as { message?: unknown } | null;
  return typeof h?.message === 'string' ? h.message : 'no reason given';
}
