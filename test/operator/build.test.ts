// Desired objects are pure functions of the VectorCluster: golden files for the quickstart, and
// for each spec switch the exact set of fields it changes (and nothing else).
import { expect } from 'chai';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Service } from 'kubernetes-models/v1/Service';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { desiredObjects, DesiredObjects } from '../../operator/src/build/index.js';
import { quickstartInput, expectGolden, diffPaths } from './fixtures.js';

const KINDS = ['serviceAccount', 'role', 'roleBinding', 'headlessService', 'clientService', 'statefulSet', 'podDisruptionBudget'] as const;

function changedPaths(before: DesiredObjects, after: DesiredObjects): string[] {
  return KINDS.flatMap((k) => diffPaths(before[k], after[k]).map((p) => `${k}.${p}`));
}

describe('operator: desired objects (pure builders)', () => {
  const base = desiredObjects(quickstartInput(), 3);

  it('builds exactly the golden StatefulSet, Services, PDB and RBAC for the quickstart', () => {
    for (const k of KINDS) expectGolden(`quickstart/${k}`, base[k]);
    expect(base.serviceMonitor, 'monitoring is off in the quickstart').to.equal(undefined);
  });

  it('passes the official Kubernetes schemas', () => {
    new StatefulSet(base.statefulSet as never).validate();
    new Service(base.headlessService as never).validate();
    new Service(base.clientService as never).validate();
    new PodDisruptionBudget(base.podDisruptionBudget as never).validate();
    new Role(base.role as never).validate();
    new RoleBinding(base.roleBinding as never).validate();
    new ServiceAccount(base.serviceAccount as never).validate();
  });

  it('sets the pod environment the node reads', () => {
    const env = (base.statefulSet as any).spec.template.spec.containers[0].env as Array<{ name: string; value?: string; valueFrom?: any }>;
    const byName = Object.fromEntries(env.map((e) => [e.name, e]));
    expect(byName.SHOAL_NODE_NAME.valueFrom.fieldRef.fieldPath).to.equal('metadata.name');
    expect(byName.SHOAL_NAMESPACE.valueFrom.fieldRef.fieldPath).to.equal('metadata.namespace');
    expect(byName.SHOAL_CONTROL.value).to.equal('kube');
    expect(byName.SHOAL_CLUSTER.value).to.equal('quickstart');
    expect(byName.SHOAL_JOIN.value).to.equal('quickstart-headless.default.svc');
    expect([byName.SHOAL_HTTP_PORT.value, byName.SHOAL_GOSSIP_PORT.value, byName.SHOAL_DATA_PORT.value]).to.deep.equal(['8080', '7000', '7001']);
    expect(byName.SHOAL_DATA_DIR.value).to.equal('/var/lib/shoal');
    expect(byName.SHOAL_API_KEYS, 'no Secret referenced').to.equal(undefined);
    expect(byName.SHOAL_GOSSIP_KEY).to.equal(undefined);
  });

  it('keeps the pod template free of anything that changes with the operator version', () => {
    const meta = (base.statefulSet as any).spec.template.metadata;
    const keys = [...Object.keys(meta.labels ?? {}), ...Object.keys(meta.annotations ?? {})];
    expect(keys.filter((k) => /version|revision|restartedAt|checksum|operator/i.test(k))).to.deep.equal([]);
    expect(Object.values(meta.labels)).not.to.include('0.1.0');
    expect(desiredObjects(quickstartInput(), 3)).to.deep.equal(base, 'same input, same output');
  });

  it('changes only the replica count and the pods allowed to report when scaling', () => {
    expect(changedPaths(base, desiredObjects(quickstartInput(), 5))).to.deep.equal(['role.rules[1].resourceNames[3]', 'role.rules[1].resourceNames[4]', 'statefulSet.spec.replicas']);
  });

  it('changes only the container image when the image changes', () => {
    const after = desiredObjects(quickstartInput((s) => (s.image = 'ghcr.io/shoal-dev/shoal:0.2.0')), 3);
    expect(changedPaths(base, after)).to.deep.equal(['statefulSet.spec.template.spec.containers[0].image']);
  });

  it('adds image pull Secrets to the pod template only, when given', () => {
    const after = desiredObjects(quickstartInput((s) => (s.imagePullSecrets = [{ name: 'regcred' }])), 3);
    expect(changedPaths(base, after)).to.deep.equal(['statefulSet.spec.template.spec.imagePullSecrets']);
    expect((after.statefulSet as any).spec.template.spec.imagePullSecrets).to.deep.equal([{ name: 'regcred' }]);
  });

  it('references the Secrets for API keys and the gossip key, and nothing else changes', () => {
    const after = desiredObjects(quickstartInput((s) => {
      s.api = { keysSecret: { name: 'shoal-keys' } };
      s.gossip = { keySecret: { name: 'shoal-gossip', key: 'k' } };
    }), 3);
    expect(changedPaths(base, after)).to.deep.equal(['statefulSet.spec.template.spec.containers[0].env[12]', 'statefulSet.spec.template.spec.containers[0].env[13]']);
    const env = (after.statefulSet as any).spec.template.spec.containers[0].env;
    expect(env[12]).to.deep.equal({ name: 'SHOAL_API_KEYS', valueFrom: { secretKeyRef: { name: 'shoal-keys', key: 'keys' } } });
    expect(env[13]).to.deep.equal({ name: 'SHOAL_GOSSIP_KEY', valueFrom: { secretKeyRef: { name: 'shoal-gossip', key: 'k' } } });
  });

  it('lets the pods create and delete VectorClasses only when schema changes are allowed', () => {
    const after = desiredObjects(quickstartInput((s) => (s.api = { allowSchemaChanges: true })), 3);
    expect(changedPaths(base, after).sort()).to.deep.equal([
      'role.rules[0].verbs[5]', 'role.rules[0].verbs[6]',
      'statefulSet.spec.template.spec.containers[0].env[11].value',
    ]);
    expect((after.role as any).rules[0].verbs).to.include.members(['create', 'delete']);
    expect((base.role as any).rules[0].verbs).not.to.include.members(['create']);
  });

  it('spreads over zones only when asked, with the requested strictness', () => {
    const preferred = desiredObjects(quickstartInput((s) => (s.scheduling = { zoneSpread: 'Preferred' })), 3);
    expect(changedPaths(base, preferred)).to.deep.equal(['statefulSet.spec.template.spec.topologySpreadConstraints']);
    const required = desiredObjects(quickstartInput((s) => (s.scheduling = { zoneSpread: 'Required' })), 3);
    expect((required.statefulSet as any).spec.template.spec.topologySpreadConstraints[0]).to.include({ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', maxSkew: 1 });
  });

  it('adds a ServiceMonitor for the client Service when monitoring is on, changing nothing else', () => {
    const after = desiredObjects(quickstartInput((s) => (s.monitoring = { enabled: true, interval: '15s' })), 3);
    expect(changedPaths(base, after)).to.deep.equal([]);
    expectGolden('quickstart/serviceMonitor', after.serviceMonitor);
  });

  it('runs pods as non-root with a read-only root file system and no capabilities', () => {
    const pod = (base.statefulSet as any).spec.template.spec;
    const c = pod.containers[0];
    expect(pod.securityContext).to.include({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
    expect(c.securityContext).to.deep.equal({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(c.volumeMounts).to.deep.include({ name: 'tmp', mountPath: '/tmp' });
    expect(pod.volumes).to.deep.include({ name: 'tmp', emptyDir: {} });
    expect(c.readinessProbe.httpGet.path).to.equal('/v1/.well-known/ready');
    expect(c.livenessProbe.httpGet.path).to.equal('/v1/.well-known/live');
  });
});
