// The calling side of the internal RPC: one pool of connections per peer pod, calls with
// deadlines, latency and errors measured per peer. Peers are named by pod; their data address
// comes from gossip metadata and may change across restarts, in which case the old pool is
// replaced (the handshake also refuses a pod other than the one named, so a reused port never
// delivers a write to the wrong replica).
import { DEFAULT_BACKOFF, type BackoffConfig } from './backoff.js';
import type { CallReply } from './connection.js';
import { RpcError, failureReason } from './errors.js';
import { DEFAULT_MAX_FRAME_BYTES } from './frame.js';
import { deriveKey } from './handshake.js';
import { rpcMetrics, type RpcMetrics } from './metrics.js';
import { PeerPool } from './pool.js';

export interface Peer {
  /** Pod name (what the handshake checks). */
  name: string;
  /** Data address "host:port". */
  addr: string;
}

export interface RpcClientOptions {
  /** This pod's name. */
  node: string;
  cluster: string;
  /** The cluster's shared secret (SHOAL_GOSSIP_KEY), or undefined. */
  secret: string | undefined;
  /** Largest frame accepted from a peer. */
  maxFrameBytes?: number;
  /** Connections per peer (default 2: a large import batch does not hold up searches). */
  connectionsPerPeer?: number;
  connectTimeoutMs?: number;
  /** Deadline of a call when the caller gives none. */
  defaultTimeoutMs?: number;
  backoff?: BackoffConfig;
}

export interface CallOptions {
  timeoutMs?: number;
}

export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

export class RpcClient {
  private readonly pools = new Map<string, PeerPool>();
  private readonly metrics: RpcMetrics = rpcMetrics();
  private readonly key: Buffer | undefined;
  private closed = false;

  constructor(private readonly opts: RpcClientOptions) {
    this.key = deriveKey(opts.secret);
  }

  get node(): string {
    return this.opts.node;
  }

  /** Call `method` on `peer`; rejects with RpcError. */
  async call(peer: Peer, method: string, params: unknown, blobs: readonly Uint8Array[] = [], opts: CallOptions = {}): Promise<CallReply> {
    const timeoutMs = opts.timeoutMs ?? this.opts.defaultTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    const started = performance.now();
    try {
      const pool = this.pool(peer);
      const conn = pool.ready() ?? (await this.withDeadline(pool.acquire(), timeoutMs, peer, method));
      const left = timeoutMs - (performance.now() - started);
      if (left <= 0) throw new RpcError('timeout', `${method} on ${peer.name}: connecting took the whole ${timeoutMs} ms`);
      const reply = await conn.call(method, params, blobs, left, timeoutMs);
      this.metrics.callDuration.observe({ peer: peer.name, method }, (performance.now() - started) / 1000);
      return reply;
    } catch (e) {
      this.metrics.callDuration.observe({ peer: peer.name, method }, (performance.now() - started) / 1000);
      this.metrics.callErrors.inc({ peer: peer.name, reason: failureReason(e) });
      throw e;
    }
  }

  /** Drop the connections to a peer (it left the cluster). */
  forget(peerName: string): void {
    this.pools.get(peerName)?.close();
    this.pools.delete(peerName);
  }

  close(): void {
    this.closed = true;
    for (const p of this.pools.values()) p.close();
    this.pools.clear();
  }

  private pool(peer: Peer): PeerPool {
    if (this.closed) throw new RpcError('closed', 'the RPC client is closed');
    let pool = this.pools.get(peer.name);
    if (pool && pool.addr !== peer.addr) {
      pool.close();
      pool = undefined;
    }
    if (!pool) {
      pool = new PeerPool(peer.name, peer.addr, {
        cluster: this.opts.cluster,
        node: this.opts.node,
        key: this.key,
        maxFrameBytes: this.opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
        connectTimeoutMs: this.opts.connectTimeoutMs ?? 3_000,
        size: this.opts.connectionsPerPeer ?? 2,
        backoff: this.opts.backoff ?? DEFAULT_BACKOFF,
        onOpen: () => this.metrics.connections.inc({ direction: 'outbound' }),
        onClosed: () => this.metrics.connections.dec({ direction: 'outbound' }),
      });
      this.pools.set(peer.name, pool);
    }
    return pool;
  }

  private withDeadline<T>(p: Promise<T>, timeoutMs: number, peer: Peer, method: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RpcError('timeout', `${method} on ${peer.name}: no connection within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
  }
}
