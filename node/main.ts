// The data-plane node: `node dist/node/main.js`, configured by environment variables (see
// node/src/config.ts and node/README.md). This file composes the parts; each lives in its own
// folder behind one face: control (schema and placement), shards (storage), coordinator
// (routing), api (HTTP).
import './src/api/production-mode.js';
import { mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Registry } from 'prom-client';
import { loadConfig, ConfigError, ENVIRONMENT_VARIABLES, type NodeConfig } from './src/config.js';
import { logger, type Logger } from './src/log.js';
import { registry as defaultMetricsRegistry } from './src/metrics/registry.js';
import { HybridClock } from './src/objects/hlc.js';
import {
  StandaloneControl, ShardSync, createKubeControlSource, createPodReportWriter, registryShardReports, type ControlSource,
} from './src/control/index.js';
import { LocalCoordinator, type Coordinator } from './src/coordinator/index.js';
import { startDataPlane, type DataPlane } from './src/coordinator/distributed/index.js';
import { startMembership, weaviateNodes, type Membership } from './src/membership/index.js';
import { shoalVersion } from './src/version.js';
import { createShardRegistry, type ShardRegistry } from './src/shards/index.js';
import { createApiServer, createApiMetrics, GraphqlEndpoint, type ApiDeps } from './src/api/index.js';

/** The Weaviate API level implemented: class-namespaced object paths (1.14), distance (1.14), /v1/nodes (1.16), consistency levels (1.19). */
export const WEAVIATE_API_LEVEL = '1.19.0';

export interface RunningNode {
  port: number;
  server: Server;
  control: ControlSource;
  registry: ShardRegistry;
  membership?: Membership;
  /** Leave gossip, stop accepting requests, snapshot and close every shard. */
  stop(): Promise<void>;
}

export interface NodeOverrides {
  /** Storage to use instead of the LMDB + hnswlib engine (tests). */
  registry?: ShardRegistry;
  metricsRegistry?: Registry;
}

function createControl(config: NodeConfig, log: Logger): ControlSource {
  if (config.control === 'kube') return createKubeControlSource(config.kube!, { log: log.child({ component: 'control' }) });
  return new StandaloneControl({ dataDir: config.dataDir, nodeName: config.nodeName, log: log.child({ component: 'control' }) });
}

/**
 * Open the shards the control source places here and follow it. Shards on disk that belong to no
 * class are dropped only when the source is known complete: standalone with its schema file, or
 * kube with at least one class of this cluster in sight (an empty view with data on disk more
 * likely means a wrong SHOAL_CLUSTER than a cluster whose every class was deleted).
 */
async function openShards(control: ControlSource, registry: ShardRegistry, log: Logger): Promise<void> {
  const onDisk = registry.onDisk().length > 0;
  let dropOrphans: boolean;
  if (control instanceof StandaloneControl) {
    if (!control.foundStateOnDisk && onDisk)
      throw new Error(`shards exist under the data directory but its schema (control/schema.json) is missing; refusing to start rather than drop them`);
    dropOrphans = control.foundStateOnDisk;
  } else {
    const snap = control.snapshot();
    dropOrphans = snap.classes.size + (snap.pending?.size ?? 0) > 0;
    if (onDisk && !dropOrphans) log.warn('shards on disk but no class of this cluster in sight; keeping them', { shards: registry.onDisk().length });
  }
  await new ShardSync(control, registry, log.child({ component: 'shard-sync' })).start(dropOrphans);
}

/** Gossip, when configured; its metadata carries the HTTP address actually bound. */
async function startGossip(config: NodeConfig, httpPort: number, log: Logger): Promise<Membership | undefined> {
  if (!config.gossip) return undefined;
  const membership = await startMembership(config.gossip, { metrics: true, logger: log.child({ component: 'gossip' }) });
  if (httpPort !== config.httpPort) {
    const host = membership.self().meta.httpAddr?.replace(/:\d+$/, '') ?? '127.0.0.1';
    membership.updateMeta({ httpAddr: `${host}:${httpPort}` });
  }
  return membership;
}

/**
 * Ready once every shard found at start is loaded (restored or rebuilt), and from then on: shards
 * of classes created later load in a fraction of a second and requests wait for them, so they
 * must not take the pod out of its Service.
 */
function readiness(registry: ShardRegistry): () => boolean {
  let ready = false;
  return () => (ready ||= registry.allReady());
}

function listen(server: Server, config: NodeConfig): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.httpPort, config.httpHost, () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startNode(config: NodeConfig, overrides: NodeOverrides = {}): Promise<RunningNode> {
  const log = logger('node', { node: config.nodeName });
  mkdirSync(config.dataDir, { recursive: true });
  const control = createControl(config, log);
  await control.start();
  const registry = overrides.registry ?? createShardRegistry({
    dataDir: config.dataDir, workers: config.workers, snapshotIntervalMs: config.snapshotIntervalMs, log: log.child({ component: 'shards' }),
  });
  await openShards(control, registry, log);
  let membership: Membership | undefined;
  const clock = new HybridClock();
  let plane: DataPlane | undefined;
  let coordinator: Coordinator;
  if (config.control === 'kube' && config.gossip) {
    // Kube mode: objects go to the replicas the operator placed, on any pod (internal RPC on the
    // data port). Gossip starts first: the coordinator routes by it; the HTTP address is fixed below.
    membership = await startGossip(config, config.httpPort, log);
    plane = await startDataPlane({
      nodeName: config.nodeName, dataDir: config.dataDir, dataPort: config.dataPort, control, registry, membership: membership!, clock, log,
      rpc: config.rpc!, replication: config.replication!,
    });
    coordinator = plane.coordinator;
  } else {
    coordinator = new LocalCoordinator({
      control, registry, clock, nodeName: config.nodeName,
      peers: () => (membership ? weaviateNodes(membership.members()) : []),
    });
  }
  const metricsRegistry = overrides.metricsRegistry ?? defaultMetricsRegistry;
  let port = config.httpPort;
  const deps: ApiDeps = {
    control, coordinator, log: log.child({ component: 'api' }), metrics: createApiMetrics(metricsRegistry), metricsRegistry,
    nodeName: config.nodeName, maxBodyBytes: config.maxBodyBytes, apiKeys: config.apiKeys,
    versions: { apiLevel: WEAVIATE_API_LEVEL, shoal: shoalVersion() },
    ready: readiness(registry),
    hostname: () => `http://${config.httpHost}:${port}`,
    graphql: undefined as unknown as GraphqlEndpoint,
  };
  deps.graphql = new GraphqlEndpoint(deps);
  const server = createApiServer(deps);
  port = await listen(server, config);
  log.info('listening', { host: config.httpHost, port, dataDir: config.dataDir, control: control.kind });
  if (!membership) membership = await startGossip(config, port, log);
  else if (port !== config.httpPort) membership.updateMeta({ httpAddr: `${membership.self().meta.httpAddr?.replace(/:\d+$/, '') ?? '127.0.0.1'}:${port}` });
  const report = config.kube && createPodReportWriter(config.kube, {
    log: log.child({ component: 'report' }),
    shards: () => registryShardReports(registry),
    members: () => membership?.members().filter((m) => m.state === 'alive').map((m) => m.name) ?? [config.nodeName],
  });
  report?.start();
  const stop = async () => {
    // Leave first, so peers see "left" (not "dead") and stop routing here before we close.
    await membership?.leave(5_000).catch((e) => log.warn('gossip leave failed', { error: e as Error }));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await plane?.close();
    await report?.stop();
    await registry.close();
    await control.close();
    await membership?.shutdown();
  };
  return { port, server, control, registry, membership, stop };
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log('Shoal data-plane node. Environment variables:\n' + ENVIRONMENT_VARIABLES.map(([k, v]) => `  ${k.padEnd(28)} ${v}`).join('\n'));
    return;
  }
  const log = logger('node');
  let config: NodeConfig;
  try {
    config = loadConfig();
  } catch (e) {
    console.error(`shoal: ${(e as Error).message}`);
    process.exit(2);
  }
  const node = await startNode(config);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    // Idle keep-alive connections would hold server.close open.
    node.server.closeIdleConnections();
    node.stop().then(() => process.exit(0), (e) => (log.error('stop failed', { error: e as Error }), process.exit(1)));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(`shoal: ${(e as Error).message}`);
    process.exit(1);
  });
}
