// Shoal membership: who is alive, right now, among the data-plane pods.
//
// SWIM failure detection with HashiCorp memberlist's refinements and Lifeguard (local health
// awareness, dynamic suspicion timeouts, buddy system), piggybacked gossip, TCP push-pull every
// few seconds, graceful leave, and <= 512 bytes of metadata per member. The protocol core is a
// deterministic state machine (core.ts) that also runs on a simulated network (sim.ts); this
// file is the face the node uses.
//
// Typical use in the node's main process:
//
//   const config = membershipConfigFromEnv(process.env, { nodeName, httpPort, dataPort, version });
//   const membership = await startMembership(config, { metrics: true });
//   membership.on('dead', (m) => coordinator.markDown(m.name));
//   ...GET /v1/nodes: weaviateNodes(membership.members())
//   process.on('SIGTERM', async () => { await membership.leave(5_000); await membership.shutdown(); });
//
// startMembership binds UDP and TCP on the gossip port and returns at once; joining (through
// SHOAL_JOIN's seeds, retried with backoff until one answers) continues in the background:
// await membership.joined() if you need to. Events are delivered synchronously from the
// protocol loop; listeners must not block (exceptions are caught and logged).
//
// Environment (see env.ts for the details and defaults):
//   SHOAL_JOIN, SHOAL_GOSSIP_PORT (7000), SHOAL_GOSSIP_BIND (0.0.0.0), SHOAL_ADVERTISE_ADDR
//   (first non-internal IPv4), SHOAL_GOSSIP_PROFILE (lan | fast), SHOAL_GOSSIP_KEY,
//   SHOAL_CLUSTER_NAME (shoal), SHOAL_ZONE.
//
// Metrics (when started with { metrics: true }, on node/src/metrics/registry.ts):
//   shoal_gossip_members{state}, shoal_gossip_health_score, shoal_gossip_probe_rtt_seconds,
//   shoal_gossip_messages_{sent,received}_total{type}, shoal_gossip_bytes_{sent,received}_total{type},
//   shoal_gossip_packets_dropped_total{reason}, shoal_gossip_suspicions_total,
//   shoal_gossip_refutations_total, shoal_gossip_declared_dead_total, shoal_gossip_push_pulls_total.
import { Membership, type MembershipOptions } from './membership.js';
import type { MembershipConfig } from './env.js';

export { Membership } from './membership.js';
export type { MemberInfo, MemberListener, MembershipOptions } from './membership.js';
export { membershipConfigFromEnv, defaultAdvertiseAddr, parseSeeds } from './env.js';
export type { MembershipConfig, MemberMeta, EnvDefaults } from './env.js';
export { nodeStatus, weaviateNodes } from './status.js';
export type { NodeStatus, NodeStatusEntry } from './status.js';
export { LAN, FAST, PROFILES, crashDetectionBoundMs, suspicionMinMs, retransmitLimit } from './config.js';
export type { ProtocolConfig, ProfileName } from './config.js';
export type { MemberState, MemberEventType } from './types.js';
export { META_MAX_BYTES } from './types.js';

/**
 * Start gossip for `config`: bind UDP and TCP, start probing, and join the seeds in the
 * background (never blocks on them). Rejects only if the port cannot be bound or the config
 * is invalid.
 */
export function startMembership(config: MembershipConfig, opts?: MembershipOptions): Promise<Membership> {
  return Membership.start(config, opts);
}
