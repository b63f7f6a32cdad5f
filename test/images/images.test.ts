// The two container images, built and run for real with podman (scripts/container-env.sh; needs
// root). Slow: the builds compile hnswlib-node and TypeScript inside the image (a few minutes
// from a cold cache), so this file is meant to run last.
//  - both images build through scripts/build-images.sh, within the size goals, with OCI labels,
//    a numeric non-root user, a HEALTHCHECK and no shell;
//  - three node containers on one host (--network host, distinct ports, joined by gossip through
//    SHOAL_JOIN) each list all three members in /v1/nodes, answer an import and a query, and a
//    node keeps its data in its volume when its container is replaced;
//  - the operator container serves /healthz, leads through a Lease and reconciles, against the
//    local API server whose kubeconfig is mounted into it.
import { expect } from 'chai';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startApiServer, type ApiServer, type KObject } from '../../local/src/apiserver/index.js';
import { JsonClient } from '../support/http-client.js';
import { seededRandom, randomVector, randomUuid } from '../support/vectors.js';
import { waitFor } from '../support/wait.js';
import { ROOT } from '../chart/helm.js';
import { CONTAINER_ENV, Resources, freePort, logsOf, podman, podmanOk, run, runDetached } from './podman.js';

const TAG = 'ci';
const NODE_IMAGE = `ghcr.io/shoal-dev/shoal:${TAG}`;
const OPERATOR_IMAGE = `ghcr.io/shoal-dev/shoal-operator:${TAG}`;
const MB = 1_000_000;
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const PREFIX = `shoal-imgtest-${process.pid}`;

interface ImageInfo {
  Size: number;
  /** podman reports it here (docker under Config). */
  Healthcheck?: { Test: string[] };
  Config: { User: string; Labels: Record<string, string>; Healthcheck?: { Test: string[] }; Entrypoint: string[]; Env: string[] };
}

async function inspect(image: string): Promise<ImageInfo> {
  return (JSON.parse(await podmanOk(['image', 'inspect', image])) as ImageInfo[])[0];
}

interface NodeContainer {
  name: string;
  volume: string;
  http: number;
  gossip: number;
  data: number;
  client: JsonClient;
}

describe('container images (podman)', function () {
  this.timeout(25 * 60_000); // a cold machine: base image (~2 min) and both builds (~8 min) first
  const res = new Resources();
  const sizes: Record<string, number> = {};
  let buildSeconds = 0;
  let buildStartedMs = 0;
  let revision = 'unknown';

  before(async function () {
    if (process.getuid?.() !== 0) throw new Error('the image tests need root (rootful podman through scripts/container-env.sh)');
    const prepared = await run(CONTAINER_ENV, ['prepare'], { timeoutMs: 10 * 60_000 });
    if (prepared.code !== 0) throw new Error(`container-env.sh prepare failed:\n${prepared.stderr}${prepared.stdout}`);
    const head = await run('git', ['rev-parse', '--short=12', 'HEAD']);
    if (head.code === 0) revision = head.stdout.trim();
    // Labels carry whole seconds.
    buildStartedMs = Math.floor(Date.now() / 1000) * 1000;
    const started = Date.now();
    const built = await run(join(ROOT, 'scripts', 'build-images.sh'), [], {
      timeoutMs: 12 * 60_000, env: { ...process.env, SHOAL_IMAGE_BUILDER: 'podman', SHOAL_IMAGE_TAG: TAG },
    });
    buildSeconds = Math.round((Date.now() - started) / 1000);
    if (built.code !== 0) throw new Error(`scripts/build-images.sh failed:\n${built.stdout.slice(-6000)}\n${built.stderr.slice(-4000)}`);
  });
  after(async () => {
    await res.cleanup();
    if (Object.keys(sizes).length) console.log(`      images: built in ${buildSeconds} s; ${Object.entries(sizes).map(([k, v]) => `${k} ${(v / MB).toFixed(0)} MB`).join(', ')}`);
  });

  describe('the images', () => {
    for (const [image, limitMb, title] of [[NODE_IMAGE, 350, 'shoal'], [OPERATOR_IMAGE, 250, 'shoal-operator']] as const) {
      it(`${image}: under ${limitMb} MB, OCI labels, numeric non-root user, a HEALTHCHECK, no shell`, async () => {
        const info = await inspect(image);
        sizes[title] = info.Size;
        expect(info.Size, `${image} is ${(info.Size / MB).toFixed(0)} MB`).to.be.below(limitMb * MB);
        expect(info.Config.User).to.equal('1000:1000');
        expect(info.Config.Labels).to.include({ 'org.opencontainers.image.title': title, 'org.opencontainers.image.version': VERSION, 'org.opencontainers.image.licenses': 'Apache-2.0' });
        expect(info.Config.Labels['org.opencontainers.image.revision']).to.match(new RegExp(`^${revision}(-dirty)?$`));
        // Written by this build, not a value cached from an earlier one.
        expect(Date.parse(info.Config.Labels['org.opencontainers.image.created'])).to.be.at.least(buildStartedMs);
        const healthcheck = info.Healthcheck ?? info.Config.Healthcheck;
        expect(healthcheck?.Test.slice(0, 2)).to.deep.equal(['CMD', '/usr/local/bin/node']);
        expect(info.Config.Entrypoint[0]).to.equal('/usr/local/bin/node');
        for (const shell of ['/bin/sh', '/bin/bash', '/usr/bin/env']) {
          const r = await podman(['run', '--rm', '--entrypoint', shell, image, '-c', 'true']);
          expect(r.code, `${shell} must not exist in ${image}`).to.not.equal(0);
        }
        const r = await podman(['run', '--rm', '--entrypoint', '/usr/local/bin/node', image, '-e', 'process.stdout.write(String(process.getuid()))']);
        expect(r.stdout).to.equal('1000');
      });
    }

    it('the operator image carries none of the node\'s native storage packages, and the node image no dev dependencies', async () => {
      const list = async (image: string) => (await podmanOk(['run', '--rm', '--entrypoint', '/usr/local/bin/node', image, '-e',
        'process.stdout.write(require("fs").readdirSync("/app/node_modules").join(" "))'])).split(' ');
      const op = await list(OPERATOR_IMAGE);
      expect(op).to.include('@kubernetes').and.include('prom-client');
      expect(op).to.not.include.members(['hnswlib-node']);
      for (const p of ['hnswlib-node', 'lmdb', 'express', 'graphql', 'typescript', 'mocha']) expect(op, p).to.not.include(p);
      const nd = await list(NODE_IMAGE);
      expect(nd).to.include('hnswlib-node').and.include('lmdb');
      for (const p of ['typescript', 'mocha', 'chai', 'kubernetes-models', 'ajv']) expect(nd, p).to.not.include(p);
    });
  });

  describe('three node containers on one host', () => {
    const nodes: NodeContainer[] = [];
    const random = seededRandom(3);
    const objects = Array.from({ length: 50 }, (_, i) => ({ class: 'Boxed', id: randomUuid(random), properties: { title: `box ${i}` }, vector: randomVector(random, 6) }));

    async function start(n: NodeContainer, seeds: number[]): Promise<void> {
      await runDetached(res, n.name, NODE_IMAGE, {
        env: {
          SHOAL_NODE_NAME: n.name, SHOAL_HTTP_HOST: '127.0.0.1', SHOAL_HTTP_PORT: String(n.http),
          SHOAL_GOSSIP_BIND: '127.0.0.1', SHOAL_ADVERTISE_ADDR: '127.0.0.1', SHOAL_GOSSIP_PORT: String(n.gossip), SHOAL_DATA_PORT: String(n.data),
          SHOAL_GOSSIP_PROFILE: 'fast', SHOAL_JOIN: seeds.map((p) => `127.0.0.1:${p}`).join(','), SHOAL_WORKERS: '1',
        },
        volumes: [`${n.volume}:/var/lib/shoal`],
      });
    }

    async function ready(n: NodeContainer): Promise<void> {
      await waitFor(async () => (await n.client.get('/v1/.well-known/ready')).status === 200, {
        timeoutMs: 60_000, what: `${n.name} ready (logs: ${await logsOf(n.name)})`,
      });
    }

    async function members(n: NodeContainer): Promise<string[]> {
      const r = await n.client.get('/v1/nodes');
      // Members gossip sees alive (HEALTHY); dead or left ones are listed as UNAVAILABLE.
      return (r.body?.nodes ?? []).filter((m: { status: string }) => m.status === 'HEALTHY').map((m: { name: string }) => m.name).sort();
    }

    before(async () => {
      for (let i = 0; i < 3; i++) {
        const n: NodeContainer = { name: `${PREFIX}-node-${i}`, volume: `${PREFIX}-data-${i}`, http: await freePort(), gossip: await freePort(), data: await freePort(), client: undefined as unknown as JsonClient };
        n.client = new JsonClient(`http://127.0.0.1:${n.http}`);
        res.volumes.add(n.volume);
        nodes.push(n);
      }
      for (const n of nodes) await start(n, nodes.filter((m) => m !== n).map((m) => m.gossip));
      for (const n of nodes) await ready(n);
    });

    it('each lists all three members in /v1/nodes', async () => {
      const all = nodes.map((n) => n.name).sort();
      for (const n of nodes) {
        await waitFor(async () => JSON.stringify(await members(n)) === JSON.stringify(all), {
          timeoutMs: 60_000, what: `${n.name} to list ${all.join(', ')} (it lists ${(await members(n)).join(', ')}; logs: ${await logsOf(n.name)})`,
        });
      }
    });

    it('answers an import and a query', async () => {
      const api = nodes[0].client;
      expect((await api.post('/v1/schema', { class: 'Boxed', vectorIndexConfig: { distance: 'l2-squared' }, properties: [{ name: 'title', dataType: ['text'] }] })).status).to.equal(200);
      const imported = await api.post('/v1/batch/objects', { objects });
      expect(imported.status, imported.text).to.equal(200);
      expect(imported.body.every((o: { result: { status: string } }) => o.result.status === 'SUCCESS')).to.equal(true);
      const q = await api.graphql(`{Get{Boxed(nearVector:{vector:${JSON.stringify(objects[7].vector)}},limit:2){title _additional{id distance}}}}`);
      expect(q.status, q.text).to.equal(200);
      expect(q.body.data.Get.Boxed[0]).to.deep.include({ title: 'box 7' });
      expect(q.body.data.Get.Boxed[0]._additional).to.deep.include({ id: objects[7].id, distance: 0 });
    });

    it('reports healthy through the image\'s HEALTHCHECK (node runs it; there is no curl)', async () => {
      const r = await podman(['healthcheck', 'run', nodes[1].name]);
      expect(r.code, r.stdout + r.stderr).to.equal(0);
    });

    it('keeps its data in its volume when the container is replaced, and rejoins', async () => {
      const n = nodes[0];
      await podmanOk(['stop', '-t', '30', n.name]);
      await podmanOk(['rm', n.name]);
      res.containers.delete(n.name);
      await start(n, nodes.slice(1).map((m) => m.gossip));
      await ready(n);
      const count = await n.client.graphql('{Aggregate{Boxed{meta{count}}}}');
      expect(count.body.data.Aggregate.Boxed[0].meta.count).to.equal(objects.length);
      const q = await n.client.graphql(`{Get{Boxed(nearVector:{vector:${JSON.stringify(objects[21].vector)}},limit:1){title _additional{id}}}}`);
      expect(q.body.data.Get.Boxed[0]._additional.id).to.equal(objects[21].id);
      const all = nodes.map((m) => m.name).sort();
      await waitFor(async () => JSON.stringify(await members(n)) === JSON.stringify(all), { timeoutMs: 60_000, what: `${n.name} to rejoin` });
    });
  });

  describe('the operator container', () => {
    let server: ApiServer;
    let kubeDir: string;
    const name = `${PREFIX}-operator`;
    let url: string;

    before(async () => {
      server = await startApiServer({ gcIntervalMs: 200 });
      for (const f of ['vectorclusters.shoal.dev.yaml', 'vectorclasses.shoal.dev.yaml']) server.create(parse(readFileSync(join(ROOT, 'crds', f), 'utf8')) as KObject);
      // The container's user (1000) must be able to read the kubeconfig.
      kubeDir = mkdtempSync(join(tmpdir(), 'shoal-imgtest-kube-'));
      chmodSync(kubeDir, 0o755);
      copyFileSync(server.kubeconfigPath, join(kubeDir, 'config'));
      chmodSync(join(kubeDir, 'config'), 0o644);
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      await runDetached(res, name, OPERATOR_IMAGE, {
        env: {
          KUBECONFIG: '/kube/config', SHOAL_OPERATOR_HTTP_HOST: '127.0.0.1', SHOAL_OPERATOR_HTTP_PORT: String(port),
          SHOAL_OPERATOR_POD_NAME: 'operator-in-a-container', SHOAL_OPERATOR_POD_NAMESPACE: 'default',
        },
        volumes: [`${kubeDir}:/kube:ro`],
      });
    });
    after(async () => {
      await server?.close();
      if (kubeDir) rmSync(kubeDir, { recursive: true, force: true });
    });

    it('starts, serves /healthz, and passes its HEALTHCHECK', async () => {
      await waitFor(async () => (await fetch(`${url}/healthz`)).status === 200, { timeoutMs: 60_000, what: `the operator's /healthz (logs: ${await logsOf(name)})` });
      const r = await podman(['healthcheck', 'run', name]);
      expect(r.code, r.stdout + r.stderr).to.equal(0);
    });

    it('leads through a Lease and reconciles a VectorCluster into a StatefulSet', async () => {
      const lease = await waitFor(() => server.get('leases.coordination.k8s.io', 'shoal-operator', 'default'), { timeoutMs: 30_000, what: `the Lease (logs: ${await logsOf(name)})` });
      expect((lease.spec as { holderIdentity: string }).holderIdentity).to.equal('operator-in-a-container');
      server.create({ apiVersion: 'shoal.dev/v1alpha1', kind: 'VectorCluster', metadata: { name: 'boxed', namespace: 'default' }, spec: { image: NODE_IMAGE, replicas: 3 } });
      const sts = await waitFor(() => server.get('statefulsets.apps', 'boxed', 'default'), { timeoutMs: 30_000, what: `the StatefulSet (logs: ${await logsOf(name)})` });
      const container = (sts.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0];
      expect(container.image).to.equal(NODE_IMAGE);
      expect(await (await fetch(`${url}/metrics`)).text()).to.match(/^shoal_operator_leader 1$/m);
    });
  });
});
