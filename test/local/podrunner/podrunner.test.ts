// The pod runner against the embedded API server, with a stand-in node process: pods and
// claims appear as a StatefulSet controller would make them, processes get the resolved
// environment, readiness flows into Pod and StatefulSet status, crashes are restarted, scale
// and template changes are followed, and deleting the StatefulSet stops everything.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApiServer, ApiServer } from '../../../local/src/apiserver/index.js';
import { startPodRunner, PodRunner } from '../../../local/src/podrunner/index.js';

const FAKE_NODE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fake-node.js');

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Obj = { metadata: { name: string; uid?: string; annotations?: Record<string, string>; labels?: Record<string, string> }; status?: any; spec?: any };

function statefulSet(replicas: number, extraEnv: Array<Record<string, unknown>> = []) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'default' },
    spec: {
      replicas,
      serviceName: 'db-headless',
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: {
          containers: [{
            name: 'node',
            image: 'shoal:test',
            env: [
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'API_KEYS', valueFrom: { secretKeyRef: { name: 'keys', key: 'apiKeys' } } },
              { name: 'GREETING', value: 'hello $(POD_NAME)' },
              ...extraEnv,
            ],
            readinessProbe: { httpGet: { path: '/v1/.well-known/ready', port: 'http' } },
          }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
}

describe('local pod runner', function () {
  this.timeout(90_000);
  let api: ApiServer;
  let runner: PodRunner;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-podrunner-'));
    api = await startApiServer({});
    api.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'keys', namespace: 'default' }, data: { apiKeys: Buffer.from('k1,k2').toString('base64') } } as never);
    runner = await startPodRunner({ kubeconfigPath: api.kubeconfigPath, workDir: dir, nodeEntry: FAKE_NODE, log: () => {}, probeIntervalMs: 100, resyncMs: 500 });
  });

  after(async () => {
    await runner?.stop();
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const pods = () => api.list<Obj & { kind: string; apiVersion: string }>('pods', { namespace: 'default' }) as unknown as Obj[];
  const sts = () => api.get('statefulsets.apps', 'db', 'default') as unknown as Obj | undefined;
  const env = async (podHttp: string) => ((await (await fetch(`${podHttp}/env`)).json()) as { pid: number; env: Record<string, string> });

  it('creates pods, claims and processes with resolved environment and readiness', async () => {
    api.create(statefulSet(2) as never);
    await until('2 ready replicas', () => sts()?.status?.readyReplicas === 2);
    const names = pods().map((p) => p.metadata.name).sort();
    expect(names).to.deep.equal(['db-0', 'db-1']);
    const claims = (api.list('persistentvolumeclaims', { namespace: 'default' }) as unknown as Obj[]).map((c) => c.metadata.name).sort();
    expect(claims).to.deep.equal(['data-db-0', 'data-db-1']);
    const p0 = pods().find((p) => p.metadata.name === 'db-0')!;
    const http = p0.metadata.annotations!['local.shoal.dev/http'];
    expect(http).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { pid, env: e } = await env(http);
    expect(p0.metadata.annotations!['local.shoal.dev/pid']).to.equal(String(pid));
    expect(e.POD_NAME).to.equal('db-0');
    expect(e.API_KEYS).to.equal('k1,k2');
    expect(e.GREETING).to.equal('hello db-0');
    expect(e.SHOAL_DATA_DIR).to.equal(join(dir, 'volumes', 'default', 'data-db-0'));
    expect(e.SHOAL_JOIN.split(',')).to.have.length(2);
    expect(p0.status.conditions.find((c: { type: string }) => c.type === 'Ready').status).to.equal('True');
  });

  it('marks a pod unready when its readiness probe fails', async () => {
    const http = runner.list().find((p) => p.name === 'db-1')!.http;
    await fetch(`${http}/unready`);
    await until('db-1 unready in status', () => sts()?.status?.readyReplicas === 1);
    const p1 = pods().find((p) => p.metadata.name === 'db-1')!;
    expect(p1.status.conditions.find((c: { type: string }) => c.type === 'Ready').status).to.equal('False');
  });

  it('restarts a process killed with SIGKILL and counts the restart', async () => {
    const before = runner.list().find((p) => p.name === 'db-0')!;
    process.kill(before.pid!, 'SIGKILL');
    await until('db-0 restarted', () => {
      const p = runner.list().find((x) => x.name === 'db-0');
      return p && p.pid && p.pid !== before.pid && p.ready;
    });
    await until('restartCount in pod status', () =>
      pods().find((p) => p.metadata.name === 'db-0')?.status?.containerStatuses?.[0]?.restartCount === 1);
  });

  it('follows scale up and scale down, keeping claims by default', async () => {
    const cur = sts()!;
    api.apply({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'default' }, spec: { ...cur.spec, replicas: 3 } } as never, 'test', { force: true });
    await until('3 pods', () => pods().length === 3 && runner.list().length === 3);
    api.apply({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'default' }, spec: { ...cur.spec, replicas: 1 } } as never, 'test', { force: true });
    await until('1 pod', () => pods().length === 1 && runner.list().length === 1);
    expect(pods()[0].metadata.name).to.equal('db-0');
    const claims = (api.list('persistentvolumeclaims', { namespace: 'default' }) as unknown as Obj[]).length;
    expect(claims).to.equal(3);
  });

  it('rolls pods when the template changes, and stops everything when the StatefulSet goes', async () => {
    const oldPid = runner.list()[0].pid;
    api.apply(statefulSet(1, [{ name: 'NEW', value: 'yes' }]) as never, 'test', { force: true });
    await until('db-0 replaced with the new template', async () => {
      const p = runner.list()[0];
      if (!p?.ready || p.pid === oldPid) return undefined;
      return (await env(p.http)).env.NEW === 'yes';
    });
    api.delete('statefulsets.apps', 'db', 'default');
    await until('pods gone and processes stopped', () => pods().length === 0 && runner.list().length === 0);
  });
});
