// The data-plane node: `node dist/node/main.js`, configured by environment variables (see
// node/src/config.ts and node/README.md). This file composes the parts; each lives in its own
// folder behind one face: control (schema and placement), shards (storage), coordinator
// (routing), api (HTTP).
import './src/api/production-mode.js';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Registry } from 'prom-client';
import { loadConfig, ConfigError, ENVIRONMENT_VARIABLES, type NodeConfig } from './src/config.js';
import { logger, type Logger } from './src/log.js';
import { registry as defaultMetricsRegistry } from './src/metrics/registry.js';
import { HybridClock } from './src/objects/hlc.js';
import { StandaloneControl, ShardSync, type ControlSource } from './src/control/index.js';
import { LocalCoordinator } from './src/coordinator/index.js';
import { createShardRegistry, type ShardRegistry } from './src/shards/index.js';
import { createApiServer, createApiMetrics, GraphqlEndpoint, type ApiDeps } from './src/api/index.js';

/** The Weaviate API level implemented: class-namespaced object paths (1.14), distance (1.14), /v1/nodes (1.16), consistency levels (1.19). */
export const WEAVIATE_API_LEVEL = '1.19.0';

export interface RunningNode {
  port: number;
  server: Server;
  control: ControlSource;
  registry: ShardRegistry;
  /** Stop accepting requests, snapshot and close every shard. */
  stop(): Promise<void>;
}

export interface NodeOverrides {
  /** Storage to use instead of the LMDB + hnswlib engine (tests). */
  registry?: ShardRegistry;
  metricsRegistry?: Registry;
}

function shoalVersion(): string {
  // dist/node/main.js and node/main.ts both sit two levels below the package root.
  const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function createControl(config: NodeConfig, log: Logger): StandaloneControl {
  if (config.control !== 'standalone')
    throw new ConfigError(`SHOAL_CONTROL=${config.control} is not available in this build yet; use standalone`);
  return new StandaloneControl({ dataDir: config.dataDir, nodeName: config.nodeName, log: log.child({ component: 'control' }) });
}

async function openShards(control: StandaloneControl, registry: ShardRegistry, log: Logger): Promise<void> {
  if (!control.foundStateOnDisk && registry.onDisk().length > 0)
    throw new Error(`shards exist under the data directory but its schema (control/schema.json) is missing; refusing to start rather than drop them`);
  await new ShardSync(control, registry, log.child({ component: 'shard-sync' })).start(control.foundStateOnDisk);
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
  const coordinator = new LocalCoordinator({ control, registry, clock: new HybridClock(), nodeName: config.nodeName });
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
  const stop = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await registry.close();
    await control.close();
  };
  return { port, server, control, registry, stop };
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
