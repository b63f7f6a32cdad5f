// API tests of a cluster's and a class's life: scaling (a scale-down that would lose data is
// refused, with the safety predicate named in status and in an event), the finalizer hand-off
// with the pods on class deletion, and the optional ServiceMonitor.
import { expect } from 'chai';
import { KObject } from '../../local/src/apiserver/index.js';
import { parseShardingState } from '../../api/index.js';
import { TestEnv } from './env.js';

const SERVICE_MONITOR_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'servicemonitors.monitoring.coreos.com' },
  spec: {
    group: 'monitoring.coreos.com',
    names: { kind: 'ServiceMonitor', listKind: 'ServiceMonitorList', plural: 'servicemonitors', singular: 'servicemonitor' },
    scope: 'Namespaced',
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};

describe('operator API tests: scaling, deletion and monitoring', function () {
  this.timeout(30_000);
  let env: TestEnv;
  beforeEach(async () => {
    env = await TestEnv.start();
    await env.operator({ kindProbeTtlMs: 100 });
  });
  afterEach(async () => env.close());

  const stsReplicas = () => env.get('statefulsets', 'quickstart')?.spec.replicas;

  it('scales up, and refuses a scale-down that would remove pods holding replicas', async () => {
    env.applyQuickstart();
    await env.until('placed', () => env.get('vectorclasses', 'article')?.status?.sharding);
    await env.scale('quickstart', 4);
    await env.until('scaled up', () => stsReplicas() === 4);
    expect(env.get('roles', 'quickstart-node').rules[1].resourceNames).to.deep.equal(['quickstart-0', 'quickstart-1', 'quickstart-2', 'quickstart-3']);
    await env.scale('quickstart', 3);
    await env.until('quickstart-3 holds nothing: scaled down', () => stsReplicas() === 3);

    await env.scale('quickstart', 2);
    const blocked = await env.untilObject('vectorclusters', 'quickstart', 'ScaleDownBlocked', (o) => o.status?.phase === 'ScaleDownBlocked');
    expect(stsReplicas(), 'the StatefulSet keeps its pods').to.equal(3);
    expect(blocked.status.statefulSetReplicas).to.equal(3);
    const progressing = blocked.status.conditions.find((c: any) => c.type === 'Progressing');
    expect(progressing).to.include({ status: 'False', reason: 'ScaleDownBlocked' });
    expect(progressing.message).to.match(/^scale-down from 3 to 2 pods refused by safety predicate NoReplicasOnRemovedPods: quickstart-2 holds replicas of article\//);
    await env.until('Warning event', () => env.events('quickstart').some((e) => e.type === 'Warning' && e.reason === 'ScaleDownBlocked' && e.message.includes('NoReplicasOnRemovedPods')));

    await env.scale('quickstart', 3);
    await env.untilObject('vectorclusters', 'quickstart', 'unblocked', (o) => o.status?.phase !== 'ScaleDownBlocked');
    expect(stsReplicas()).to.equal(3);
  });

  it('places new classes only on pods that stay while a scale-down is refused', async () => {
    env.applyQuickstart();
    await env.until('placed', () => env.get('vectorclasses', 'article')?.status?.sharding);
    await env.scale('quickstart', 2);
    await env.untilObject('vectorclusters', 'quickstart', 'blocked', (o) => o.status?.phase === 'ScaleDownBlocked');
    env.applyClass((c) => {
      c.metadata.name = 'story';
      c.spec.class.class = 'Story';
    });
    const story = await env.untilObject('vectorclasses', 'story', 'story placed', (o) => o.status?.sharding);
    const pods = new Set(parseShardingState(story.status.sharding).physical.flatMap((p) => p.replicas));
    expect([...pods].sort()).to.deep.equal(['quickstart-0', 'quickstart-1']);
  });

  it('deletes a class only after every pod dropped its shards (finalizer hand-off)', async () => {
    env.applyQuickstart();
    const state = parseShardingState(await env.until('placed', () => env.get('vectorclasses', 'article')?.status?.sharding));
    await env.createPods('quickstart', 3);
    for (const pod of ['quickstart-0', 'quickstart-1', 'quickstart-2']) {
      const shards = Object.fromEntries(state.physical.filter((p) => p.replicas.includes(pod)).map((p) => [p.name, { class: 'Article', ready: true, objects: 5 }]));
      await env.report(pod, { shards });
    }
    await env.untilObject('vectorclasses', 'article', 'counts', (o) => o.status?.objects === 15);

    env.srv.delete('vectorclasses', 'article', 'default');
    const deleting = await env.untilObject('vectorclasses', 'article', 'Deleting', (o) => o.status?.phase === 'Deleting');
    expect(deleting.metadata.deletionTimestamp).to.be.a('string');
    expect(deleting.status.conditions.find((c: any) => c.type === 'Ready').message).to.match(/^waiting for pods quickstart-0, quickstart-1, quickstart-2 to delete the data/);

    await env.report('quickstart-0', { shards: {} });
    await env.report('quickstart-1', { shards: {} });
    await env.untilObject('vectorclasses', 'article', 'one pod left', (o) => /waiting for pods quickstart-2 to/.test(o.status.conditions.find((c: any) => c.type === 'Ready').message));
    expect(env.get('vectorclasses', 'article'), 'still there').not.to.equal(undefined);
    await env.report('quickstart-2', { shards: { SomeOther1234: { class: 'Other', ready: true } } });
    await env.until('gone', () => env.get('vectorclasses', 'article') === undefined);
  });

  it('deletes a class at once when no pod holds its data', async () => {
    env.applyQuickstart();
    await env.until('placed', () => env.get('vectorclasses', 'article')?.status?.sharding);
    env.srv.delete('vectorclasses', 'article', 'default');
    await env.until('gone', () => env.get('vectorclasses', 'article') === undefined);
  });

  it('creates a ServiceMonitor once its CRD is installed, and removes it when monitoring is turned off', async () => {
    env.applyQuickstart({ cluster: (c) => (c.spec.monitoring = { enabled: true }) });
    await env.until('StatefulSet', () => env.get('statefulsets', 'quickstart'));
    await env.untilObject('vectorclusters', 'quickstart', 'status without error', (o) => o.status?.conditions?.find((c: any) => c.type === 'Degraded')?.status === 'False');
    env.srv.create(SERVICE_MONITOR_CRD as unknown as KObject);
    const sm = await env.untilObject('servicemonitors.monitoring.coreos.com', 'quickstart', 'ServiceMonitor', () => true);
    expect(sm.spec.endpoints).to.deep.equal([{ port: 'http', path: '/metrics', interval: '30s' }]);
    env.applyQuickstart({ cluster: (c) => (c.spec.monitoring = { enabled: false }) });
    await env.until('ServiceMonitor removed', () => env.get('servicemonitors.monitoring.coreos.com', 'quickstart') === undefined);
  });
});
