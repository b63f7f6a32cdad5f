// Everything a pod needs to take part in the distributed data plane, started in one call: the
// internal RPC on the data port (serving this pod's replicas), its address published in gossip,
// and the distributed coordinator with hints and anti-entropy. main.ts calls this in kube mode.
import type { ControlSource } from '../../control/types.js';
import type { HybridClock } from '../../objects/hlc.js';
import type { Logger } from '../../log.js';
import type { Membership } from '../../membership/index.js';
import { formatAddr, parseHostPort } from '../../membership/addr.js';
import type { ShardRegistry } from '../../shards/types.js';
import { startRpc, type RpcConfig, type RunningRpc } from '../../rpc/index.js';
import type { DistributedConfig } from './config.js';
import { createDistributedCoordinator, type DistributedCluster } from './cluster.js';
import type { DistributedCoordinator } from './coordinator.js';

export interface DataPlaneOptions {
  nodeName: string;
  dataDir: string;
  /** SHOAL_DATA_PORT as configured (0: any free port, published in gossip once bound). */
  dataPort: number;
  control: ControlSource;
  registry: ShardRegistry;
  membership: Membership;
  /** The pod's one hybrid clock: stamps writes here, observes versions the RPC server receives. */
  clock: HybridClock;
  log: Logger;
  /** RPC settings (SHOAL_DATA_BIND, SHOAL_RPC_*, validated by node/src/config.ts); its port is `dataPort`. */
  rpc: RpcConfig;
  /** Coordinator settings (SHOAL_*_TIMEOUT_MS, SHOAL_HINT_*, SHOAL_ANTI_ENTROPY_*). */
  replication: DistributedConfig;
}

export interface DataPlane {
  coordinator: DistributedCoordinator;
  rpc: RunningRpc;
  cluster: DistributedCluster;
  /** Stop background work and the data port (call after leaving gossip, before closing the registry). */
  close(): Promise<void>;
}

export async function startDataPlane(opts: DataPlaneOptions): Promise<DataPlane> {
  const rpcConfig = { ...opts.rpc, port: opts.dataPort };
  const rpc = await startRpc({ config: rpcConfig, nodeName: opts.nodeName, registry: opts.registry, clock: opts.clock, log: opts.log });
  publishDataAddr(opts.membership, rpc.server.port);
  const cluster = await createDistributedCoordinator({
    control: opts.control, registry: opts.registry, membership: opts.membership, rpc, clock: opts.clock,
    nodeName: opts.nodeName, dataDir: opts.dataDir, log: opts.log, config: opts.replication,
  });
  return {
    coordinator: cluster.coordinator, rpc, cluster,
    close: async () => {
      await cluster.close();
      await rpc.close();
    },
  };
}

/** Gossip metadata carries the data address; correct its port when it was chosen at bind time. */
function publishDataAddr(membership: Membership, port: number): void {
  const current = membership.self().meta.dataAddr;
  const host = current ? parseHostPort(current).host : membership.address.replace(/:\d+$/, '');
  const addr = formatAddr(host, port);
  if (addr !== current) membership.updateMeta({ dataAddr: addr });
}
