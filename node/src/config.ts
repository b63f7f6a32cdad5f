// The node's configuration, read once at start from environment variables (container-friendly).
// Every value is validated here; a bad value stops the node with a message naming the variable,
// what it expected and what it found.
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { membershipConfigFromEnv, type MembershipConfig } from './membership/index.js';
import { loadKubeControlConfig, KUBE_CONTROL_ENVIRONMENT, type KubeControlConfig } from './control/index.js';
import { shoalVersion } from './version.js';
import { rpcConfigFromEnv, type RpcConfig } from './rpc/index.js';
import { distributedConfigFromEnv, type DistributedConfig } from './coordinator/distributed/config.js';

export type ControlKind = 'standalone' | 'kube';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface NodeConfig {
  /** SHOAL_HTTP_PORT: TCP port of the REST/GraphQL API; 0 picks a free port (tests). */
  httpPort: number;
  /** SHOAL_HTTP_HOST: address to listen on. */
  httpHost: string;
  /** SHOAL_DATA_DIR: where schema, shard placement and shards live (absolute path). */
  dataDir: string;
  /** SHOAL_NODE_NAME: this node's name in placement, logs and /v1/nodes. */
  nodeName: string;
  /** SHOAL_API_KEYS: accepted bearer tokens; empty means no authentication. */
  apiKeys: string[];
  /** SHOAL_MAX_BODY_BYTES: largest request body accepted; larger ones get 413. */
  maxBodyBytes: number;
  /** SHOAL_CONTROL: where schema and shard placement come from. */
  control: ControlKind;
  /** SHOAL_WORKERS: index worker threads (storage engine default when absent). */
  workers?: number;
  /** SHOAL_SNAPSHOT_INTERVAL_MS: time between index snapshots (storage engine default when absent). */
  snapshotIntervalMs?: number;
  /** SHOAL_LOG_LEVEL. */
  logLevel: LogLevel;
  /** SHOAL_DATA_PORT: TCP port of the internal RPC between pods. */
  dataPort: number;
  /** Gossip membership: on in kube mode or when SHOAL_JOIN names peers; absent when this node runs alone. */
  gossip?: MembershipConfig;
  /** The Kubernetes control source's settings, when SHOAL_CONTROL=kube. */
  kube?: KubeControlConfig;
  /** Internal RPC and replication settings, when SHOAL_CONTROL=kube (the distributed data plane). */
  rpc?: RpcConfig;
  replication?: DistributedConfig;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Documentation of every variable, printed by `main.js --help` and copied into the README. */
export const ENVIRONMENT_VARIABLES: ReadonlyArray<[string, string]> = [
  ['SHOAL_HTTP_PORT', 'TCP port of the REST/GraphQL API (default 8080; 0 = any free port, logged at start)'],
  ['SHOAL_HTTP_HOST', 'address to listen on (default 0.0.0.0)'],
  ['SHOAL_DATA_DIR', 'data directory (default .data/<node name> under the working directory)'],
  ['SHOAL_NODE_NAME', 'node name (default: the host name, which is the pod name in Kubernetes)'],
  ['SHOAL_API_KEYS', 'comma-separated API keys; when set, every endpoint but live, ready and metrics needs "Authorization: Bearer <key>"'],
  ['SHOAL_MAX_BODY_BYTES', 'largest request body in bytes (default 67108864 = 64 MiB); larger bodies get 413'],
  ['SHOAL_CONTROL', 'source of schema and shard placement: standalone (default; kept in the data directory) or kube'],
  ['SHOAL_WORKERS', 'HNSW worker threads (default: the storage engine\'s choice)'],
  ['SHOAL_SNAPSHOT_INTERVAL_MS', 'milliseconds between HNSW index snapshots (default: the storage engine\'s choice)'],
  ['SHOAL_LOG_LEVEL', 'debug, info (default), warn or error'],
  ['SHOAL_DATA_PORT', 'TCP port of the internal RPC between pods (default 7001)'],
  ['SHOAL_JOIN', 'gossip seeds: comma-separated host:port entries and/or DNS names whose every A/AAAA record is a seed (the headless Service); gossip runs when this is set or SHOAL_CONTROL=kube'],
  ['SHOAL_GOSSIP_PORT', 'gossip UDP and TCP port (default 7000)'],
  ['SHOAL_GOSSIP_BIND', 'gossip bind address (default 0.0.0.0)'],
  ['SHOAL_ADVERTISE_ADDR', 'address peers use to reach this node (default: first non-internal IPv4, else 127.0.0.1)'],
  ['SHOAL_GOSSIP_PROFILE', 'gossip timers: lan (default; probe 1 s, timeout 500 ms) or fast (local mode and tests)'],
  ['SHOAL_GOSSIP_KEY', 'shared secret (>= 16 bytes) authenticating gossip and internal RPC; unset: unauthenticated'],
  ['SHOAL_CLUSTER_NAME', 'cluster name bound into gossip packets and the RPC handshake; other clusters are dropped (default: SHOAL_CLUSTER, else shoal)'],
  ['SHOAL_ZONE', 'failure domain of this node, spread in gossip metadata'],
  ...KUBE_CONTROL_ENVIRONMENT,
  ['SHOAL_DATA_BIND', 'SHOAL_CONTROL=kube: address of the internal RPC (default SHOAL_GOSSIP_BIND, else 0.0.0.0)'],
  ['SHOAL_RPC_TIMEOUT_MS', 'SHOAL_CONTROL=kube: default deadline of a call to another pod (default 10000)'],
  ['SHOAL_RPC_CONNECTIONS', 'SHOAL_CONTROL=kube: connections per peer pod (default 2)'],
  ['SHOAL_RPC_MAX_FRAME_BYTES', 'SHOAL_CONTROL=kube: largest RPC frame accepted (default 134217728 = 128 MiB)'],
  ['SHOAL_WRITE_TIMEOUT_MS', 'SHOAL_CONTROL=kube: deadline of a write to one replica; a replica that misses it gets a hint (default 10000)'],
  ['SHOAL_READ_TIMEOUT_MS', 'SHOAL_CONTROL=kube: deadline of a read or search on one replica before another is tried (default 10000)'],
  ['SHOAL_HINT_WINDOW_MS', 'SHOAL_CONTROL=kube: hints older than this are dropped; anti-entropy repairs the rest (default 10800000 = 3 h)'],
  ['SHOAL_HINT_REPLAY_INTERVAL_MS', 'SHOAL_CONTROL=kube: retry period of pending hints besides "replica alive again" (default 10000)'],
  ['SHOAL_ANTI_ENTROPY_INTERVAL_MS', 'SHOAL_CONTROL=kube: pause between anti-entropy passes over this pod\'s shards (default 30000; 0 disables)'],
];

function text(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function integer(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  const n = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!(values as readonly string[]).includes(raw))
    throw new ConfigError(`${name} must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw as T;
}

function apiKeys(env: Env): string[] {
  const raw = env.SHOAL_API_KEYS;
  if (raw === undefined || raw.trim() === '') return [];
  const keys = raw.split(',').map((k) => k.trim()).filter((k) => k !== '');
  if (keys.length === 0) throw new ConfigError(`SHOAL_API_KEYS holds no key, got ${JSON.stringify(raw)}; unset it to disable authentication`);
  if (keys.some((k) => /\s/.test(k))) throw new ConfigError('SHOAL_API_KEYS: keys must not contain whitespace');
  return keys;
}

function nodeName(env: Env): string {
  const name = text(env, 'SHOAL_NODE_NAME') ?? hostname();
  if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,251}[A-Za-z0-9])?$/.test(name))
    throw new ConfigError(`SHOAL_NODE_NAME must be letters, digits, '-', '_' or '.', starting and ending alphanumeric, got ${JSON.stringify(name)}`);
  return name;
}

/** Parsers of other parts throw their own errors; the node reports every bad variable the same way. */
function wrap<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): NodeConfig {
  const name = nodeName(env);
  const control = oneOf(env, 'SHOAL_CONTROL', ['standalone', 'kube'] as const, 'standalone');
  const httpPort = integer(env, 'SHOAL_HTTP_PORT', 0, 65535) ?? 8080;
  const dataPort = integer(env, 'SHOAL_DATA_PORT', 0, 65535) ?? 7001;
  return {
    httpPort,
    httpHost: text(env, 'SHOAL_HTTP_HOST') ?? '0.0.0.0',
    dataDir: resolve(cwd, text(env, 'SHOAL_DATA_DIR') ?? `.data/${name}`),
    nodeName: name,
    apiKeys: apiKeys(env),
    maxBodyBytes: integer(env, 'SHOAL_MAX_BODY_BYTES', 1024, 2 ** 31) ?? 64 * 1024 * 1024,
    control,
    workers: integer(env, 'SHOAL_WORKERS', 1, 256),
    snapshotIntervalMs: integer(env, 'SHOAL_SNAPSHOT_INTERVAL_MS', 0, 7 * 24 * 3600 * 1000),
    logLevel: oneOf(env, 'SHOAL_LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
    dataPort,
    gossip: control === 'kube' || text(env, 'SHOAL_JOIN') !== undefined
      ? wrap(() => membershipConfigFromEnv(env as NodeJS.ProcessEnv, { nodeName: name, httpPort, dataPort, version: shoalVersion() }))
      : undefined,
    kube: control === 'kube' ? wrap(() => loadKubeControlConfig(env, { nodeName: name })) : undefined,
    rpc: control === 'kube' ? wrap(() => rpcConfigFromEnv(env)) : undefined,
    replication: control === 'kube' ? wrap(() => distributedConfigFromEnv(env)) : undefined,
  };
}
