// Reaching a shard's replicas: this pod's own through LocalReplica, the others through the RPC
// client, every call timed and its outcome remembered (latency for the read order, failures to
// try that pod last for a while). The only place that turns a pod name into a way to call it.
import type { ShardRegistry } from '../../shards/types.js';
import type { RpcClient } from '../../rpc/client.js';
import { RpcError } from '../../rpc/errors.js';
import { RemoteReplica, type RemoteTimeouts } from '../../rpc/replica/remote.js';
import type { ReplicaOps, ShardRef } from '../../rpc/replica/ops.js';
import type { PeerDirectory } from './peers.js';
import { readOrder } from './replicas.js';

export class ReplicaAccess {
  private readonly remotes = new Map<string, RemoteReplica>();

  constructor(
    readonly peers: PeerDirectory,
    readonly local: ReplicaOps,
    private readonly client: RpcClient,
    private readonly registry: ShardRegistry,
    private readonly timeouts: RemoteTimeouts,
  ) {}

  get self(): string {
    return this.peers.self;
  }

  /** The replica methods of a pod; throws RpcError('connect') when gossip has no address for it. */
  ops(pod: string): ReplicaOps {
    if (pod === this.peers.self) return this.local;
    const peer = this.peers.peer(pod);
    if (!peer) throw new RpcError('connect', `no data address known for pod ${pod} (not in gossip yet, or gone)`);
    let remote = this.remotes.get(pod);
    if (!remote || remote.peer.addr !== peer.addr) this.remotes.set(pod, (remote = new RemoteReplica(this.client, peer, this.timeouts)));
    return remote;
  }

  /** Run `fn` on a pod's replica, recording its latency or its failure. */
  async call<T>(pod: string, fn: (ops: ReplicaOps) => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const out = await fn(this.ops(pod));
      if (pod !== this.peers.self) this.peers.observe(pod, performance.now() - started);
      return out;
    } catch (e) {
      if (!(e instanceof RpcError) || e.transient) this.peers.failed(pod);
      throw e;
    }
  }

  /** The order in which to ask the replicas of a shard for a read. */
  readOrder(ref: ShardRef, replicas: readonly string[]): string[] {
    const localReady = this.registry.get(ref.class, ref.shard)?.status() === 'READY';
    return readOrder(replicas.map((pod) => this.peers.candidate(pod, localReady)));
  }

  /** Forget the connections to a pod that left. */
  forget(pod: string): void {
    this.remotes.delete(pod);
    this.client.forget(pod);
  }
}
