// Configuration of the Kubernetes control source (SHOAL_CONTROL=kube), read from the
// environment the operator gives the Shoal container (operator/README.md, "Environment of the
// Shoal container"). Validated here, once; a bad value names the variable, what was expected
// and what was found. node/src/config.ts calls `loadKubeControlConfig` when SHOAL_CONTROL=kube.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { CLUSTER_NAME_PATTERN, MAX_CLUSTER_NAME_LENGTH } from '../../../../api/index.js';

export interface KubeControlConfig {
  /** SHOAL_CLUSTER: the VectorCluster whose VectorClasses (spec.clusterRef.name) this pod serves. */
  cluster: string;
  /** SHOAL_NAMESPACE: namespace of the VectorCluster, its VectorClasses and this pod. */
  namespace: string;
  /** SHOAL_NODE_NAME: this pod's name, as placement names it in the sharding state. */
  nodeName: string;
  /** SHOAL_KUBECONFIG: kubeconfig file (local mode); absent: in-cluster service account, else the default kubeconfig. */
  kubeconfigPath?: string;
  /** SHOAL_ALLOW_SCHEMA_CHANGES: whether POST/DELETE /v1/schema may create and delete VectorClasses. */
  allowSchemaChanges: boolean;
  /** SHOAL_SCHEMA_TIMEOUT_MS: how long a schema change waits for the operator (placement, finalizer). */
  schemaTimeoutMs: number;
  /** SHOAL_REPORT_INTERVAL_MS: least time between two writes of the pod report annotation. */
  reportIntervalMs: number;
}

export class KubeControlConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Documentation of every variable, for `main.js --help` and the README. */
export const KUBE_CONTROL_ENVIRONMENT: ReadonlyArray<[string, string]> = [
  ['SHOAL_CLUSTER', 'SHOAL_CONTROL=kube: name of the VectorCluster this pod belongs to (required)'],
  ['SHOAL_NAMESPACE', 'SHOAL_CONTROL=kube: its namespace (default: the service account\'s namespace, else default)'],
  ['SHOAL_KUBECONFIG', 'SHOAL_CONTROL=kube: kubeconfig file (local mode); default: in-cluster service account, else ~/.kube/config'],
  ['SHOAL_ALLOW_SCHEMA_CHANGES', 'SHOAL_CONTROL=kube: true lets POST/DELETE /v1/schema create and delete VectorClasses (default false: use kubectl apply)'],
  ['SHOAL_SCHEMA_TIMEOUT_MS', 'SHOAL_CONTROL=kube: how long a schema change waits for the operator to place or release a class (default 30000)'],
  ['SHOAL_REPORT_INTERVAL_MS', 'SHOAL_CONTROL=kube: least time between two writes of the pod\'s shoal.dev/report annotation (default 5000)'],
];

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function text(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function milliseconds(env: Env, name: string, fallback: number, min: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const n = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > 24 * 3600 * 1000)
    throw new KubeControlConfigError(`${name} must be a number of milliseconds from ${min} to 86400000, got ${JSON.stringify(raw)}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (raw.toLowerCase() === 'true') return true;
  if (raw.toLowerCase() === 'false') return false;
  throw new KubeControlConfigError(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}

function cluster(env: Env): string {
  const name = text(env, 'SHOAL_CLUSTER');
  if (name === undefined)
    throw new KubeControlConfigError('SHOAL_CLUSTER is required with SHOAL_CONTROL=kube: set it to the name of the VectorCluster (the operator does)');
  if (name.length > MAX_CLUSTER_NAME_LENGTH || !CLUSTER_NAME_PATTERN.test(name))
    throw new KubeControlConfigError(`SHOAL_CLUSTER must be a VectorCluster name (lower-case DNS label, at most ${MAX_CLUSTER_NAME_LENGTH} characters), got ${JSON.stringify(name)}`);
  return name;
}

function readServiceAccountNamespace(): string | undefined {
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The kube control source's configuration. `nodeName` defaults to SHOAL_NODE_NAME, else the host
 * name (the pod name in Kubernetes); node/src/config.ts passes the name it already validated.
 */
export function loadKubeControlConfig(env: Env = process.env, defaults: { nodeName?: string; serviceAccountNamespace?: () => string | undefined } = {}): KubeControlConfig {
  const namespace = text(env, 'SHOAL_NAMESPACE') ?? (defaults.serviceAccountNamespace ?? readServiceAccountNamespace)() ?? 'default';
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))
    throw new KubeControlConfigError(`SHOAL_NAMESPACE must be a namespace name (lower-case DNS label), got ${JSON.stringify(namespace)}`);
  return {
    cluster: cluster(env),
    namespace,
    nodeName: defaults.nodeName ?? text(env, 'SHOAL_NODE_NAME') ?? hostname(),
    kubeconfigPath: text(env, 'SHOAL_KUBECONFIG'),
    allowSchemaChanges: bool(env, 'SHOAL_ALLOW_SCHEMA_CHANGES', false),
    schemaTimeoutMs: milliseconds(env, 'SHOAL_SCHEMA_TIMEOUT_MS', 30_000, 100),
    reportIntervalMs: milliseconds(env, 'SHOAL_REPORT_INTERVAL_MS', 5_000, 10),
  };
}

/**
 * Client configuration: SHOAL_KUBECONFIG (local mode; the pod runner's file is plain http with
 * insecure-skip-tls-verify, which client-node 1.x requires for http), else the service account
 * inside a pod, else the default kubeconfig (KUBECONFIG, ~/.kube/config) for a node run by hand.
 */
export function kubeConfigOf(config: Pick<KubeControlConfig, 'kubeconfigPath'>, env: Env = process.env): KubeConfig {
  const kc = new KubeConfig();
  if (config.kubeconfigPath) kc.loadFromFile(config.kubeconfigPath);
  else if (env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}
