// Scrape a running node and a running operator (real processes) and hold every catalogued metric
// to its type, labels and presence, and the whole exposition to `promtool check metrics`.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startApiServer, type ApiServer, type KObject } from '../../local/src/apiserver/index.js';
import { startNodeProcess, stopAllNodes, type NodeProcess } from '../support/node-process.js';
import { waitFor } from '../support/wait.js';
import { freePort } from '../support/ports.js';
import { ROOT } from '../chart/helm.js';
import { exerciseNode } from './workload.js';
import { CATALOGUE } from './catalogue.js';
import { catalogueProblems, parseExposition, promtoolCheckMetrics, startOperatorProcess, type OperatorProcess } from './exposition.js';

/**
 * promtool's lint findings, less prom-client's own default gauges named *_total
 * (nodejs_active_handles_total and friends), which Shoal's code does not choose.
 */
export async function lintFindings(text: string): Promise<string[]> {
  const r = await promtoolCheckMetrics(text);
  const findings = r.out.split('\n').filter((l) => l.trim() !== '');
  const own = findings.filter((l) => !/^shoal_(operator_)?nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/.test(l));
  if (r.code !== 0 && findings.length === 0) own.push(`promtool exited ${r.code} without findings`);
  return own;
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).to.equal(200);
  expect(res.headers.get('content-type')).to.match(/^text\/plain/);
  return res.text();
}

describe('metrics of running processes', function () {
  this.timeout(120_000);

  describe('a node', () => {
    let node: NodeProcess;
    let text: string;

    before(async () => {
      // Two nodes gossiping (SHOAL_JOIN turns membership on), so that the gossip metrics move.
      const [g0, g1] = [await freePort(), await freePort()];
      const gossip = (port: number, peer: number) => ({
        SHOAL_GOSSIP_PORT: String(port), SHOAL_GOSSIP_BIND: '127.0.0.1', SHOAL_ADVERTISE_ADDR: '127.0.0.1',
        SHOAL_GOSSIP_PROFILE: 'fast', SHOAL_JOIN: `127.0.0.1:${peer}`, SHOAL_DATA_PORT: String(0),
      });
      node = await startNodeProcess({ nodeName: 'metrics-0', env: gossip(g0, g1) });
      const peer = await startNodeProcess({ nodeName: 'metrics-peer', env: gossip(g1, g0) });
      await node.waitReady();
      await peer.waitReady();
      await exerciseNode(node);
      await waitFor(async () => {
        text = await scrape(node.url);
        return /^shoal_gossip_members\{state="alive"\} 2$/m.test(text) && /^shoal_gossip_push_pulls_total [1-9]/m.test(text) && /^shoal_gossip_probe_rtt_seconds_count [1-9]/m.test(text);
      }, { timeoutMs: 30_000, what: 'two alive gossip members, a push-pull and a probe in /metrics' });
    });
    after(stopAllNodes);

    it('exports every catalogued node metric with its type, HELP and labels, with samples after a workload', () => {
      const families = parseExposition(text);
      const problems = CATALOGUE.filter((m) => m.component === 'node' && (m.when === 'always' || m.when === 'workload')).flatMap((m) => catalogueProblems(families, m, true));
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });

    it('counts what the workload did', () => {
      const families = parseExposition(text);
      const objects = families.get('shoal_shard_objects')?.samples ?? [];
      expect(objects.filter((s) => s.labels.class === 'Metric')).to.have.length(2);
      expect(objects.reduce((n, s) => n + s.value, 0)).to.equal(40);
      const batch = families.get('shoal_batch_objects_total')?.samples.find((s) => s.labels.result === 'success');
      expect(batch?.value).to.equal(40);
      const queries = families.get('shoal_query_duration_seconds')?.samples.filter((s) => s.series.endsWith('_count')) ?? [];
      expect(queries.reduce((n, s) => n + s.value, 0)).to.be.at.least(1);
    });

    it('exports every catalogued gossip metric, with samples, when the node runs membership', () => {
      const families = parseExposition(text);
      const problems = CATALOGUE.filter((m) => m.component === 'node' && m.when === 'membership').flatMap((m) => catalogueProblems(families, m, true));
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });

    it('exports no shoal_ metric that the catalogue lacks (prom-client\'s process and nodejs defaults aside)', () => {
      const known = new Set(CATALOGUE.map((m) => m.name));
      const extra = [...parseExposition(text).keys()].filter((n) => !known.has(n) && !/^shoal_(process|nodejs)_/.test(n));
      expect(extra, 'add them to test/metrics/catalogue.ts and README.md').to.deep.equal([]);
    });

    it('passes promtool check metrics (but for prom-client\'s default *_active_*_total gauges)', async () => {
      expect(await lintFindings(text)).to.deep.equal([]);
      expect(await lintFindings('# HELP shoal_bad_total x\n# TYPE shoal_bad_total gauge\nshoal_bad_total 1\n'), 'a real finding is reported').to.have.length(1);
    });

    it('needs no API key for /metrics, even when keys are required', async () => {
      const locked = await startNodeProcess({ nodeName: 'metrics-1', apiKeys: ['secret-key-1'] });
      await locked.waitReady();
      expect((await fetch(`${locked.url}/v1/schema`)).status).to.equal(401);
      expect((await fetch(`${locked.url}/metrics`)).status).to.equal(200);
    });
  });

  describe('an operator', () => {
    let server: ApiServer;
    let op: OperatorProcess;
    let text: string;

    before(async () => {
      server = await startApiServer({ gcIntervalMs: 200 });
      for (const f of readdirSync(join(ROOT, 'crds')).filter((n) => n.endsWith('.yaml'))) server.create(parse(readFileSync(join(ROOT, 'crds', f), 'utf8')) as KObject);
      op = await startOperatorProcess({
        KUBECONFIG: server.kubeconfigPath, SHOAL_OPERATOR_POD_NAME: 'operator-metrics', SHOAL_OPERATOR_POD_NAMESPACE: 'default',
        SHOAL_OPERATOR_RESYNC_SECONDS: '60', SHOAL_LOG_LEVEL: 'info',
      });
      await waitFor(async () => /^shoal_operator_leader 1$/m.test(await scrape(op.url)), { timeoutMs: 30_000, what: 'the operator to lead' });
      // The first apply of the StatefulSet fails: one reconcile error, retried with backoff.
      server.failNext(1, { verb: 'patch', resource: 'statefulsets' }, 500);
      server.create({ apiVersion: 'shoal.dev/v1alpha1', kind: 'VectorCluster', metadata: { name: 'm', namespace: 'default' }, spec: { image: 'shoal:test', replicas: 1 } });
      server.create({ apiVersion: 'shoal.dev/v1alpha1', kind: 'VectorClass', metadata: { name: 'a', namespace: 'default' }, spec: { clusterRef: { name: 'm' }, class: { class: 'A' } } });
      await waitFor(() => server.get('statefulsets', 'm', 'default'), { timeoutMs: 30_000, what: 'the StatefulSet of VectorCluster m' });
      // One failed watch: the informer restarts and counts it.
      server.failNext(1, { verb: 'watch', resource: 'pods' }, 500);
      server.dropWatches();
      await waitFor(async () => {
        text = await scrape(op.url);
        return /shoal_operator_informer_restarts_total\{resource="pods"\} [1-9]/.test(text)
          && /shoal_operator_reconciles_total\{controller="vectorclass",result="done"\}/.test(text)
          && /shoal_operator_reconciles_total\{controller="vectorcluster",result="done"\}/.test(text)
          && /shoal_operator_reconcile_errors_total\{controller="vectorcluster"\} [1-9]/.test(text);
      }, { timeoutMs: 30_000, what: 'reconciles of both controllers, a reconcile error and an informer restart in /metrics' });
    });
    after(async () => {
      await op?.stop();
      await server?.close();
    });

    it('exports every catalogued operator metric with its type, HELP, labels and samples', () => {
      const families = parseExposition(text);
      const problems = CATALOGUE.filter((m) => m.component === 'operator').flatMap((m) => catalogueProblems(families, m, true));
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });

    it('exports no shoal_operator_ metric that the catalogue lacks (prom-client defaults aside)', () => {
      const known = new Set(CATALOGUE.map((m) => m.name));
      const extra = [...parseExposition(text).keys()].filter((n) => !known.has(n) && !/^shoal_operator_(process|nodejs)_/.test(n));
      expect(extra, 'add them to test/metrics/catalogue.ts and README.md').to.deep.equal([]);
    });

    it('labels reconciles with the controller names the dashboard and alerts use', () => {
      const families = parseExposition(text);
      const controllers = new Set(families.get('shoal_operator_reconciles_total')?.samples.map((s) => s.labels.controller));
      expect([...controllers].sort()).to.deep.equal(['vectorclass', 'vectorcluster']);
    });

    it('passes promtool check metrics (but for prom-client\'s default *_active_*_total gauges)', async () => {
      expect(await lintFindings(text)).to.deep.equal([]);
      expect(await lintFindings('# HELP shoal_bad_total x\n# TYPE shoal_bad_total gauge\nshoal_bad_total 1\n'), 'a real finding is reported').to.have.length(1);
    });

    it('serves /healthz', async () => {
      const res = await fetch(`${op.url}/healthz`);
      expect(res.status, await res.text()).to.equal(200);
    });
  });
});
