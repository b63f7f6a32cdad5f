// The distributed coordinator's face. In kube mode main.ts calls startDataPlane (data-plane.ts),
// which starts the internal RPC on the data port, publishes its address in gossip and composes
// the coordinator (cluster.ts: replica access, writer, reader, hints, anti-entropy):
//
//   const clock = new HybridClock();
//   const membership = await startMembership(config.gossip, { metrics: true });
//   const plane = await startDataPlane({ nodeName, dataDir, dataPort, control, registry, membership, clock, log });
//   ... createApiServer({ coordinator: plane.coordinator, ... })
//   on SIGTERM: await membership.leave(...); close HTTP; await plane.close(); await registry.close(); ...
//
// createDistributedCoordinator is the lower-level factory (tests use it with a fake membership
// and their own RPC): it takes {control, registry, membership, rpc: {client, local?}, clock,
// nodeName, dataDir, log, config?}. The same clock must go to the RPC server (which observes the
// versions other pods send) and to the coordinator (which stamps writes). Its close() stops the
// background work and closes the hint store, not the RPC, registry or membership.
export { createDistributedCoordinator, type DistributedCoordinatorOptions, type DistributedCluster } from './cluster.js';
export { startDataPlane, type DataPlane, type DataPlaneOptions } from './data-plane.js';
export { DistributedCoordinator } from './coordinator.js';
export { DEFAULT_CONFIG, distributedConfigFromEnv, type DistributedConfig } from './config.js';
export type { MembershipLike, MemberLike } from './peers.js';
export { AntiEntropy, type PairResult } from './anti-entropy.js';
