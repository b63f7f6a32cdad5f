// Operator configuration from environment variables (documented in operator/README.md). Every
// value is validated; a bad one stops the operator with a message naming the variable.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { LeaderElectionConfig, DEFAULT_LEASE_TIMING } from './kube/leader.js';
import { LogLevel } from './log.js';

export interface OperatorConfig {
  namespace?: string;
  identity: string;
  leaderElection: LeaderElectionConfig | false;
  httpPort: number;
  httpHost: string;
  workers: number;
  resyncMs: number;
  logLevel: LogLevel;
}

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const OPERATOR_ENVIRONMENT: ReadonlyArray<[string, string]> = [
  ['SHOAL_OPERATOR_NAMESPACE', 'namespace to watch; unset or empty watches all namespaces (needs the ClusterRole)'],
  ['SHOAL_OPERATOR_POD_NAME', 'identity of this replica in the Lease and in Events (downward API metadata.name; default: host name)'],
  ['SHOAL_OPERATOR_POD_NAMESPACE', 'namespace of the operator pod (downward API); default namespace of the Lease'],
  ['SHOAL_OPERATOR_LEADER_ELECTION', 'true (default) or false; false only for a single replica'],
  ['SHOAL_OPERATOR_LEASE_NAME', 'name of the coordination.k8s.io Lease (default shoal-operator)'],
  ['SHOAL_OPERATOR_LEASE_NAMESPACE', 'namespace of the Lease (default: the operator pod\'s namespace, else default)'],
  ['SHOAL_OPERATOR_LEASE_DURATION_SECONDS', 'lease validity without renewal (default 15)'],
  ['SHOAL_OPERATOR_RENEW_DEADLINE_SECONDS', 'give up leadership (and exit) when renewal fails this long (default 10; < lease duration)'],
  ['SHOAL_OPERATOR_RETRY_PERIOD_SECONDS', 'time between acquire/renew attempts (default 2)'],
  ['SHOAL_OPERATOR_HTTP_PORT', 'port of /healthz and /metrics (default 8081; 0 = any free port)'],
  ['SHOAL_OPERATOR_HTTP_HOST', 'address of that port (default 0.0.0.0)'],
  ['SHOAL_OPERATOR_WORKERS', 'concurrent reconciles per controller (default 2; never two for one resource)'],
  ['SHOAL_OPERATOR_RESYNC_SECONDS', 'reconcile every resource again after this long without events (default 600)'],
  ['SHOAL_LOG_LEVEL', 'debug, info (default), warn or error'],
  ['KUBECONFIG', 'kubeconfig to use outside a cluster; inside, the pod\'s service account is used'],
];

function text(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const n = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

const SA_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function podNamespace(env: Env): string {
  return text(env, 'SHOAL_OPERATOR_POD_NAMESPACE') ?? (existsSync(SA_NAMESPACE_FILE) ? readFileSync(SA_NAMESPACE_FILE, 'utf8').trim() : 'default');
}

function leaderElection(env: Env, identity: string): LeaderElectionConfig | false {
  const on = text(env, 'SHOAL_OPERATOR_LEADER_ELECTION') ?? 'true';
  if (on !== 'true' && on !== 'false') throw new ConfigError(`SHOAL_OPERATOR_LEADER_ELECTION must be true or false, got ${JSON.stringify(on)}`);
  if (on === 'false') return false;
  const s = (name: string, fallbackMs: number) => int(env, name, fallbackMs / 1000, 1, 3600) * 1000;
  const cfg: LeaderElectionConfig = {
    leaseName: text(env, 'SHOAL_OPERATOR_LEASE_NAME') ?? 'shoal-operator',
    leaseNamespace: text(env, 'SHOAL_OPERATOR_LEASE_NAMESPACE') ?? podNamespace(env),
    identity,
    leaseDurationMs: s('SHOAL_OPERATOR_LEASE_DURATION_SECONDS', DEFAULT_LEASE_TIMING.leaseDurationMs),
    renewDeadlineMs: s('SHOAL_OPERATOR_RENEW_DEADLINE_SECONDS', DEFAULT_LEASE_TIMING.renewDeadlineMs),
    retryPeriodMs: s('SHOAL_OPERATOR_RETRY_PERIOD_SECONDS', DEFAULT_LEASE_TIMING.retryPeriodMs),
  };
  if (cfg.renewDeadlineMs >= cfg.leaseDurationMs)
    throw new ConfigError('SHOAL_OPERATOR_RENEW_DEADLINE_SECONDS must be less than SHOAL_OPERATOR_LEASE_DURATION_SECONDS');
  return cfg;
}

export function loadOperatorConfig(env: Env = process.env): OperatorConfig {
  const identity = text(env, 'SHOAL_OPERATOR_POD_NAME') ?? hostname();
  const logLevel = text(env, 'SHOAL_LOG_LEVEL') ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new ConfigError(`SHOAL_LOG_LEVEL must be debug, info, warn or error, got ${JSON.stringify(logLevel)}`);
  return {
    namespace: text(env, 'SHOAL_OPERATOR_NAMESPACE'),
    identity,
    leaderElection: leaderElection(env, identity),
    httpPort: int(env, 'SHOAL_OPERATOR_HTTP_PORT', 8081, 0, 65535),
    httpHost: text(env, 'SHOAL_OPERATOR_HTTP_HOST') ?? '0.0.0.0',
    workers: int(env, 'SHOAL_OPERATOR_WORKERS', 2, 1, 64),
    resyncMs: int(env, 'SHOAL_OPERATOR_RESYNC_SECONDS', 600, 1, 86400) * 1000,
    logLevel: logLevel as LogLevel,
  };
}
