// operator/config/rbac.yaml is least privilege AND enough: every request the operator sends to
// the embedded API server in a full scenario (placement, pods, a refused scale-down, the
// ServiceMonitor, class deletion, leader election) is allowed by it, nothing more is needed,
// and the operator holds every permission it grants to the pods (RBAC forbids granting more).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { expect } from 'chai';
import { KObject } from '../../local/src/apiserver/index.js';
import { POD_REPORT_ANNOTATION, parseShardingState, serializePodReport } from '../../api/index.js';
import { commonLabels, desiredObjects } from '../../operator/src/build/index.js';
import { TestEnv } from './env.js';
import { ROOT, quickstartInput } from './fixtures.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

function operatorRules(): Rule[] {
  const docs = parseAllDocuments(readFileSync(join(ROOT, 'operator', 'config', 'rbac.yaml'), 'utf8')).map((d) => d.toJSON());
  return docs.filter((d) => d.kind === 'ClusterRole' || d.kind === 'Role').flatMap((d) => d.rules as Rule[]);
}

const allows = (rules: Rule[], group: string, resource: string, verb: string) =>
  rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb) && !r.resourceNames);

/** `group resource verb` of each request line the API server logged; discovery is skipped. */
function requests(lines: string[]): Set<string> {
  const out = new Set<string>();
  const groupOf = new Map<string, string>();
  for (const line of lines) {
    const m = /^(GET|POST|PUT|PATCH|DELETE) (\/[^?\s]*)(\?\S*)? -> \d+/.exec(line);
    if (!m) continue;
    const parts = m[2].split('/').filter(Boolean);
    const [group, rest] = parts[0] === 'api' ? ['', parts.slice(2)] : [parts[1], parts.slice(3)];
    const path = rest[0] === 'namespaces' && rest.length > 2 ? rest.slice(2) : rest;
    if (path.length === 0 || (rest[0] === 'namespaces' && rest.length <= 2)) continue;
    const resource = path.length === 3 ? `${path[0]}/${path[2]}` : path[0];
    groupOf.set(path[0], group);
    const query = m[3] ?? '';
    const verb = { GET: path.length > 1 ? 'get' : query.includes('watch=true') ? 'watch' : 'list', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[m[1]]!;
    out.add(`${group} ${resource} ${verb}`);
    // Server-side apply creates the object when it is missing, which RBAC checks as create.
    if (m[1] === 'PATCH' && query.includes('force=true')) out.add(`${group} ${resource} create`);
  }
  for (const line of lines) {
    const w = /^WATCH (\S+) ns=/.exec(line);
    if (w) out.add(`${groupOf.get(w[1]) ?? '?'} ${w[1]} watch`);
  }
  return out;
}

const SERVICE_MONITOR_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'servicemonitors.monitoring.coreos.com' },
  spec: {
    group: 'monitoring.coreos.com', scope: 'Namespaced',
    names: { kind: 'ServiceMonitor', listKind: 'ServiceMonitorList', plural: 'servicemonitors', singular: 'servicemonitor' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};

describe('operator: RBAC', function () {
  this.timeout(30_000);

  it('holds every permission it grants to the pods', () => {
    const rules = operatorRules();
    const granted = desiredObjects(quickstartInput((s) => (s.api = { allowSchemaChanges: true })), 3).role as { rules: Rule[] };
    const missing = granted.rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.filter((v) => !allows(rules, g, res, v)).map((v) => `${g} ${res} ${v}`))));
    expect(missing).to.deep.equal([]);
  });

  it('allows every request of the API tests\' full scenario, and grants nothing unused', async () => {
    const lines: string[] = [];
    const env = await TestEnv.start((l) => lines.push(l));
    try {
      await env.operator({ kindProbeTtlMs: 50, leaderElection: { leaseName: 'shoal-operator', leaseNamespace: 'default', identity: 'a', leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 100 } });
      env.applyQuickstart({ cluster: (c) => (c.spec.monitoring = { enabled: true }) });
      const state = parseShardingState(await env.until('placed', () => env.get('vectorclasses', 'article')?.status?.sharding));
      const holder = state.physical[0].replicas[0];
      env.srv.create({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: holder, namespace: 'default', labels: commonLabels('quickstart'), annotations: { [POD_REPORT_ANNOTATION]: serializePodReport({ shards: { [state.physical[0].name]: { class: 'Article', ready: true } } }) } },
        spec: { containers: [{ name: 'shoal', image: 'x' }] },
      } as KObject);
      env.srv.create(SERVICE_MONITOR_CRD as unknown as KObject);
      await env.until('ServiceMonitor', () => env.get('servicemonitors.monitoring.coreos.com', 'quickstart'));
      env.applyQuickstart({ cluster: (c) => ((c.spec.replicas = 2), (c.spec.monitoring = { enabled: false })) });
      await env.until('blocked', () => env.get('vectorclusters', 'quickstart')?.status?.phase === 'ScaleDownBlocked');
      await env.until('ServiceMonitor deleted', () => !env.get('servicemonitors.monitoring.coreos.com', 'quickstart'));
      env.srv.delete('vectorclasses', 'article', 'default');
      await env.until('Deleting', () => env.get('vectorclasses', 'article')?.status?.phase === 'Deleting');
      env.srv.delete('pods', holder, 'default');
      await env.until('class gone', () => !env.get('vectorclasses', 'article'));
    } finally {
      await env.close();
    }
    const used = requests(lines);
    const rules = operatorRules();
    const denied = [...used].filter((u) => {
      const [g, res, verb] = u.split(' ');
      return !allows(rules, g, res, verb);
    });
    expect(denied, 'requests the RBAC manifest does not allow').to.deep.equal([]);
    // Rules kept only to be granted to the pods (see rbac.yaml) or for other clusters' admission.
    const grantOnly = new Set(['shoal.dev vectorclasses update', 'shoal.dev vectorclasses create', 'shoal.dev vectorclasses delete', ' pods get', ' pods patch', 'shoal.dev vectorclusters/finalizers update', ' events patch']);
    const unused = rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g} ${res} ${v}`)))).filter((p) => !used.has(p) && !grantOnly.has(p));
    expect(unused, 'granted but never used').to.deep.equal([]);
  });
});
