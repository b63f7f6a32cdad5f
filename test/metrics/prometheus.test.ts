// A real Prometheus (Debian's package) scrapes a running node with the chart's alert rules
// loaded, and answers queries through its HTTP API: the metrics are usable end to end, and the
// rules evaluate against real series without errors.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startNodeProcess, stopAllNodes, type NodeProcess } from '../support/node-process.js';
import { waitFor } from '../support/wait.js';
import { HelmHome, ensureTools, find } from '../chart/helm.js';
import { exerciseNode } from './workload.js';
import { freePort } from '../support/ports.js';

interface PromResult { metric: Record<string, string>; value: [number, string] }

describe('a real Prometheus scraping a node', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'shoal-prometheus-'));
  let node: NodeProcess;
  let prometheus: ChildProcess | undefined;
  let promUrl: string;
  let promLog = '';

  const query = async (q: string): Promise<PromResult[]> => {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; data: { result: PromResult[] }; error?: string };
    if (body.status !== 'success') throw new Error(`query ${q} failed: ${body.error}`);
    return body.data.result;
  };

  before(async () => {
    ensureTools();
    node = await startNodeProcess({ nodeName: 'prom-0' });
    await node.waitReady();
    await exerciseNode(node, 'Scraped', 30);
    const helm = new HelmHome();
    try {
      const objs = await helm.template({ monitoring: { prometheusRule: { enabled: true } } });
      writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: (find(objs, 'PrometheusRule').spec as { groups: unknown }).groups }));
    } finally {
      helm.remove();
    }
    // Same job name as the chart's ServiceMonitor sets, so the rules' matchers select it.
    writeFileSync(join(dir, 'prometheus.yml'), stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [join(dir, 'rules.yaml')],
      scrape_configs: [{ job_name: 'shoal', metrics_path: '/metrics', static_configs: [{ targets: [`127.0.0.1:${node.port}`], labels: { namespace: 'test', pod: 'prom-0' } }] }],
    }));
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    prometheus.stdout?.on('data', (d) => (promLog += d));
    prometheus.stderr?.on('data', (d) => (promLog += d));
    await waitFor(async () => (await fetch(`${promUrl}/-/ready`)).status === 200, { timeoutMs: 30_000, what: `Prometheus to be ready (log: ${promLog.slice(-500)})` });
  });

  after(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus?.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await stopAllNodes();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes the node (up == 1) and answers a query on Shoal\'s metrics through its HTTP API', async () => {
    const up = await waitFor(async () => (await query('up{job="shoal"}')).find((r) => r.value[1] === '1'), { timeoutMs: 30_000, what: 'up{job="shoal"} == 1' });
    expect(up.metric).to.include({ job: 'shoal', instance: `127.0.0.1:${node.port}` });
    const objects = await waitFor(async () => (await query('sum by (class) (shoal_shard_objects{job="shoal"})'))[0], { timeoutMs: 30_000, what: 'shoal_shard_objects in Prometheus' });
    expect(objects.metric).to.deep.equal({ class: 'Scraped' });
    expect(Number(objects.value[1])).to.equal(30);
    const imported = await query('shoal_batch_objects_total{job="shoal", result="success"}');
    expect(Number(imported[0].value[1])).to.equal(30);
  });

  it('computes a query-rate and a latency quantile from the node\'s histograms', async () => {
    // Queries spread over several scrapes, so that rate() has two points that differ.
    const rate = await waitFor(async () => {
      await node.client.graphql('{Get{Scraped(limit:1){title}}}');
      const r = await query('sum(rate(shoal_query_duration_seconds_count{job="shoal"}[10s]))');
      return r.length > 0 && Number(r[0].value[1]) > 0 ? r : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500, what: 'a positive query rate' });
    expect(Number(rate[0].value[1])).to.be.greaterThan(0);
    const p99 = await query('histogram_quantile(0.99, sum by (le) (rate(shoal_query_duration_seconds_bucket{job="shoal"}[10s])))');
    expect(Number(p99[0].value[1])).to.be.greaterThan(0).and.lessThan(10);
  });

  it('loads the chart\'s alert rules and evaluates every one without error against real series', async () => {
    type RuleState = { name: string; health: string; lastError?: string; state?: string };
    const rules = await waitFor(async () => {
      const res = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as { data: { groups: { name: string; rules: RuleState[] }[] } };
      const all = res.data.groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((r) => r.health !== 'unknown') ? all : undefined;
    }, { timeoutMs: 30_000, what: 'every rule evaluated once' });
    expect(rules.length).to.be.at.least(10);
    const bad = rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`);
    expect(bad, bad.join('\n')).to.deep.equal([]);
    // Nothing scrapes an operator here, so ShoalOperatorDown is on its way to firing, and only it.
    const alerts = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as { data: { alerts: { labels: { alertname: string } }[] } };
    expect(alerts.data.alerts.map((a) => a.labels.alertname)).to.deep.equal(['ShoalOperatorDown']);
  });
});
