// The Helm chart with the real helm binary: lint, rendering over a matrix of values with every
// object validated offline (Kubernetes schemas, unknown fields, Shoal's CRDs), the values
// schema rejecting bad values, and the chart's RBAC checked against what the operator's code
// does. Installing it into the local API server is install.test.ts.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseVectorClusterSpec } from '../../api/index.js';
import { desiredObjects, podRules, type ClusterInput } from '../../operator/src/build/index.js';
import { CHART, ROOT, HelmHome, ensureTools, find, kinds, parseManifests, type K8sObject } from './helm.js';
import { CrdValidator, validateObject } from './validate.js';

const APP_VERSION = /appVersion: "([^"]+)"/.exec(readFileSync(join(CHART, 'Chart.yaml'), 'utf8'))?.[1] as string;

/** Values that turn on every optional part and override everything overridable. */
export const ALL_ON = {
  commonLabels: { team: 'search' },
  imagePullSecrets: [{ name: 'regcred' }],
  operator: {
    replicas: 3,
    image: { registry: 'registry.example.com:5000', repository: 'mirror/shoal-operator', tag: '0.1.0-rc.1', pullPolicy: 'Always' },
    logLevel: 'debug',
    workers: 4,
    extraEnv: [
      { name: 'NODE_OPTIONS', value: '--max-old-space-size=200' },
      { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
    ],
    nodeSelector: { 'kubernetes.io/os': 'linux', pool: 'system' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'system', effect: 'NoSchedule' }],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['system'] }] }] } } },
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/component': 'operator' } } }],
    priorityClassName: 'system-cluster-critical',
    podAnnotations: { 'example.com/note': 'x' },
    podLabels: { tier: 'control' },
    podDisruptionBudget: { minAvailable: '50%' },
  },
  serviceAccount: { annotations: { 'iam.example.com/role': 'shoal' } },
  cluster: {
    enabled: true,
    name: 'vectors',
    spec: {
      replicas: 5,
      storage: { size: '20Gi', storageClassName: 'fast-ssd', whenDeleted: 'Delete' },
      ports: { http: 9080 },
      api: { allowSchemaChanges: true },
      scheduling: { zoneSpread: 'Preferred', tolerations: [{ key: 'db', operator: 'Exists' }] },
      monitoring: { enabled: false },
      resources: { requests: { cpu: 2, memory: '4Gi' }, limits: { memory: '8Gi' } },
    },
  },
  classes: [
    { name: 'article', spec: { class: { class: 'Article', vectorIndexConfig: { distance: 'cosine' }, shardingConfig: { desiredCount: 3 }, replicationConfig: { factor: 2 } } } },
    { name: 'image', spec: { class: { class: 'Image', properties: [{ name: 'url', dataType: ['text'] }] } } },
  ],
  monitoring: {
    serviceMonitor: { operator: { enabled: true, labels: { release: 'prom' } }, nodes: { enabled: true, interval: '15s', scrapeTimeout: '10s' } },
    prometheusRule: { enabled: true, labels: { release: 'prom' }, additionalAlertLabels: { team: 'search' }, queryLatencySeconds: 0.25 },
    dashboard: { enabled: true, namespace: 'grafana', annotations: { grafana_folder: 'Databases' } },
  },
};

const MATRIX: Record<string, { values: unknown; release?: string; namespace?: string }> = {
  defaults: { values: {} },
  'everything on, everything overridden': { values: ALL_ON },
  'one namespace watched, one replica without leader election': {
    values: { operator: { watchNamespace: 'vectors', replicas: 1, leaderElection: { enabled: false } }, monitoring: { serviceMonitor: { nodes: { enabled: true } } } },
  },
  'existing service account, no RBAC': { values: { serviceAccount: { create: false, name: 'preexisting' }, rbac: { create: false } } },
  'name overrides and a digest': {
    values: {
      nameOverride: 'vdb', fullnameOverride: 'search-vdb',
      operator: { image: { registry: '', repository: 'shoal-operator', digest: `sha256:${'a'.repeat(64)}` } },
      nodeImage: { tag: '9.9.9' }, cluster: { enabled: true, spec: { replicas: 1 } },
    },
  },
  'classes of a cluster installed elsewhere': {
    values: { classes: [{ name: 'c1', spec: { clusterRef: { name: 'other' }, class: { class: 'C1' } } }] },
    release: 'my-shoal-release', namespace: 'apps',
  },
};

const COMMON_LABELS = ['helm.sh/chart', 'app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/part-of'];
const CLUSTER_SCOPED = new Set(['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
type EnvVar = { name: string; value?: string; valueFrom?: unknown };
type Container = { name: string; image: string; imagePullPolicy?: string; env: EnvVar[]; ports: { name: string; containerPort: number }[]; [k: string]: unknown };
type PodSpec = { containers: Container[]; serviceAccountName: string; imagePullSecrets?: { name: string }[]; nodeSelector?: unknown; tolerations?: unknown; affinity?: unknown; [k: string]: unknown };
type Deployment = K8sObject & { spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec } } };

function deploymentOf(objs: K8sObject[]): Deployment {
  return find(objs, 'Deployment') as Deployment;
}

function envOf(d: Deployment): Map<string, EnvVar> {
  return new Map(d.spec.template.spec.containers[0].env.map((e) => [e.name, e]));
}

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** Does some rule grant `verb` on group/resource (without resourceNames restrictions)? */
function grants(rules: Rule[], group: string, resource: string, verb: string): boolean {
  return rules.some((r) => !r.resourceNames && r.apiGroups.includes(group) && r.resources.includes(resource) && (r.verbs.includes(verb) || r.verbs.includes('*')));
}

/** Rules as sorted "group resource verb [names]" lines: equal sets of rights compare equal however grouped. */
function ruleTuples(rules: Rule[]): string[] {
  const out = new Set<string>();
  for (const r of rules) for (const g of r.apiGroups) for (const res of r.resources) for (const v of r.verbs) out.add(`${g || 'core'} ${res} ${v}${r.resourceNames ? ` [${[...r.resourceNames].sort().join(',')}]` : ''}`);
  return [...out].sort();
}

function operatorRules(objs: K8sObject[]): Rule[] {
  const role = objs.find((o) => (o.kind === 'ClusterRole' || o.kind === 'Role') && !o.metadata.name.endsWith('-leader-election'));
  if (!role) throw new Error('no operator ClusterRole/Role rendered');
  return role.rules as Rule[];
}

describe('helm chart charts/shoal', function () {
  this.timeout(120_000);
  const helm = new HelmHome();
  let crds: CrdValidator;
  const rendered = new Map<string, K8sObject[]>();

  before(async () => {
    ensureTools();
    crds = new CrdValidator();
    for (const [name, m] of Object.entries(MATRIX)) rendered.set(name, await helm.template(m.values, { release: m.release, namespace: m.namespace }));
  });
  after(() => helm.remove());

  describe('helm lint', () => {
    it('passes --strict with the default values and with everything turned on', async () => {
      const plain = await helm.run(['lint', '--strict', CHART]);
      expect(plain.code, plain.stdout + plain.stderr).to.equal(0);
      const all = await helm.run(['lint', '--strict', CHART, '-f', helm.valuesFile(ALL_ON)]);
      expect(all.code, all.stdout + all.stderr).to.equal(0);
      expect(all.stdout).to.contain('1 chart(s) linted, 0 chart(s) failed');
    });
  });

  describe('the offline validators (so that a pass means something)', () => {
    it('report unknown fields, wrong types and missing fields in built-in objects', async () => {
      const objs = rendered.get('defaults') as K8sObject[];
      const d = structuredClone(deploymentOf(objs)) as Deployment & { spec: Record<string, unknown> };
      d.spec.replica = 2;
      d.spec.replicas = '2' as unknown as number;
      (d.spec.template.spec.containers[0] as Record<string, unknown>).port = 80;
      delete (d.spec.template.spec.containers[0] as Partial<Container>).name;
      const problems = (await validateObject(d, crds)).join('\n');
      expect(problems).to.contain('.spec.replica: unknown field (V1DeploymentSpec)');
      expect(problems).to.contain('.spec.template.spec.containers[0].port: unknown field (V1Container)');
      expect(problems).to.contain('data/spec/replicas must be integer');
      expect(problems).to.contain('containers/0 must have required property name');
    });

    it('report custom resources that their CRD rejects', async () => {
      const objs = rendered.get('everything on, everything overridden') as K8sObject[];
      const vc = structuredClone(find(objs, 'VectorCluster')) as K8sObject & { spec: Record<string, unknown> };
      vc.spec.replicas = 'five';
      vc.spec.replica = 5;
      vc.spec.storage = { whenDeleted: 'Sometimes' };
      const problems = (await validateObject(vc, crds)).join('\n');
      expect(problems).to.contain('/spec/replicas must be integer');
      expect(problems).to.contain('/spec must NOT have additional properties (replica)');
      expect(problems).to.contain('/spec/storage/whenDeleted must be equal to one of the allowed values');
      const cls = structuredClone(find(objs, 'VectorClass', 'article')) as K8sObject & { spec: Record<string, unknown> };
      delete cls.spec.clusterRef;
      expect((await validateObject(cls, crds)).join('\n')).to.contain("must have required property 'clusterRef'");
    });

    it('report Prometheus Operator objects of the wrong shape', async () => {
      const objs = rendered.get('everything on, everything overridden') as K8sObject[];
      const sm = structuredClone(find(objs, 'ServiceMonitor', 'shoal-operator')) as K8sObject & { spec: { endpoints: Record<string, unknown>[] } };
      sm.spec.endpoints[0].interval = 30;
      expect((await validateObject(sm, crds)).join('\n')).to.contain('interval must be string');
    });
  });

  describe('rendering over a matrix of values', () => {
    for (const [name, m] of Object.entries(MATRIX)) {
      it(`${name}: every object passes the Kubernetes schemas (unknown fields included) and Shoal's CRDs`, async () => {
        const objs = rendered.get(name) as K8sObject[];
        expect(objs.length).to.be.at.least(3);
        const problems: string[] = [];
        for (const o of objs) problems.push(...(await validateObject(o, crds)));
        expect(problems, problems.join('\n')).to.deep.equal([]);
      });

      it(`${name}: standard labels, valid names, namespaces, no duplicates`, () => {
        const objs = rendered.get(name) as K8sObject[];
        const seen = new Set<string>();
        for (const o of objs) {
          const id = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
          expect(seen.has(id), `duplicate ${id}`).to.equal(false);
          seen.add(id);
          for (const l of COMMON_LABELS) expect(o.metadata.labels, `${id} label ${l}`).to.have.property(l);
          expect(o.metadata.labels?.['app.kubernetes.io/version']).to.equal(APP_VERSION);
          expect(o.metadata.name).to.match(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/).and.have.length.at.most(63);
          if (CLUSTER_SCOPED.has(o.kind)) expect(o.metadata.namespace, id).to.equal(undefined);
          else expect(o.metadata.namespace, id).to.be.a('string').and.not.equal('');
        }
      });
    }

    it('defaults: two operator replicas electing a leader through a Lease, probes, hardened container, default images', () => {
      const objs = rendered.get('defaults') as K8sObject[];
      expect(kinds(objs)).to.deep.equal([
        'ClusterRole/shoal-operator', 'ClusterRoleBinding/shoal-operator', 'Deployment/shoal-operator', 'PodDisruptionBudget/shoal-operator',
        'Role/shoal-operator-leader-election', 'RoleBinding/shoal-operator-leader-election', 'Service/shoal-operator', 'ServiceAccount/shoal-operator',
      ]);
      const d = deploymentOf(objs);
      expect(d.spec.replicas).to.equal(2);
      const c = d.spec.template.spec.containers[0];
      expect(c.image).to.equal(`ghcr.io/shoal-dev/shoal-operator:${APP_VERSION}`);
      const env = envOf(d);
      expect(env.get('SHOAL_OPERATOR_LEADER_ELECTION')?.value).to.equal('true');
      expect(env.get('SHOAL_OPERATOR_LEASE_NAME')?.value).to.equal('shoal-operator');
      expect(env.get('SHOAL_OPERATOR_LEASE_NAMESPACE')?.value).to.equal('shoal-system');
      expect(env.get('SHOAL_OPERATOR_NAMESPACE')?.value).to.equal('');
      expect(env.get('SHOAL_OPERATOR_POD_NAME')?.valueFrom).to.deep.equal({ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } });
      expect(env.get('SHOAL_OPERATOR_HTTP_PORT')?.value).to.equal('8081');
      expect(c.ports).to.deep.equal([{ name: 'http', containerPort: 8081, protocol: 'TCP' }]);
      expect(c.livenessProbe).to.deep.include({ httpGet: { path: '/healthz', port: 'http' } });
      expect(c.readinessProbe).to.deep.include({ httpGet: { path: '/healthz', port: 'http' } });
      expect(c.securityContext).to.deep.equal({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(d.spec.template.spec.securityContext).to.deep.include({ runAsNonRoot: true, runAsUser: 1000 });
      expect(c.resources).to.have.nested.property('limits.memory');
      // The default anti-affinity spreads the replicas over nodes.
      expect(d.spec.template.spec.affinity).to.have.nested.property('podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey', 'kubernetes.io/hostname');
      expect(d.spec.template.spec.serviceAccountName).to.equal('shoal-operator');
      const lease = find(objs, 'Role', 'shoal-operator-leader-election').rules as Rule[];
      expect(lease.flatMap((r) => r.resourceNames ?? [])).to.deep.equal(['shoal-operator']);
    });

    it('selectors line up: Deployment -> pods, PDB and Service -> pods, ServiceMonitor -> Service port, bindings -> ServiceAccount', () => {
      const objs = rendered.get('everything on, everything overridden') as K8sObject[];
      const d = deploymentOf(objs);
      const podLabels = d.spec.template.metadata.labels;
      expect(matches(d.spec.selector.matchLabels, podLabels)).to.equal(true);
      const pdb = find(objs, 'PodDisruptionBudget') as K8sObject & { spec: { selector: { matchLabels: Record<string, string> }; minAvailable: unknown } };
      expect(matches(pdb.spec.selector.matchLabels, podLabels)).to.equal(true);
      expect(pdb.spec.minAvailable).to.equal('50%');
      const svc = find(objs, 'Service') as K8sObject & { spec: { selector: Record<string, string>; ports: { name: string; targetPort: string }[] } };
      expect(matches(svc.spec.selector, podLabels)).to.equal(true);
      expect(svc.spec.ports[0].targetPort).to.equal(d.spec.template.spec.containers[0].ports[0].name);
      const sm = find(objs, 'ServiceMonitor', 'shoal-operator') as K8sObject & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] } };
      expect(matches(sm.spec.selector.matchLabels, svc.metadata.labels)).to.equal(true);
      expect(svc.spec.ports.map((p) => p.name)).to.include(sm.spec.endpoints[0].port);
      expect(sm.metadata.labels).to.include({ release: 'prom' });
      const sa = find(objs, 'ServiceAccount');
      for (const binding of objs.filter((o) => o.kind.endsWith('Binding'))) {
        expect(binding.subjects).to.deep.equal([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: 'shoal-system' }]);
        const ref = binding.roleRef as { kind: string; name: string };
        expect(objs.some((o) => o.kind === ref.kind && o.metadata.name === ref.name), `${binding.metadata.name} -> ${ref.kind}/${ref.name}`).to.equal(true);
      }
      expect(d.spec.template.spec.serviceAccountName).to.equal(sa.metadata.name);
    });

    it('the data pods\' ServiceMonitor selects the client Service the operator builds, on its port name', () => {
      const objs = rendered.get('everything on, everything overridden') as K8sObject[];
      const sm = find(objs, 'ServiceMonitor', 'shoal-nodes') as K8sObject & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; interval: string }[]; namespaceSelector: unknown } };
      const input: ClusterInput = { name: 'vectors', namespace: 'shoal-system', uid: 'u', spec: parseVectorClusterSpec({ ...ALL_ON.cluster.spec, image: 'i' }) };
      const built = desiredObjects(input, 3);
      const client = built.clientService as K8sObject & { spec: { ports: { name: string }[] } };
      const headless = built.headlessService as K8sObject;
      expect(matches(sm.spec.selector.matchLabels, client.metadata.labels), 'selects the client Service').to.equal(true);
      expect(matches(sm.spec.selector.matchLabels, headless.metadata.labels), 'not the headless one (pods would be scraped twice)').to.equal(false);
      expect(client.spec.ports.map((p) => p.name)).to.include(sm.spec.endpoints[0].port);
      expect(sm.spec.endpoints[0].interval).to.equal('15s');
      expect(sm.spec.namespaceSelector).to.deep.equal({ any: true });
      const scoped = find(rendered.get('one namespace watched, one replica without leader election') as K8sObject[], 'ServiceMonitor');
      expect((scoped.spec as { namespaceSelector: unknown }).namespaceSelector).to.deep.equal({ matchNames: ['vectors'] });
    });

    it('applies image overrides, pull secrets, extra env, node selector, tolerations, affinity and pod metadata', () => {
      const objs = rendered.get('everything on, everything overridden') as K8sObject[];
      const d = deploymentOf(objs);
      const pod = d.spec.template.spec;
      const c = pod.containers[0];
      expect(c.image).to.equal('registry.example.com:5000/mirror/shoal-operator:0.1.0-rc.1');
      expect(c.imagePullPolicy).to.equal('Always');
      expect(pod.imagePullSecrets).to.deep.equal([{ name: 'regcred' }]);
      expect(find(objs, 'ServiceAccount').imagePullSecrets).to.deep.equal([{ name: 'regcred' }]);
      const env = envOf(d);
      expect(env.get('NODE_OPTIONS')?.value).to.equal('--max-old-space-size=200');
      expect(env.get('FROM_SECRET')?.valueFrom).to.deep.equal({ secretKeyRef: { name: 's', key: 'k' } });
      expect(env.get('SHOAL_LOG_LEVEL')?.value).to.equal('debug');
      expect(env.get('SHOAL_OPERATOR_WORKERS')?.value).to.equal('4');
      expect(pod.nodeSelector).to.deep.equal(ALL_ON.operator.nodeSelector);
      expect(pod.tolerations).to.deep.equal(ALL_ON.operator.tolerations);
      expect(pod.affinity).to.deep.equal(ALL_ON.operator.affinity);
      expect(pod.topologySpreadConstraints).to.deep.equal(ALL_ON.operator.topologySpreadConstraints);
      expect(pod.priorityClassName).to.equal('system-cluster-critical');
      expect(d.spec.template.metadata.annotations).to.deep.equal({ 'example.com/note': 'x' });
      expect(d.spec.template.metadata.labels).to.include({ tier: 'control', team: 'search' });
      expect(find(objs, 'ServiceAccount').metadata.annotations).to.deep.equal({ 'iam.example.com/role': 'shoal' });
      const digest = deploymentOf(rendered.get('name overrides and a digest') as K8sObject[]);
      expect(digest.spec.template.spec.containers[0].image).to.equal(`shoal-operator@sha256:${'a'.repeat(64)}`);
      expect(digest.metadata.name).to.equal('search-vdb-operator');
      expect(digest.metadata.labels).to.include({ 'app.kubernetes.io/name': 'vdb' });
    });

    it('renders the optional VectorCluster and VectorClasses, defaulting the image and the cluster reference', () => {
      const objs = rendered.get('everything on, everything overridden') as K8sObject[];
      const vc = find(objs, 'VectorCluster', 'vectors') as K8sObject & { spec: Record<string, unknown> };
      expect(vc.spec).to.deep.include({ image: `ghcr.io/shoal-dev/shoal:${APP_VERSION}`, replicas: 5 });
      const classes = objs.filter((o) => o.kind === 'VectorClass');
      expect(classes.map((c) => c.metadata.name)).to.deep.equal(['article', 'image']);
      for (const c of classes) expect((c.spec as { clusterRef: unknown }).clusterRef).to.deep.equal({ name: 'vectors' });
      const other = rendered.get('classes of a cluster installed elsewhere') as K8sObject[];
      expect(other.filter((o) => o.kind === 'VectorCluster')).to.have.length(0);
      expect(find(other, 'VectorClass', 'c1').spec).to.deep.include({ clusterRef: { name: 'other' } });
      expect(find(other, 'VectorClass', 'c1').metadata.namespace).to.equal('apps');
      const tagged = find(rendered.get('name overrides and a digest') as K8sObject[], 'VectorCluster');
      expect((tagged.spec as { image: string }).image).to.equal('ghcr.io/shoal-dev/shoal:9.9.9');
    });

    it('a Role in the watched namespace instead of a ClusterRole; no Lease rights without leader election', () => {
      const objs = rendered.get('one namespace watched, one replica without leader election') as K8sObject[];
      expect(objs.filter((o) => o.kind.startsWith('Cluster'))).to.have.length(0);
      const role = find(objs, 'Role', 'shoal-operator');
      expect(role.metadata.namespace).to.equal('vectors');
      expect(find(objs, 'RoleBinding', 'shoal-operator').metadata.namespace).to.equal('vectors');
      expect(objs.filter((o) => o.metadata.name.endsWith('leader-election'))).to.have.length(0);
      expect(objs.filter((o) => o.kind === 'PodDisruptionBudget'), 'no PDB for a single replica').to.have.length(0);
      const env = envOf(deploymentOf(objs));
      expect(env.get('SHOAL_OPERATOR_NAMESPACE')?.value).to.equal('vectors');
      expect(env.get('SHOAL_OPERATOR_LEADER_ELECTION')?.value).to.equal('false');
      expect(env.has('SHOAL_OPERATOR_LEASE_NAME')).to.equal(false);
      expect(operatorRules(objs)).to.deep.equal(operatorRules(rendered.get('defaults') as K8sObject[]));
    });

    it('uses an existing ServiceAccount and renders no RBAC when asked', () => {
      const objs = rendered.get('existing service account, no RBAC') as K8sObject[];
      expect(objs.filter((o) => ['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind))).to.have.length(0);
      expect(deploymentOf(objs).spec.template.spec.serviceAccountName).to.equal('preexisting');
    });

    it('the PrometheusRule carries the values\' thresholds and extra alert labels; the dashboard is valid JSON', () => {
      const objs = rendered.get('everything on, everything overridden') as K8sObject[];
      const rule = find(objs, 'PrometheusRule') as K8sObject & { spec: { groups: { name: string; rules: { alert: string; expr: string; labels: Record<string, string> }[] }[] } };
      const alerts = rule.spec.groups.flatMap((g) => g.rules);
      expect(alerts.map((a) => a.alert)).to.include.members(['ShoalNodeDown', 'ShoalShardUnderReplicated', 'ShoalReplicasDiverged', 'ShoalQueryLatencyHigh', 'ShoalDiskFilling', 'ShoalReconcileErrors']);
      for (const a of alerts) {
        expect(a.labels, a.alert).to.include({ team: 'search' });
        expect(a.labels.severity, a.alert).to.be.oneOf(['warning', 'critical']);
        expect(a.expr, a.alert).to.not.contain('${');
      }
      expect(alerts.find((a) => a.alert === 'ShoalQueryLatencyHigh')?.expr).to.contain('> 0.25');
      expect(rule.metadata.labels).to.include({ release: 'prom' });
      const cm = find(objs, 'ConfigMap') as K8sObject & { data: Record<string, string> };
      expect(cm.metadata.namespace).to.equal('grafana');
      expect(cm.metadata.labels).to.include({ grafana_dashboard: '1' });
      const dash = JSON.parse(cm.data['shoal.json']) as { uid: string; panels: { title: string }[] };
      expect(dash.uid).to.equal('shoal-overview');
      const titles = dash.panels.map((p) => p.title).join(' | ');
      for (const topic of ['Imports', 'Queries', 'latency', 'Objects per shard', 'Members', 'repaired', 'Reconcile']) expect(titles).to.contain(topic);
    });
  });

  describe('RBAC against what the operator does', () => {
    const sampleCluster = (): ClusterInput => ({
      name: 'c', namespace: 'ns', uid: 'u',
      spec: parseVectorClusterSpec({ image: 'i', monitoring: { enabled: true }, api: { allowSchemaChanges: true } }),
    });

    it('grants every right the pods\' Role carries (Kubernetes lets a subject grant only rights it holds)', () => {
      const rules = operatorRules(rendered.get('defaults') as K8sObject[]);
      for (const r of podRules(sampleCluster(), 3)) {
        for (const group of r.apiGroups ?? []) for (const res of r.resources ?? []) for (const verb of r.verbs) {
          expect(grants(rules, group, res, verb), `${verb} ${res}.${group || 'core'}`).to.equal(true);
        }
      }
    });

    it('holds the same rules as the operator\'s own manifest (operator/config/rbac.yaml)', () => {
      const manifest = parseManifests(readFileSync(join(ROOT, 'operator', 'config', 'rbac.yaml'), 'utf8'));
      const theirs = find(manifest, 'ClusterRole').rules as Rule[];
      for (const scenario of ['defaults', 'one namespace watched, one replica without leader election']) {
        expect(ruleTuples(operatorRules(rendered.get(scenario) as K8sObject[])), scenario).to.deep.equal(ruleTuples(theirs));
      }
      // Leader election: the same verbs on Leases; the chart may only narrow them to the Lease's name.
      const lease = (rules: Rule[]) => ruleTuples(rules.map((r) => ({ ...r, resourceNames: undefined })));
      const chartLease = find(rendered.get('defaults') as K8sObject[], 'Role', 'shoal-operator-leader-election').rules as Rule[];
      expect(lease(chartLease)).to.deep.equal(lease(find(manifest, 'Role', 'shoal-operator-leader-election').rules as Rule[]));
    });

    it('can create and server-side apply every kind of object the operator builds for a cluster', () => {
      const rules = operatorRules(rendered.get('defaults') as K8sObject[]);
      for (const obj of Object.values(desiredObjects(sampleCluster(), 3))) {
        const group = (obj.apiVersion as string).includes('/') ? (obj.apiVersion as string).split('/')[0] : '';
        const resource = `${(obj.kind as string).toLowerCase()}s`;
        for (const verb of ['create', 'patch']) expect(grants(rules, group, resource, verb), `${verb} ${resource}.${group || 'core'}`).to.equal(true);
      }
      expect(grants(rules, 'monitoring.coreos.com', 'servicemonitors', 'delete'), 'ServiceMonitors are deleted when monitoring is turned off').to.equal(true);
    });

    it('can list and watch what the informers cache, and write status and events', () => {
      const rules = operatorRules(rendered.get('defaults') as K8sObject[]);
      for (const [group, res] of [['shoal.dev', 'vectorclusters'], ['shoal.dev', 'vectorclasses'], ['apps', 'statefulsets'], ['', 'pods']]) {
        for (const verb of ['list', 'watch']) expect(grants(rules, group, res, verb), `${verb} ${res}`).to.equal(true);
      }
      for (const res of ['vectorclusters/status', 'vectorclasses/status']) expect(grants(rules, 'shoal.dev', res, 'patch'), res).to.equal(true);
      expect(grants(rules, 'shoal.dev', 'vectorclasses', 'patch'), 'the VectorClass finalizer').to.equal(true);
      expect(grants(rules, '', 'events', 'create')).to.equal(true);
    });

    it('grants nothing beyond that: no wildcards, no secrets, no cluster-wide writes outside Shoal\'s kinds', () => {
      const rules = operatorRules(rendered.get('defaults') as K8sObject[]);
      for (const r of rules) {
        expect([...r.apiGroups, ...r.resources, ...r.verbs]).to.not.include('*');
        expect(r.resources).to.not.include('secrets');
        expect(r.verbs).to.not.include.members(['escalate', 'bind', 'impersonate']);
      }
    });
  });

  describe('values.schema.json', () => {
    const BAD: [string, unknown, RegExp][] = [
      ['a string for an integer', { operator: { replicas: 'two' } }, /operator\.replicas: Invalid type\. Expected: integer, given: string/],
      ['zero replicas', { operator: { replicas: 0 } }, /operator\.replicas: Must be greater than or equal to 1/],
      ['a misspelt key', { operator: { replica: 2 } }, /Additional property replica is not allowed/],
      ['an unknown top-level key', { operatr: {} }, /Additional property operatr is not allowed/],
      ['an unknown pull policy', { operator: { image: { pullPolicy: 'Sometimes' } } }, /operator\.image\.pullPolicy/],
      ['a numeric image tag', { operator: { image: { tag: 1.1 } } }, /operator\.image\.tag: Invalid type\. Expected: string, given: number/],
      ['a digest that is not one', { nodeImage: { digest: 'latest' } }, /nodeImage\.digest: Does not match pattern/],
      ['an unknown log level', { operator: { logLevel: 'verbose' } }, /operator\.logLevel/],
      ['an invalid namespace', { operator: { watchNamespace: 'Bad_NS' } }, /operator\.watchNamespace: Does not match pattern/],
      ['a port out of range', { operator: { httpPort: 70000 } }, /operator\.httpPort: Must be less than or equal to 65535/],
      ['a pull secret given as a string', { imagePullSecrets: ['regcred'] }, /imagePullSecrets\.0: Invalid type\. Expected: object, given: string/],
      ['an env var without a name', { operator: { extraEnv: [{ value: 'x' }] } }, /operator\.extraEnv\.0: name is required/],
      ['a non-string node selector value', { operator: { nodeSelector: { zone: 1 } } }, /operator\.nodeSelector\.zone: Invalid type\. Expected: string, given: integer/],
      ['tolerations given as a map', { operator: { tolerations: { key: 'x' } } }, /operator\.tolerations: Invalid type\. Expected: array, given: object/],
      ['an upper-case cluster name', { cluster: { name: 'Vectors' } }, /cluster\.name: Does not match pattern/],
      ['a class without a spec', { classes: [{ name: 'a' }] }, /classes\.0: spec is required/],
      ['a ratio above 1', { monitoring: { prometheusRule: { diskFreeRatio: 1.5 } } }, /monitoring\.prometheusRule\.diskFreeRatio: Must be less than 1/],
      ['an interval that is not a duration', { monitoring: { serviceMonitor: { nodes: { interval: '30 seconds' } } } }, /monitoring\.serviceMonitor\.nodes\.interval: Does not match pattern/],
      ['a boolean as a string', { rbac: { create: 'yes' } }, /rbac\.create: Invalid type\. Expected: boolean, given: string/],
    ];
    for (const [what, values, message] of BAD) {
      it(`rejects ${what}`, async () => {
        const r = await helm.run(['template', 'shoal', CHART, '-f', helm.valuesFile(values)]);
        expect(r.code, r.stdout).to.not.equal(0);
        expect(r.stderr).to.contain("values don't meet the specifications of the schema");
        expect(r.stderr).to.match(message);
      });
    }

    const CROSS: [string, unknown, RegExp][] = [
      ['several replicas without leader election', { operator: { leaderElection: { enabled: false } } }, /needs operator\.leaderElection\.enabled=true/],
      ['a renew deadline not below the lease duration', { operator: { leaderElection: { renewDeadlineSeconds: 15 } } }, /renewDeadlineSeconds must be less than leaseDurationSeconds/],
      ['no ServiceAccount to use', { serviceAccount: { create: false } }, /serviceAccount\.name is required/],
      ['classes with no cluster to refer to', { classes: [{ name: 'a', spec: { class: { class: 'A' } } }] }, /spec\.clusterRef is required when cluster\.enabled is false/],
    ];
    for (const [what, values, message] of CROSS) {
      it(`fails with a clear message on ${what}`, async () => {
        const r = await helm.run(['template', 'shoal', CHART, '-f', helm.valuesFile(values)]);
        expect(r.code, r.stdout).to.not.equal(0);
        expect(r.stderr).to.match(message);
      });
    }

    it('values.yaml is documented line by line: every value has a comment above it or beside it', () => {
      const lines = readFileSync(join(CHART, 'values.yaml'), 'utf8').split('\n');
      const undocumented: string[] = [];
      let previous = '';
      lines.forEach((line, i) => {
        const leaf = /^\s*[A-Za-z][\w.-]*:\s*\S/.exec(line);
        if (leaf && !line.includes('#') && !/^\s*#/.test(previous)) undocumented.push(`${i + 1}: ${line.trim()}`);
        if (line.trim() !== '') previous = line;
      });
      expect(undocumented, undocumented.join('\n')).to.deep.equal([]);
    });

    it('accepts the values file shipped with the chart unchanged and the values of every matrix case', async () => {
      expect((await helm.run(['template', 'shoal', CHART, '-f', join(CHART, 'values.yaml')])).code).to.equal(0);
      expect(rendered.size).to.equal(Object.keys(MATRIX).length);
    });
  });

  describe('CRDs', () => {
    it('charts/shoal/crds holds exactly the generated crds/ files, byte for byte', () => {
      const source = readdirSync(join(ROOT, 'crds')).filter((f) => f.endsWith('.yaml')).sort();
      const chart = readdirSync(join(CHART, 'crds')).sort();
      expect(chart, 'run: cp crds/*.yaml charts/shoal/crds/').to.deep.equal(source);
      for (const f of source) {
        expect(readFileSync(join(CHART, 'crds', f), 'utf8'), `charts/shoal/crds/${f} is stale; run: cp crds/*.yaml charts/shoal/crds/`).to.equal(readFileSync(join(ROOT, 'crds', f), 'utf8'));
      }
    });

    it('renders with --include-crds as valid CustomResourceDefinitions', async () => {
      const objs = await helm.template({}, { args: ['--include-crds'] });
      const crdObjs = objs.filter((o) => o.kind === 'CustomResourceDefinition');
      expect(crdObjs.map((o) => o.metadata.name).sort()).to.deep.equal(['vectorclasses.shoal.dev', 'vectorclusters.shoal.dev']);
      const problems: string[] = [];
      for (const o of crdObjs) problems.push(...(await validateObject(o, crds)));
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });
  });
});
