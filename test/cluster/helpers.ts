// A real cluster for the multi-process tests: `shoal up` (embedded API server, the real operator,
// one node process per pod on 127.0.0.1) with one VectorCluster and one VectorClass, plus the
// clients the tests use: HTTP to any pod, and the internal RPC to any pod's data port (to compare
// replica digests). Everything is stopped in `stop()`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { up, type LocalCluster } from '../../local/src/up.js';
import { parseShardingState, type ShardingState } from '../../api/index.js';
import { RpcClient } from '../../node/src/rpc/client.js';
import { RemoteReplica } from '../../node/src/rpc/replica/remote.js';
import { digestRoot } from '../../node/src/rpc/replica/digest.js';
import { JsonClient } from '../support/http-client.js';
import { waitFor } from '../support/wait.js';

export const CLASS = 'Item';

export interface ClusterSpec {
  name: string;
  pods: number;
  shards: number;
  replicationFactor: number;
  dimensions: number;
  /** Extra environment for every pod. */
  podEnv?: Record<string, string>;
  efConstruction?: number;
  maxConnections?: number;
  ef?: number;
}

function manifest(s: ClusterSpec): string {
  return `apiVersion: shoal.dev/v1alpha1
kind: VectorCluster
metadata:
  name: ${s.name}
spec:
  replicas: ${s.pods}
  image: ghcr.io/shoal-dev/shoal:0.1.0
  storage:
    size: 1Gi
---
apiVersion: shoal.dev/v1alpha1
kind: VectorClass
metadata:
  name: item
spec:
  clusterRef:
    name: ${s.name}
  class:
    class: ${CLASS}
    properties:
      - name: n
        dataType: [int]
    vectorIndexConfig:
      distance: cosine
      dimensions: ${s.dimensions}
      efConstruction: ${s.efConstruction ?? 64}
      maxConnections: ${s.maxConnections ?? 16}
      ef: ${s.ef ?? -1}
    shardingConfig:
      desiredCount: ${s.shards}
    replicationConfig:
      factor: ${s.replicationFactor}
`;
}

export class Cluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'shoal-cluster-'));
  local!: LocalCluster;
  sharding!: ShardingState;
  private rpc: RpcClient | undefined;

  constructor(readonly spec: ClusterSpec) {}

  static async start(spec: ClusterSpec): Promise<Cluster> {
    const c = new Cluster(spec);
    try {
      await c.boot();
    } catch (e) {
      await c.stop();
      throw e;
    }
    return c;
  }

  private async boot(): Promise<void> {
    const file = join(this.dir, 'cluster.yaml');
    writeFileSync(file, manifest(this.spec));
    this.local = await up({
      files: [file], dataDir: join(this.dir, 'data'), apiPort: 0, quiet: !process.env.SHOAL_TEST_LOGS,
      podEnv: { SHOAL_WORKERS: '1', SHOAL_LOG_LEVEL: process.env.SHOAL_TEST_LOGS ? 'info' : 'warn', ...this.spec.podEnv },
    });
    await waitFor(() => this.podNames().length === this.spec.pods && this.local.runner.list().every((p) => p.ready), { what: `${this.spec.pods} ready pods`, timeoutMs: 90_000 });
    this.sharding = await this.placement();
    // Every pod sees the class and every other pod alive in gossip.
    await waitFor(async () => {
      for (const name of this.podNames()) {
        const nodes = await this.http(name).get('/v1/nodes');
        const schema = await this.http(name).get(`/v1/schema/${CLASS}`);
        if (schema.status !== 200 || nodes.status !== 200) return false;
        if (nodes.body.nodes.filter((n: { status: string }) => n.status === 'HEALTHY').length !== this.spec.pods) return false;
      }
      return true;
    }, { what: 'every pod to see the class and all pods healthy', timeoutMs: 60_000 });
  }

  private async placement(): Promise<ShardingState> {
    const kc = this.local.kubeConfig;
    const path = `/apis/shoal.dev/v1alpha1/namespaces/default/vectorclasses/item`;
    const cluster = kc.getCurrentCluster()!;
    return waitFor(async () => {
      const opts = await kc.applyToFetchOptions({});
      const res = await fetch(cluster.server + path, opts as RequestInit);
      const body = (await res.json()) as { status?: { sharding?: unknown } };
      return body.status?.sharding ? parseShardingState(body.status.sharding) : undefined;
    }, { what: 'the class to be placed', timeoutMs: 60_000 });
  }

  podNames(): string[] {
    return this.local.runner.list().map((p) => p.name).sort();
  }

  pod(name: string) {
    const p = this.local.runner.list().find((x) => x.name === name);
    if (!p) throw new Error(`no pod ${name}`);
    return p;
  }

  http(name: string): JsonClient {
    return new JsonClient(this.pod(name).http);
  }

  /** The pod's data address, from the ports the pod runner annotated on the Pod object. */
  async dataAddr(name: string): Promise<string> {
    const core = this.local.kubeConfig.makeApiClient(CoreV1Api);
    const pod = await core.readNamespacedPod({ name, namespace: 'default' });
    const ports = pod.metadata?.annotations?.['local.shoal.dev/ports'] ?? '';
    return `127.0.0.1:${ports.split(',')[2]}`;
  }

  /** Digest root of every replica of every shard: shard -> [pod, root][]. */
  async digests(): Promise<Map<string, Array<[string, string]>>> {
    this.rpc ??= new RpcClient({ node: 'cluster-test', cluster: this.spec.name, secret: undefined });
    const out = new Map<string, Array<[string, string]>>();
    for (const p of this.sharding.physical) {
      const roots: Array<[string, string]> = [];
      for (const pod of p.replicas) {
        const replica = new RemoteReplica(this.rpc, { name: pod, addr: await this.dataAddr(pod) });
        roots.push([pod, digestRoot(await replica.digest({ class: CLASS, shard: p.name }, 10))]);
      }
      out.set(p.name, roots);
    }
    return out;
  }

  async stop(): Promise<void> {
    this.rpc?.close();
    await this.local?.stop().catch(() => undefined);
    // SHOAL_TEST_KEEP=1 keeps the folder (pod logs under data/logs) for a look afterwards.
    if (process.env.SHOAL_TEST_KEEP) console.log(`      cluster folder kept: ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

export function uuidOf(i: number): string {
  return `10000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

export function indexOfUuid(id: string): number {
  return parseInt(id.slice(24), 16);
}

export function vectorJson(v: Float32Array): string {
  let s = '[';
  for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + Number(v[i].toPrecision(9));
  return s + ']';
}

/** The body of POST /v1/batch/objects for objects [from, from + count). */
export function batchBody(vectors: Float32Array, dims: number, from: number, count: number): string {
  const objs: string[] = [];
  for (let i = from; i < from + count; i++) {
    objs.push(`{"class":"${CLASS}","id":"${uuidOf(i)}","properties":{"n":${i}},"vector":${vectorJson(vectors.subarray(i * dims, (i + 1) * dims))}}`);
  }
  return `{"objects":[${objs.join(',')}]}`;
}

/** nearVector through GraphQL: ids and distances of the nearest `limit`. */
export function nearVectorQuery(v: Float32Array, limit: number): string {
  return `{ Get { ${CLASS}(nearVector: {vector: ${vectorJson(v)}}, limit: ${limit}) { n _additional { id distance } } } }`;
}
