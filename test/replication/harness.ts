// An in-process cluster for the replication tests: N pods in one process, each with its own
// shard registry (real LMDB + HNSW in a temp folder), RPC server on a loopback port, RPC client,
// hybrid clock and distributed coordinator. Membership is a shared fake the test drives (who is
// alive, suspect, dead); "killing" a pod closes its RPC server, "restarting" it listens again on
// the same port. Control is a static snapshot of one class.
import { EventEmitter } from 'node:events';
import { createShardingState, shardsOfPod, type ClassDefinition, type ShardingState } from '../../api/index.js';
import type { ClassState, ControlSnapshot, ControlSource } from '../../node/src/control/types.js';
import { HybridClock } from '../../node/src/objects/hlc.js';
import type { MemberState } from '../../node/src/membership/types.js';
import type { ShardRegistry } from '../../node/src/shards/types.js';
import { RpcClient } from '../../node/src/rpc/client.js';
import { RpcServer } from '../../node/src/rpc/server.js';
import { LocalReplica } from '../../node/src/rpc/replica/local.js';
import { replicaHandlers } from '../../node/src/rpc/replica/service.js';
import { createDistributedCoordinator, type DistributedCluster, type MemberLike, type MembershipLike, type DistributedConfig } from '../../node/src/coordinator/distributed/index.js';
import { CLASS, Fixture, config, quietLog, rng } from '../shards/helpers.js';

/** Gossip as the test decides it: one shared table of member states and addresses. */
export class FakeGossip {
  readonly states = new Map<string, MemberState>();
  readonly addrs = new Map<string, string>();
  readonly meta = new Map<string, Record<string, string | undefined>>();
  private readonly emitter = new EventEmitter();

  view(self: string): MembershipLike {
    return {
      members: () => [...this.states.keys()].map((name) => this.member(name)),
      on: (e, l) => this.emitter.on(e, l),
      off: (e, l) => this.emitter.off(e, l),
      updateMeta: (partial) => this.meta.set(self, { ...this.meta.get(self), ...partial }),
    };
  }

  member(name: string): MemberLike {
    return { name, state: this.states.get(name) ?? 'dead', meta: { dataAddr: this.addrs.get(name), ...this.meta.get(name) } };
  }

  set(name: string, state: MemberState): void {
    const before = this.states.get(name);
    this.states.set(name, state);
    const event = state === 'alive' ? (before === undefined ? 'join' : 'alive') : state;
    this.emitter.emit(event, this.member(name));
  }
}

class StaticControl implements ControlSource {
  readonly kind = 'test';
  constructor(private readonly snap: ControlSnapshot, private readonly pod: string) {}
  async start(): Promise<void> {}
  snapshot(): ControlSnapshot {
    return this.snap;
  }
  localShards(cls: ClassState): string[] {
    return shardsOfPod(cls.sharding, this.pod);
  }
  createClass(): never {
    throw new Error('not in this test');
  }
  deleteClass(): never {
    throw new Error('not in this test');
  }
  addProperty(): never {
    throw new Error('not in this test');
  }
  fixDimensions(): never {
    throw new Error('not in this test');
  }
  subscribe(): () => void {
    return () => undefined;
  }
  async close(): Promise<void> {}
}

export interface Pod {
  name: string;
  registry: ShardRegistry;
  clock: HybridClock;
  client: RpcClient;
  server: RpcServer | undefined;
  port: number;
  cluster: DistributedCluster;
  local: LocalReplica;
}

export interface ClusterOptions {
  pods: number;
  shards: number;
  replicationFactor: number;
  seed?: number;
  config?: Partial<DistributedConfig>;
}

export class TestCluster {
  readonly gossip = new FakeGossip();
  readonly pods: Pod[] = [];
  sharding!: ShardingState;
  private readonly fx = new Fixture();

  static async start(opts: ClusterOptions): Promise<TestCluster> {
    const c = new TestCluster();
    await c.init(opts);
    return c;
  }

  private async init(opts: ClusterOptions): Promise<void> {
    const names = Array.from({ length: opts.pods }, (_, i) => `pod-${i}`);
    this.sharding = createShardingState({ desiredCount: opts.shards, virtualPerPhysical: 16, replicationFactor: opts.replicationFactor }, names.map((name) => ({ name })), rng(opts.seed ?? 1));
    const cls: ClassState = { definition: { class: CLASS } as ClassDefinition, sharding: this.sharding };
    const snap: ControlSnapshot = { version: 1, classes: new Map([[CLASS, cls]]) };
    for (const name of names) {
      const registry = this.fx.registry({ dataDir: `${this.fx.dataDir}/${name}` });
      await Promise.all(shardsOfPod(this.sharding, name).map((s) => registry.open(CLASS, s, config()).loaded));
      const clock = new HybridClock();
      const local = new LocalReplica({ registry, nodeName: name, clock });
      const server = await this.listen(name, local, 0);
      const client = new RpcClient({ node: name, cluster: 'test', secret: undefined, backoff: { initialMs: 20, maxMs: 200 } });
      this.gossip.addrs.set(name, `127.0.0.1:${server.port}`);
      this.gossip.set(name, 'alive');
      const cluster = await createDistributedCoordinator({
        control: new StaticControl(snap, name), registry, membership: this.gossip.view(name), rpc: { client, local }, clock, nodeName: name,
        dataDir: `${this.fx.dataDir}/${name}`, log: quietLog,
        config: { antiEntropyIntervalMs: 0, hintReplayIntervalMs: 3_600_000, writeTimeoutMs: 2_000, readTimeoutMs: 2_000, antiEntropySettleMs: 0, ...opts.config },
      });
      this.pods.push({ name, registry, clock, client, server, port: server.port, cluster, local });
    }
  }

  private listen(name: string, local: LocalReplica, port: number): Promise<RpcServer> {
    return RpcServer.listen({ node: name, cluster: 'test', secret: undefined, host: '127.0.0.1', port, handlers: replicaHandlers(local), log: quietLog });
  }

  pod(name: string): Pod {
    return this.pods.find((p) => p.name === name)!;
  }

  /** Stop a pod's data port; with `tellGossip`, gossip marks it dead too. */
  async kill(name: string, tellGossip = true): Promise<void> {
    const p = this.pod(name);
    await p.server?.close();
    p.server = undefined;
    if (tellGossip) this.gossip.set(name, 'dead');
  }

  async restart(name: string): Promise<void> {
    const p = this.pod(name);
    p.server = await this.listen(name, p.local, p.port);
    this.gossip.set(name, 'alive');
  }

  /** The replica of `shard` on `pod`, straight from its registry. */
  shard(pod: string, shard: string) {
    return this.pod(pod).registry.get(CLASS, shard)!;
  }

  async stop(): Promise<void> {
    for (const p of this.pods) {
      await p.cluster.close();
      p.client.close();
      await p.server?.close();
    }
    await this.fx.cleanup();
  }
}
