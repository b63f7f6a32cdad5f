// `helm install`, `helm upgrade` and `helm uninstall` of charts/shoal with the real helm binary
// against Shoal's local API server (local/src/apiserver): afterwards the objects exist exactly
// as rendered, and the real operator, configured from the installed Deployment's environment,
// leads through the chart's Lease and reconciles the chart's VectorCluster.
// What the local server does not model (defaulting, admission, RBAC enforcement, controllers)
// is listed in local/src/apiserver/README.md; a StatefulSet never gets pods here.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startApiServer, type ApiServer, type KObject } from '../../local/src/apiserver/index.js';
import { waitFor } from '../support/wait.js';
import { startOperatorProcess, type OperatorProcess } from '../metrics/exposition.js';
import { CHART, ROOT, HelmHome, ensureTools, parseManifests, type K8sObject } from './helm.js';

const NS = 'shoal-system';

/** The Prometheus Operator's CRDs, as far as the install needs them (any spec accepted). */
function monitoringCrd(kind: string, plural: string): KObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.monitoring.coreos.com` },
    spec: {
      group: 'monitoring.coreos.com', scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };
}

const INSTALL_VALUES = {
  cluster: { enabled: true, name: 'vectors', spec: { replicas: 3, storage: { size: '1Gi' } } },
  classes: [
    { name: 'article', spec: { class: { class: 'Article', vectorIndexConfig: { distance: 'cosine' }, shardingConfig: { desiredCount: 3 }, replicationConfig: { factor: 2 } } } },
    { name: 'image', spec: { class: { class: 'Image' } } },
  ],
  operator: { extraEnv: [{ name: 'EXTRA', value: 'one' }] },
  monitoring: {
    serviceMonitor: { operator: { enabled: true }, nodes: { enabled: true } },
    prometheusRule: { enabled: true },
    dashboard: { enabled: true },
  },
};

const UPGRADE_VALUES = {
  ...INSTALL_VALUES,
  cluster: { enabled: true, name: 'vectors', spec: { replicas: 4, storage: { size: '1Gi' } } },
  classes: [INSTALL_VALUES.classes[0]],
  operator: { replicas: 3, logLevel: 'debug', extraEnv: [{ name: 'EXTRA', value: 'two' }] },
  monitoring: { ...INSTALL_VALUES.monitoring, prometheusRule: { enabled: false } },
};

const RESOURCE: Record<string, string> = {
  Deployment: 'deployments.apps', Service: 'services', ServiceAccount: 'serviceaccounts', PodDisruptionBudget: 'poddisruptionbudgets.policy',
  ClusterRole: 'clusterroles.rbac.authorization.k8s.io', ClusterRoleBinding: 'clusterrolebindings.rbac.authorization.k8s.io',
  Role: 'roles.rbac.authorization.k8s.io', RoleBinding: 'rolebindings.rbac.authorization.k8s.io', ConfigMap: 'configmaps',
  ServiceMonitor: 'servicemonitors.monitoring.coreos.com', PrometheusRule: 'prometheusrules.monitoring.coreos.com',
  VectorCluster: 'vectorclusters.shoal.dev', VectorClass: 'vectorclasses.shoal.dev',
};

function stored(server: ApiServer, o: K8sObject): KObject | undefined {
  const resource = RESOURCE[o.kind];
  if (!resource) throw new Error(`no resource name for ${o.kind}`);
  return server.get(resource, o.metadata.name, o.metadata.namespace);
}

/**
 * Where `stored` does not hold `rendered`: every rendered field must be there with the same value
 * (the server may add defaults, e.g. a Service's clusterIP or a CRD's defaults; lists must match
 * element by element).
 */
function missing(rendered: unknown, stored: unknown, path: string): string[] {
  if (Array.isArray(rendered)) {
    if (!Array.isArray(stored) || stored.length !== rendered.length) return [`${path}: rendered ${JSON.stringify(rendered)}, stored ${JSON.stringify(stored)}`];
    return rendered.flatMap((r, i) => missing(r, stored[i], `${path}[${i}]`));
  }
  if (rendered !== null && typeof rendered === 'object') {
    if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return [`${path}: rendered an object, stored ${JSON.stringify(stored)}`];
    return Object.entries(rendered).flatMap(([k, v]) => missing(v, (stored as Record<string, unknown>)[k], `${path}.${k}`));
  }
  return rendered === stored ? [] : [`${path}: rendered ${JSON.stringify(rendered)}, stored ${JSON.stringify(stored)}`];
}

/** Differences between a rendered object and the stored one (metadata: labels only; status is the server's). */
function differences(rendered: K8sObject, got: KObject | undefined): string[] {
  const id = `${rendered.kind}/${rendered.metadata.name}`;
  if (!got) return [`${id}: not in the API server`];
  const { metadata, status: _status, ...body } = rendered;
  return [
    ...missing(body, got, id),
    ...missing(metadata.labels ?? {}, (got.metadata as { labels?: unknown }).labels, `${id}.metadata.labels`),
  ];
}

describe('helm install and upgrade against the local API server', function () {
  this.timeout(180_000);
  let server: ApiServer;
  let helm: HelmHome;
  let env: Record<string, string>;
  let operator: OperatorProcess | undefined;

  const manifest = async (): Promise<K8sObject[]> => parseManifests(await helm.ok(['get', 'manifest', 'shoal', '-n', NS], env));

  before(async () => {
    ensureTools();
    server = await startApiServer({ gcIntervalMs: 200 });
    server.create(monitoringCrd('ServiceMonitor', 'servicemonitors'));
    server.create(monitoringCrd('PrometheusRule', 'prometheusrules'));
    helm = new HelmHome();
    env = { KUBECONFIG: server.kubeconfigPath };
  });
  after(async () => {
    await operator?.stop();
    await server?.close();
    helm?.remove();
  });

  it('helm install: CRDs first, then every object as rendered (server defaults aside), and NOTES saying what to do next', async () => {
    const out = await helm.ok(['install', 'shoal', CHART, '-n', NS, '--create-namespace', '-f', helm.valuesFile(INSTALL_VALUES)], env);
    expect(out).to.contain('STATUS: deployed');
    expect(out).to.contain('kubectl -n shoal-system rollout status deployment/shoal-operator');
    expect(out).to.contain('kubectl -n shoal-system get vectorcluster vectors -w');
    expect(out).to.contain('PrometheusRule shoal holds the alerts');
    for (const f of ['vectorclusters.shoal.dev', 'vectorclasses.shoal.dev']) {
      const crd = server.get('customresourcedefinitions.apiextensions.k8s.io', f);
      const file = parse(readFileSync(join(ROOT, 'crds', `${f}.yaml`), 'utf8')) as { spec: unknown };
      expect(crd, f).to.not.equal(undefined);
      expect(missing(file.spec, crd?.spec, f)).to.deep.equal([]);
    }
    const objs = await manifest();
    expect(objs.map((o) => o.kind)).to.include.members(['Deployment', 'ClusterRole', 'VectorCluster', 'VectorClass', 'ServiceMonitor', 'PrometheusRule', 'ConfigMap']);
    const problems = objs.flatMap((o) => differences(o, stored(server, o)));
    expect(problems, problems.join('\n')).to.deep.equal([]);
    const list = JSON.parse(await helm.ok(['list', '-n', NS, '-o', 'json'], env)) as { name: string; status: string; chart: string }[];
    expect(list).to.have.length(1);
    expect(list[0]).to.include({ name: 'shoal', status: 'deployed', chart: 'shoal-0.1.0' });
  });

  it('the real operator, configured from the installed Deployment, leads through the chart\'s Lease and reconciles the chart\'s VectorCluster', async () => {
    const deployment = stored(server, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'shoal-operator', namespace: NS } }) as unknown as {
      spec: { template: { spec: { containers: { env: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[] }[] } } };
    };
    const fieldRefs: Record<string, string> = { 'metadata.name': 'shoal-operator-abc12', 'metadata.namespace': NS };
    const podEnv: Record<string, string> = {};
    for (const e of deployment.spec.template.spec.containers[0].env) {
      const v = e.value ?? (e.valueFrom?.fieldRef ? fieldRefs[e.valueFrom.fieldRef.fieldPath] : undefined);
      if (v !== undefined) podEnv[e.name] = v;
    }
    expect(podEnv).to.include({ SHOAL_OPERATOR_LEADER_ELECTION: 'true', SHOAL_OPERATOR_LEASE_NAME: 'shoal-operator', SHOAL_OPERATOR_POD_NAME: 'shoal-operator-abc12' });
    // Outside a pod: the kubeconfig instead of the service account, and any free port.
    operator = await startOperatorProcess({ ...podEnv, KUBECONFIG: server.kubeconfigPath, SHOAL_OPERATOR_HTTP_PORT: '0', SHOAL_OPERATOR_HTTP_HOST: '127.0.0.1' });
    const lease = await waitFor(() => server.get('leases.coordination.k8s.io', 'shoal-operator', NS), { timeoutMs: 30_000, what: 'the Lease named in the chart\'s leader-election Role' });
    expect((lease.spec as { holderIdentity: string }).holderIdentity).to.equal('shoal-operator-abc12');
    const role = server.get('roles.rbac.authorization.k8s.io', 'shoal-operator-leader-election', NS) as unknown as { rules: { resourceNames?: string[] }[] };
    expect(role.rules.flatMap((r) => r.resourceNames ?? [])).to.deep.equal([lease.metadata.name]);
    const sts = await waitFor(() => server.get('statefulsets.apps', 'vectors', NS), { timeoutMs: 30_000, what: 'the StatefulSet of the chart\'s VectorCluster' });
    expect((sts.spec as { replicas: number }).replicas).to.equal(3);
    expect((await fetch(`${operator.url}/healthz`)).status).to.equal(200);
    // It keeps running: the upgrade and the uninstall delete resources whose finalizers it owns.
  });

  it('helm upgrade: changed values reach the objects, dropped ones are deleted, history has two revisions', async () => {
    const out = await helm.ok(['upgrade', 'shoal', CHART, '-n', NS, '-f', helm.valuesFile(UPGRADE_VALUES)], env);
    expect(out).to.contain('STATUS: deployed');
    expect(out).to.contain('REVISION: 2');
    const objs = await manifest();
    const problems = objs.flatMap((o) => differences(o, stored(server, o)));
    expect(problems, problems.join('\n')).to.deep.equal([]);
    const d = server.get('deployments.apps', 'shoal-operator', NS) as unknown as { spec: { replicas: number; template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } };
    expect(d.spec.replicas).to.equal(3);
    const envs = new Map(d.spec.template.spec.containers[0].env.map((e) => [e.name, e.value]));
    expect(envs.get('SHOAL_LOG_LEVEL')).to.equal('debug');
    expect(envs.get('EXTRA')).to.equal('two');
    expect((server.get('vectorclusters.shoal.dev', 'vectors', NS)?.spec as { replicas: number }).replicas).to.equal(4);
    // Deleted by helm, then finalized by the operator (no pod holds its data here).
    await waitFor(() => !server.get('vectorclasses.shoal.dev', 'image', NS), { timeoutMs: 30_000, what: 'VectorClass image to be deleted and finalized' });
    expect(server.get('vectorclasses.shoal.dev', 'article', NS)).to.not.equal(undefined);
    expect(server.get('prometheusrules.monitoring.coreos.com', 'shoal', NS)).to.equal(undefined);
    const history = JSON.parse(await helm.ok(['history', 'shoal', '-n', NS, '-o', 'json'], env)) as { revision: number; status: string }[];
    expect(history.map((h) => [h.revision, h.status])).to.deep.equal([[1, 'superseded'], [2, 'deployed']]);
  });

  it('helm uninstall removes the release\'s objects and keeps the CRDs (and so the data\'s definitions)', async () => {
    const before = await manifest();
    await helm.ok(['uninstall', 'shoal', '-n', NS], env);
    // Custom resources go once the operator has finalized them.
    await waitFor(() => before.every((o) => !stored(server, o)), {
      timeoutMs: 30_000, what: `every object of the release to be gone (left: ${before.filter((o) => stored(server, o)).map((o) => `${o.kind}/${o.metadata.name}`).join(', ')})`,
    });
    // The operator's children of the VectorCluster go with it (owner references).
    await waitFor(() => !server.get('statefulsets.apps', 'vectors', NS), { timeoutMs: 30_000, what: 'the StatefulSet to be garbage collected' });
    expect(server.get('customresourcedefinitions.apiextensions.k8s.io', 'vectorclusters.shoal.dev')).to.not.equal(undefined);
    expect(JSON.parse(await helm.ok(['list', '-n', NS, '-o', 'json'], env))).to.deep.equal([]);
  });
});
