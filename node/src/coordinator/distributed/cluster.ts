// Composition of the distributed coordinator's parts; see index.ts for how main.ts uses it.
import { join } from 'node:path';
import type { ControlSource } from '../../control/types.js';
import type { HybridClock } from '../../objects/hlc.js';
import type { Logger } from '../../log.js';
import type { ShardRegistry } from '../../shards/types.js';
import type { RpcClient } from '../../rpc/client.js';
import type { ReplicaOps } from '../../rpc/replica/ops.js';
import { LocalReplica } from '../../rpc/replica/local.js';
import { ReplicaAccess } from './access.js';
import { AntiEntropy } from './anti-entropy.js';
import { DEFAULT_CONFIG, type DistributedConfig } from './config.js';
import { DistributedCoordinator } from './coordinator.js';
import { HintReplayer } from './hints/replayer.js';
import { HintStore } from './hints/store.js';
import { distributedMetrics } from './metrics.js';
import { PeerDirectory, READY_META, type MembershipLike } from './peers.js';
import { ShardReader } from './reader.js';
import { ReplicatedWriter } from './writer.js';


export interface DistributedCoordinatorOptions {
  control: ControlSource;
  registry: ShardRegistry;
  /** Gossip membership (node/src/membership's Membership, or anything shaped like it). */
  membership: MembershipLike;
  /** The RPC client, and this pod's replica service if already made (startRpc's `local`). */
  rpc: { client: RpcClient; local?: ReplicaOps };
  clock: HybridClock;
  nodeName: string;
  /** Hints live in <dataDir>/hints. */
  dataDir: string;
  log: Logger;
  config?: Partial<DistributedConfig>;
}

export interface DistributedCluster {
  coordinator: DistributedCoordinator;
  antiEntropy: AntiEntropy;
  hints: HintReplayer;
  close(): Promise<void>;
}

/** How often readiness ("ready" in gossip metadata) is re-checked. */
const READY_CHECK_MS = 1_000;

export async function createDistributedCoordinator(opts: DistributedCoordinatorOptions): Promise<DistributedCluster> {
  const config = { ...DEFAULT_CONFIG, ...opts.config };
  const log = opts.log.child({ component: 'coordinator' });
  const metrics = distributedMetrics();
  const peers = new PeerDirectory(opts.membership, opts.nodeName, config.failureMemoryMs);
  const local = opts.rpc.local ?? new LocalReplica({ registry: opts.registry, nodeName: opts.nodeName, clock: opts.clock });
  const timeouts = { writeMs: config.writeTimeoutMs, readMs: config.readTimeoutMs, repairMs: Math.max(60_000, config.readTimeoutMs) };
  const access = new ReplicaAccess(peers, local, opts.rpc.client, opts.registry, timeouts);
  const store = HintStore.open(join(opts.dataDir, 'hints'));
  const writer = new ReplicatedWriter(access, store, metrics, log);
  const reader = new ShardReader(access, opts.clock, metrics, log);
  const coordinator = new DistributedCoordinator({
    control: opts.control, access, writer, reader, clock: opts.clock, metrics, log, nodeName: opts.nodeName, nodesTimeoutMs: config.nodesTimeoutMs,
  });
  const hints = new HintReplayer({ store, access, membership: opts.membership, log, metrics, windowMs: config.hintWindowMs, intervalMs: config.hintReplayIntervalMs });
  const antiEntropy = new AntiEntropy({ control: opts.control, access, membership: opts.membership, config, metrics, log });
  const onLeft = (m: { name: string }) => access.forget(m.name);
  opts.membership.on('left', onLeft);
  hints.start();
  antiEntropy.start();
  const stopReady = publishReadiness(opts.membership, opts.registry);
  log.info('distributed coordinator started', { hintsPending: store.targets().map((t) => `${t}:${store.pending(t)}`), antiEntropyIntervalMs: config.antiEntropyIntervalMs });
  return {
    coordinator, antiEntropy, hints,
    close: async () => {
      stopReady();
      opts.membership.off?.('left', onLeft);
      peers.close();
      await antiEntropy.stop();
      await hints.stop();
      await writer.idle();
      await store.close();
    },
  };
}

/** Tell peers through gossip whether this pod's shards are loaded, so reads prefer ready replicas. */
function publishReadiness(membership: MembershipLike, registry: ShardRegistry): () => void {
  if (!membership.updateMeta) return () => undefined;
  let published: string | undefined;
  const check = () => {
    const ready = registry.allReady() ? '1' : '0';
    if (ready === published) return;
    published = ready;
    membership.updateMeta!({ [READY_META]: ready });
  };
  check();
  const timer = setInterval(check, READY_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
