// Prometheus metrics of the gossip layer (shoal_gossip_*), on the node's registry.
//
// Metrics are optional per Membership instance: the real node passes a registry, simulations
// and most tests pass nothing. Registration is memoized per registry, so several instances in
// one process may share a registry without "already registered" errors; counters then add up
// and gauges report the sum (members) or the worst value (health score) over the instances.
import type { Registry } from 'prom-client';
import { messageSize } from './codec.js';
import type { CoreStats } from './core.js';
import type { DropReason } from './envelope.js';
import { msgTypeName, type Message, type StreamMessage } from './messages.js';
import { STATE_CODES, type MemberState } from './types.js';
import { client } from '../metrics/registry.js';

/** What the gauges read from a running instance. */
export interface MetricsSource {
  countByState(): Record<MemberState, number>;
  healthScore(): number;
  stats(): CoreStats;
}

export interface GossipMetrics {
  sentPacket(msgs: readonly Message[], bytes: number): void;
  receivedPacket(msgs: readonly Message[], bytes: number): void;
  sentStream(msg: StreamMessage, bytes: number): void;
  receivedStream(msg: StreamMessage, bytes: number): void;
  dropped(reason: DropReason): void;
  probeRtt(ms: number): void;
  /** Start reporting gauges for `source`; returns the detach function. */
  attach(source: MetricsSource): () => void;
}

interface Instruments {
  metrics: GossipMetrics;
}

const byRegistry = new WeakMap<Registry, Instruments>();

/** The gossip metrics registered on `registry` (created on first use). */
export function gossipMetrics(registry: Registry): GossipMetrics {
  let inst = byRegistry.get(registry);
  if (!inst) {
    inst = { metrics: create(registry) };
    byRegistry.set(registry, inst);
  }
  return inst.metrics;
}

function create(registry: Registry): GossipMetrics {
  const sources = new Set<MetricsSource>();
  const reg = [registry];
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new client.Counter({ name, help, labelNames, registers: reg });

  const msgsSent = counter('shoal_gossip_messages_sent_total', 'Gossip messages sent, by type.', ['type']);
  const msgsRecv = counter('shoal_gossip_messages_received_total', 'Gossip messages received and accepted for processing, by type.', ['type']);
  const bytesSent = counter('shoal_gossip_bytes_sent_total', 'Gossip bytes sent, by message type ("envelope": headers and MACs; TCP frames count whole).', ['type']);
  const bytesRecv = counter('shoal_gossip_bytes_received_total', 'Gossip bytes received, by message type (as for sent).', ['type']);
  const dropped = counter('shoal_gossip_packets_dropped_total', 'Incoming datagrams and TCP frames dropped, by reason (malformed, wrong_cluster, unauthenticated, oversized).', ['reason']);
  for (const reason of ['malformed', 'wrong_cluster', 'unauthenticated', 'oversized']) dropped.inc({ reason }, 0);
  const rtt = new client.Histogram({
    name: 'shoal_gossip_probe_rtt_seconds', help: 'Round-trip time of direct UDP probes (ping to ack).',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: reg,
  });
  new client.Gauge({
    name: 'shoal_gossip_members', help: 'Members in the local view, by state.', labelNames: ['state'], registers: reg,
    collect() {
      const totals: Record<string, number> = { alive: 0, suspect: 0, dead: 0, left: 0 };
      for (const s of sources) for (const [k, v] of Object.entries(s.countByState())) totals[k] += v;
      for (const state of STATE_CODES) this.set({ state }, totals[state]);
    },
  });
  new client.Gauge({
    name: 'shoal_gossip_health_score', help: 'Lifeguard local health score: 0 healthy, up to 7; probe interval and timeout scale by score+1.', registers: reg,
    collect() {
      let worst = 0;
      for (const s of sources) worst = Math.max(worst, s.healthScore());
      this.set(worst);
    },
  });
  const statCounter = (name: string, help: string, pick: (s: CoreStats) => number) =>
    new client.Counter({
      name, help, registers: reg,
      collect() {
        let total = 0;
        for (const s of sources) total += pick(s.stats());
        this.reset();
        this.inc(total);
      },
    });
  statCounter('shoal_gossip_suspicions_total', 'Suspicions this member raised after a failed probe.', (s) => s.suspicionsRaised);
  statCounter('shoal_gossip_refutations_total', 'Times this member refuted an accusation about itself.', (s) => s.refutations);
  statCounter('shoal_gossip_declared_dead_total', 'Members this member declared dead when their suspicion expired.', (s) => s.deathsDeclared);
  statCounter('shoal_gossip_push_pulls_total', 'Full-state TCP exchanges this member started (any outcome).', (s) => s.syncOk + s.syncFailed);

  const countPacket = (msgs: readonly Message[], bytes: number, m: typeof msgsSent, b: typeof bytesSent) => {
    let body = 0;
    for (const msg of msgs) {
      const type = msgTypeName(msg.t);
      const size = messageSize(msg);
      body += size;
      m.inc({ type });
      b.inc({ type }, size);
    }
    b.inc({ type: 'envelope' }, bytes - body);
  };
  return {
    sentPacket: (msgs, bytes) => countPacket(msgs, bytes, msgsSent, bytesSent),
    receivedPacket: (msgs, bytes) => countPacket(msgs, bytes, msgsRecv, bytesRecv),
    sentStream: (msg, bytes) => {
      msgsSent.inc({ type: msgTypeName(msg.t) });
      bytesSent.inc({ type: msgTypeName(msg.t) }, bytes);
    },
    receivedStream: (msg, bytes) => {
      msgsRecv.inc({ type: msgTypeName(msg.t) });
      bytesRecv.inc({ type: msgTypeName(msg.t) }, bytes);
    },
    dropped: (reason) => dropped.inc({ reason }),
    probeRtt: (ms) => rtt.observe(ms / 1000),
    attach: (source) => {
      sources.add(source);
      return () => sources.delete(source);
    },
  };
}
