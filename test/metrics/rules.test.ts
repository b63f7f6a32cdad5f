// The chart's alert rules and Grafana dashboard against Prometheus' own tools: `promtool check
// rules` on the rendered PrometheusRule's groups, `promtool test rules` scenarios that make each
// alert fire (and stay quiet when healthy), every dashboard query parsed by promtool, and every
// metric they name present in the catalogue (or external). The README's
// catalogue table is kept equal to catalogue.ts here too.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CHART, ROOT, HelmHome, ensureTools, find } from '../chart/helm.js';
import { CATALOGUE, EXTERNAL, metricNamesIn, baseName } from './catalogue.js';

interface Rule { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string> }
interface Group { name: string; rules: Rule[] }

function promtool(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('promtool', args, { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr });
    });
  });
}

const KNOWN = new Set([...CATALOGUE.map((m) => m.name), ...EXTERNAL]);

function unknownMetrics(expr: string): string[] {
  return metricNamesIn(expr).filter((n) => !KNOWN.has(n) && !KNOWN.has(baseName(n)));
}

/** Alert-rule unit tests for `promtool test rules` (1m resolution; series notation of promtool). */
function scenarios(ruleFile: string): unknown {
  const node = 'job="shoal", namespace="db", pod="vectors-0", instance="10.0.0.1:8080"';
  const test = (name: string, interval: string, input_series: { series: string; values: string }[], alert_rule_test: unknown[]) =>
    ({ name, interval, input_series, alert_rule_test });
  return {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: [
      test('a pod that stops answering scrapes', '1m', [{ series: `up{${node}}`, values: '1 1 1 0x20' }], [
        { alertname: 'ShoalNodeDown', eval_time: '5m', exp_alerts: [] },
        { alertname: 'ShoalNodeDown', eval_time: '12m', exp_alerts: [{ exp_labels: { severity: 'warning', job: 'shoal', namespace: 'db', pod: 'vectors-0', instance: '10.0.0.1:8080' } }] },
      ]),
      test('replicas of a shard that keep disagreeing', '1m', [
        { series: `shoal_shard_objects{${node}, class="Article", shard="s0"}`, values: '100x70' },
        { series: 'shoal_shard_objects{job="shoal", namespace="db", pod="vectors-1", instance="10.0.0.2:8080", class="Article", shard="s0"}', values: '100x10 90x60' },
        { series: 'shoal_shard_objects{job="shoal", namespace="db", pod="vectors-2", instance="10.0.0.3:8080", class="Article", shard="s1"}', values: '7x70' },
      ], [
        { alertname: 'ShoalReplicasDiverged', eval_time: '30m', exp_alerts: [] },
        { alertname: 'ShoalReplicasDiverged', eval_time: '50m', exp_alerts: [{ exp_labels: { severity: 'warning', job: 'shoal', namespace: 'db', class: 'Article', shard: 's0' } }] },
      ]),
      test('queries slower than the threshold', '1m', [
        { series: `shoal_query_duration_seconds_bucket{${node}, class_name="Article", query_type="near_vector", le="0.5"}`, values: '0+1x40' },
        { series: `shoal_query_duration_seconds_bucket{${node}, class_name="Article", query_type="near_vector", le="1"}`, values: '0+100x40' },
        { series: `shoal_query_duration_seconds_bucket{${node}, class_name="Article", query_type="near_vector", le="+Inf"}`, values: '0+100x40' },
      ], [
        { alertname: 'ShoalQueryLatencyHigh', eval_time: '8m', exp_alerts: [] },
        { alertname: 'ShoalQueryLatencyHigh', eval_time: '25m', exp_alerts: [{ exp_labels: { severity: 'warning', job: 'shoal', namespace: 'db' } }] },
      ]),
      test('fast queries raise nothing', '1m', [
        { series: `shoal_query_duration_seconds_bucket{${node}, class_name="Article", query_type="near_vector", le="0.01"}`, values: '0+100x40' },
        { series: `shoal_query_duration_seconds_bucket{${node}, class_name="Article", query_type="near_vector", le="+Inf"}`, values: '0+100x40' },
        { series: `shoal_shard_objects{${node}, class="Article", shard="s0"}`, values: '5x40' },
        { series: 'shoal_shard_objects{job="shoal", namespace="db", pod="vectors-1", instance="10.0.0.2:8080", class="Article", shard="s0"}', values: '5x40' },
        { series: `up{${node}}`, values: '1x40' },
      ], ['ShoalQueryLatencyHigh', 'ShoalReplicasDiverged', 'ShoalNodeDown'].map((alertname) => ({ alertname, eval_time: '40m', exp_alerts: [] }))),
      test('a shard with fewer ready replicas than desired', '1m', [
        { series: 'shoal_operator_shard_replicas_desired{job="shoal-operator", resource_namespace="db", vectorclass="article", shard="s0"}', values: '2x30' },
        { series: 'shoal_operator_shard_replicas_ready{job="shoal-operator", resource_namespace="db", vectorclass="article", shard="s0"}', values: '2x5 1x25' },
      ], [
        { alertname: 'ShoalShardUnderReplicated', eval_time: '10m', exp_alerts: [] },
        { alertname: 'ShoalShardUnderReplicated', eval_time: '20m', exp_alerts: [{ exp_labels: { severity: 'warning', job: 'shoal-operator', resource_namespace: 'db', vectorclass: 'article', shard: 's0' } }] },
      ]),
      test('anti-entropy rounds that keep failing', '1m', [
        { series: `shoal_anti_entropy_rounds_total{${node}, outcome="error"}`, values: '0+1x60' },
        { series: `shoal_anti_entropy_rounds_total{${node}, outcome="in-sync"}`, values: '0+5x60' },
        { series: 'shoal_anti_entropy_rounds_total{job="shoal", namespace="db", pod="vectors-1", instance="10.0.0.2:8080", outcome="in-sync"}', values: '0+5x60' },
      ], [
        { alertname: 'ShoalRepairFailing', eval_time: '20m', exp_alerts: [] },
        { alertname: 'ShoalRepairFailing', eval_time: '50m', exp_alerts: [{ exp_labels: { severity: 'warning', job: 'shoal', namespace: 'db', pod: 'vectors-0' } }] },
      ]),
      test('a data volume filling up', '1m', [
        { series: 'kubelet_volume_stats_available_bytes{namespace="db", persistentvolumeclaim="data-vectors-0"}', values: '50-5x9 5x20' },
        { series: 'kubelet_volume_stats_capacity_bytes{namespace="db", persistentvolumeclaim="data-vectors-0"}', values: '100x30' },
        { series: 'kubelet_volume_stats_available_bytes{namespace="db", persistentvolumeclaim="other-volume"}', values: '1x30' },
        { series: 'kubelet_volume_stats_capacity_bytes{namespace="db", persistentvolumeclaim="other-volume"}', values: '100x30' },
      ], [
        { alertname: 'ShoalDiskFilling', eval_time: '8m', exp_alerts: [] },
        { alertname: 'ShoalDiskFilling', eval_time: '20m', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'db', persistentvolumeclaim: 'data-vectors-0' } }] },
      ]),
      test('reconciles that keep failing, and no operator at all', '1m', [
        { series: 'shoal_operator_reconcile_errors_total{job="shoal-operator", namespace="shoal-system", pod="op-0", controller="vectorclass"}', values: '0+2x40' },
        { series: 'shoal_operator_reconcile_errors_total{job="shoal-operator", namespace="shoal-system", pod="op-0", controller="vectorcluster"}', values: '3x40' },
      ], [
        { alertname: 'ShoalReconcileErrors', eval_time: '10m', exp_alerts: [] },
        { alertname: 'ShoalReconcileErrors', eval_time: '30m', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'shoal-system', controller: 'vectorclass' } }] },
        // absent() of a comparison carries no labels of its own.
        { alertname: 'ShoalOperatorDown', eval_time: '15m', exp_alerts: [{ exp_labels: { severity: 'warning' } }] },
      ]),
      test('an operator running without a leader', '1m', [
        { series: 'up{job="shoal-operator", pod="op-0"}', values: '1x20' },
        { series: 'shoal_operator_leader{job="shoal-operator", pod="op-0"}', values: '1x4 0x15' },
        { series: 'shoal_operator_leader{job="shoal-operator", pod="op-1"}', values: '0x20' },
      ], [
        { alertname: 'ShoalOperatorDown', eval_time: '15m', exp_alerts: [] },
        { alertname: 'ShoalOperatorNoLeader', eval_time: '4m', exp_alerts: [] },
        { alertname: 'ShoalOperatorNoLeader', eval_time: '15m', exp_alerts: [{ exp_labels: { severity: 'warning' } }] },
      ]),
    ],
  };
}

describe('alert rules and dashboard with promtool', function () {
  this.timeout(120_000);
  const helm = new HelmHome();
  const dir = mkdtempSync(join(tmpdir(), 'shoal-rules-'));
  let groups: Group[];
  let dashboard: { panels: { title: string; targets?: { expr: string }[] }[] };

  before(async () => {
    ensureTools();
    const objs = await helm.template({ monitoring: { prometheusRule: { enabled: true }, dashboard: { enabled: true } } });
    groups = (find(objs, 'PrometheusRule').spec as { groups: Group[] }).groups;
    dashboard = JSON.parse((find(objs, 'ConfigMap').data as Record<string, string>)['shoal.json']);
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups }));
  });
  after(() => {
    helm.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('promtool check rules accepts the rendered PrometheusRule groups', async () => {
    const r = await promtool(['check', 'rules', 'rules.yaml'], dir);
    const count = groups.reduce((n, g) => n + g.rules.length, 0);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.contain(`SUCCESS: ${count} rules found`);
    expect(count).to.be.at.least(10);
  });

  it('promtool test rules: each alert fires on its failure and stays quiet when healthy', async () => {
    // promtool compares annotations too. Annotations that use only {{ $labels.x }} are kept and
    // their expected text computed here; those that print {{ $value }} are dropped from this copy.
    const byAlert = new Map<string, Record<string, string>>();
    const copy = groups.map((g) => ({
      ...g,
      rules: g.rules.map((r) => {
        const { annotations, ...rest } = r as Rule & { annotations?: Record<string, string> };
        if (!annotations || Object.values(annotations).some((a) => a.includes('$value'))) return rest;
        byAlert.set(r.alert as string, annotations);
        return r;
      }),
    }));
    expect([...byAlert.keys()]).to.include('ShoalNodeDown');
    writeFileSync(join(dir, 'rules-test.yaml'), stringify({ groups: copy }));
    const expand = (text: string, labels: Record<string, string>) => text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, l: string) => labels[l] ?? '');
    const spec = scenarios('rules-test.yaml') as { tests: { alert_rule_test: { alertname: string; exp_alerts: { exp_labels: Record<string, string>; exp_annotations?: Record<string, string> }[] }[] }[] };
    for (const t of spec.tests) for (const a of t.alert_rule_test) for (const e of a.exp_alerts) {
      const ann = byAlert.get(a.alertname);
      if (ann) e.exp_annotations = Object.fromEntries(Object.entries(ann).map(([k, v]) => [k, expand(v, e.exp_labels)]));
    }
    writeFileSync(join(dir, 'tests.yaml'), stringify(spec));
    const r = await promtool(['test', 'rules', 'tests.yaml'], dir);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.contain('SUCCESS');
  });

  it('promtool catches a broken rule (the check is not vacuous)', async () => {
    writeFileSync(join(dir, 'broken.yaml'), stringify({ groups: [{ name: 'x', rules: [{ alert: 'Broken', expr: 'sum by (job (up)' }] }] }));
    const r = await promtool(['check', 'rules', 'broken.yaml'], dir);
    expect(r.code).to.not.equal(0);
    expect(r.out).to.match(/parse error|unexpected/);
  });

  it('alerts name only catalogued or external metrics', () => {
    const problems = groups.flatMap((g) => g.rules.flatMap((r) => unknownMetrics(r.expr).map((n) => `${r.alert}: ${n}`)));
    expect(problems, problems.join('\n')).to.deep.equal([]);
    expect(metricNamesIn('histogram_quantile(0.99, sum by (namespace, le) (rate(a_bucket{job=~"x|y"}[5m]))) > 0.5 and on (job) b_total offset 5m'))
      .to.have.members(['a_bucket', 'b_total']);
    expect(unknownMetrics('sum(rate(shoal_no_such_metric_total{job="shoal"}[5m])) / sum(up)')).to.deep.equal(['shoal_no_such_metric_total']);
    const used = new Set(groups.flatMap((g) => g.rules.flatMap((r) => metricNamesIn(r.expr))));
    expect(used.has('shoal_query_duration_seconds_bucket') && used.has('shoal_operator_reconcile_errors_total')).to.equal(true);
  });

  it('every dashboard query parses (promtool) and names only catalogued or external metrics', async () => {
    const targets = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
    expect(targets.length).to.be.at.least(30);
    const concrete = (e: string) => e.replace(/\$__rate_interval/g, '5m').replace(/\$\{?\w+\}?/g, '.*');
    const rules = targets.map((t, i) => ({ record: `dashboard:query_${i}`, expr: concrete(t.expr) }));
    writeFileSync(join(dir, 'dashboard.yaml'), stringify({ groups: [{ name: 'dashboard', rules }] }));
    const r = await promtool(['check', 'rules', 'dashboard.yaml'], dir);
    expect(r.code, r.out).to.equal(0);
    const problems = targets.flatMap((t) => unknownMetrics(t.expr).map((n) => `${t.panel}: ${n}`));
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('every metric name registered in node/src and operator/src is in the catalogue', () => {
    const registered = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, e.name);
        if (e.isDirectory()) walk(path);
        else if (e.name.endsWith('.ts')) for (const m of readFileSync(path, 'utf8').matchAll(/['"](shoal_[a-z0-9_]*[a-z0-9])['"]/g)) registered.add(m[1]);
      }
    };
    walk(join(ROOT, 'node', 'src'));
    walk(join(ROOT, 'operator', 'src'));
    expect(registered.size).to.be.at.least(20);
    const known = new Set(CATALOGUE.map((m) => m.name));
    const missing = [...registered].filter((n) => !known.has(n)).sort();
    expect(missing, 'metrics in the code but not in test/metrics/catalogue.ts and README.md').to.deep.equal([]);
  });

  it('the README\'s metrics catalogue lists exactly catalogue.ts', () => {
    const readme = readFileSync(join(CHART, '..', '..', 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `(shoal_[a-z0-9_]+)` \| (\w+) \| ([^|]*) \|/gm)].map((m) => ({
      name: m[1], type: m[2], labels: m[3].trim() === '' || m[3].trim() === '-' ? [] : m[3].split(',').map((l) => l.trim().replace(/`/g, '')),
    }));
    const listed = new Map(rows.map((r) => [r.name, r]));
    for (const m of CATALOGUE) {
      const row = listed.get(m.name);
      expect(row, `${m.name} missing from README.md`).to.not.equal(undefined);
      expect(row?.type, m.name).to.equal(m.type);
      expect(row?.labels, m.name).to.deep.equal(m.labels);
    }
    expect(rows.length, 'README rows that are not in catalogue.ts').to.equal(CATALOGUE.length);
  });
});
