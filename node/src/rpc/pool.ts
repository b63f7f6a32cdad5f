// The connections to one peer: up to `size` authenticated connections, opened lazily (a second
// one only when the first is busy), calls spread to the least loaded one. A failed connect puts
// the peer in backoff: calls then fail at once with 'connect' instead of each waiting for a
// connect timeout, which is what lets a coordinator hint a write or try another replica quickly.
import { parseAddr } from '../membership/addr.js';
import { afterFailure, FRESH, mayAttempt, type BackoffConfig, type BackoffState } from './backoff.js';
import { RpcConnection, type ConnectionOptions } from './connection.js';
import { RpcError } from './errors.js';

export type PoolOptions = Omit<ConnectionOptions, 'host' | 'port' | 'peer'> & {
  size: number;
  backoff: BackoffConfig;
  onOpen?: () => void;
  onClosed?: () => void;
};

export class PeerPool {
  private readonly conns: RpcConnection[] = [];
  private connecting: Promise<RpcConnection> | undefined;
  private backoff: BackoffState = FRESH;
  private lastError: Error | undefined;
  private closed = false;

  constructor(
    readonly peer: string,
    readonly addr: string,
    private readonly opts: PoolOptions,
  ) {}

  /** An open connection to send on, without waiting; undefined if one must be made first. */
  ready(): RpcConnection | undefined {
    if (this.closed) return undefined;
    const best = this.leastLoaded();
    if (best && best.inFlight > 0 && this.conns.length < this.opts.size) this.grow();
    return best;
  }

  /** A connection to send on; connects if there is none. Rejects with RpcError('connect' | 'auth' | ...). */
  async acquire(): Promise<RpcConnection> {
    if (this.closed) throw new RpcError('closed', `connections to ${this.peer} are closed`);
    const best = this.ready();
    if (best) return best;
    if (this.connecting) return this.connecting;
    const now = performance.now();
    if (!mayAttempt(this.backoff, now))
      throw new RpcError('connect', `${this.peer} at ${this.addr} is unreachable (${this.lastError?.message ?? 'connect failed'}); next attempt in ${Math.ceil(this.backoff.retryAtMs - now)} ms`);
    return this.open();
  }

  close(): void {
    this.closed = true;
    for (const c of this.conns.splice(0)) c.close();
  }

  get openConnections(): number {
    return this.conns.length;
  }

  private leastLoaded(): RpcConnection | undefined {
    let best: RpcConnection | undefined;
    for (const c of this.conns) if (c.isOpen && (!best || c.inFlight < best.inFlight)) best = c;
    return best;
  }

  private grow(): void {
    if (this.connecting || !mayAttempt(this.backoff, performance.now())) return;
    this.open().catch(() => undefined); // counted in backoff; the busy connection carries the call meanwhile
  }

  private open(): Promise<RpcConnection> {
    let hostPort;
    try {
      hostPort = parseAddr(this.addr);
    } catch (e) {
      return Promise.reject(new RpcError('connect', `${this.peer} has no usable data address: ${(e as Error).message}`));
    }
    this.connecting = RpcConnection.connect({ ...this.opts, ...hostPort, peer: this.peer }).then(
      (conn) => {
        this.connecting = undefined;
        this.backoff = FRESH;
        if (this.closed) {
          conn.close();
          throw new RpcError('closed', `connections to ${this.peer} are closed`);
        }
        this.conns.push(conn);
        this.opts.onOpen?.();
        conn.onClose(() => {
          const i = this.conns.indexOf(conn);
          if (i >= 0) this.conns.splice(i, 1);
          this.opts.onClosed?.();
        });
        return conn;
      },
      (err: Error) => {
        this.connecting = undefined;
        this.lastError = err;
        this.backoff = afterFailure(this.backoff, performance.now(), this.opts.backoff);
        throw err;
      },
    );
    return this.connecting;
  }
}
