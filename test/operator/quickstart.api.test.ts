// API tests: the real operator against the embedded API server. Applying the quickstart yields
// exactly the golden objects and the expected statuses; pods (simulated: Pod objects whose
// readiness and report the test sets) drive readiness and counts; a spec edit changes only
// what it should.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { TestEnv, missingFrom } from './env.js';
import { readGolden } from './fixtures.js';
import { parseShardingState } from '../../api/index.js';

const CHILDREN: Array<[string, string, string]> = [
  ['serviceAccount', 'serviceaccounts', 'quickstart-node'],
  ['role', 'roles.rbac.authorization.k8s.io', 'quickstart-node'],
  ['roleBinding', 'rolebindings.rbac.authorization.k8s.io', 'quickstart-node'],
  ['headlessService', 'services', 'quickstart-headless'],
  ['clientService', 'services', 'quickstart'],
  ['statefulSet', 'statefulsets.apps', 'quickstart'],
  ['podDisruptionBudget', 'poddisruptionbudgets.policy', 'quickstart'],
];

describe('operator API tests: quickstart against the embedded API server', function () {
  this.timeout(30_000);
  let env: TestEnv;
  beforeEach(async () => {
    env = await TestEnv.start();
    await env.operator();
  });
  afterEach(async () => env.close());

  it('creates exactly the golden StatefulSet, Services, PDB and RBAC, applied by shoal-operator', async () => {
    env.applyQuickstart();
    await env.until('StatefulSet and PDB', () => env.get('statefulsets', 'quickstart') && env.get('poddisruptionbudgets', 'quickstart'));
    const uid = env.get('vectorclusters', 'quickstart').metadata.uid;
    for (const [golden, resource, name] of CHILDREN) {
      const expected = JSON.parse(JSON.stringify(readGolden(`quickstart/${golden}`)).replaceAll('uid-of-quickstart', uid));
      const actual = env.get(resource, name);
      expect(missingFrom(expected, actual), `${resource}/${name} against golden ${golden}`).to.deep.equal([]);
      const managers = (actual.metadata.managedFields ?? []).map((m: any) => `${m.manager}/${m.operation}`);
      expect(managers, `${resource}/${name}`).to.deep.equal(['shoal-operator/Apply']);
    }
  });

  it('places the class once and reports both statuses while there are no pods', async () => {
    env.applyQuickstart();
    const cls = await env.until('class placed and status written', () => {
      const c = env.get('vectorclasses', 'article');
      return c?.status?.phase === 'Placed' && c;
    });
    const state = parseShardingState(cls.status.sharding);
    expect(state.physical).to.have.length(3);
    expect(state.replicationFactor).to.equal(2);
    const perPod = new Map<string, number>();
    for (const p of state.physical) for (const r of p.replicas) perPod.set(r, (perPod.get(r) ?? 0) + 1);
    expect([...perPod.entries()].sort()).to.deep.equal([['quickstart-0', 2], ['quickstart-1', 2], ['quickstart-2', 2]]);
    expect(cls.metadata.finalizers).to.deep.equal(['shoal.dev/class-data']);
    expect(cls.status.placedWith).to.deep.equal({ clusterName: 'quickstart', className: 'Article', distance: 'cosine' });
    expect(cls.status.conditions.map((c: any) => `${c.type}=${c.status}/${c.reason}`)).to.deep.equal(['Placed=True/Placed', 'Ready=False/ReplicasNotReady']);
    expect(cls.status).to.include({ shardCount: 3, readyShards: 0, observedGeneration: cls.metadata.generation });
    const cluster = await env.untilObject('vectorclusters', 'quickstart', 'cluster status', (o) => o.status?.phase);
    expect(cluster.status).to.include({ phase: 'Pending', replicas: 0, readyReplicas: 0, statefulSetReplicas: 3, selector: 'app.kubernetes.io/name=shoal,shoal.dev/cluster=quickstart' });
    expect(cluster.status.conditions.map((c: any) => `${c.type}=${c.status}`)).to.deep.equal(['Available=False', 'Progressing=True', 'Degraded=False']);
    expect(env.events('article').map((e) => e.reason)).to.include('Placed');
  });

  it('follows pod readiness and pod reports into both statuses', async () => {
    env.applyQuickstart();
    const placed = await env.until('placed', () => env.get('vectorclasses', 'article')?.status?.sharding);
    const state = parseShardingState(placed);
    await env.createPods('quickstart', 3);
    await env.until('cluster Ready at its current generation', () => {
      const c = env.get('vectorclusters', 'quickstart');
      return c?.status?.phase === 'Ready' && c.status.observedGeneration === c.metadata.generation;
    });
    expect(env.get('vectorclusters', 'quickstart').status).to.include({ replicas: 3, readyReplicas: 3 });
    await env.until('class Ready (pods without reports count by readiness)', () => env.get('vectorclasses', 'article')?.status?.phase === 'Ready');

    // quickstart-0 reports its replicas, one of them still loading, with object counts.
    const onPod0 = state.physical.filter((p) => p.replicas.includes('quickstart-0'));
    await env.report('quickstart-0', {
      members: ['quickstart-0', 'quickstart-1', 'quickstart-2'],
      shards: { [onPod0[0].name]: { class: 'Article', ready: true, objects: 40 }, [onPod0[1].name]: { class: 'Article', ready: false, objects: 2 } },
    });
    const cls = await env.until('class sees the report', () => {
      const c = env.get('vectorclasses', 'article');
      return c?.status?.objects !== undefined && c;
    });
    expect(cls.status.phase).to.equal('Placed');
    const shard1 = cls.status.shards.find((s: any) => s.name === onPod0[1].name);
    expect(shard1.replicas.find((r: any) => r.pod === 'quickstart-0')).to.deep.equal({ pod: 'quickstart-0', ready: false, objects: 2 });
    expect(cls.status.objects).to.equal(42);
    await env.until('members', () => env.get('vectorclusters', 'quickstart')?.status?.members?.length === 3);

    await env.setPodReady('quickstart-2', false);
    const degraded = await env.until('cluster Degraded', () => {
      const c = env.get('vectorclusters', 'quickstart');
      return c?.status?.phase === 'Degraded' && c;
    });
    expect(degraded.status.conditions.find((c: any) => c.type === 'Available').status).to.equal('True', 'one pod down is within the budget');
  });

  it('applies a spec edit to exactly the objects and fields it concerns', async () => {
    env.applyQuickstart();
    await env.until('children', () => env.get('poddisruptionbudgets', 'quickstart') && env.get('vectorclusters', 'quickstart')?.status);
    const before = Object.fromEntries(CHILDREN.map(([g, r, n]) => [g, env.get(r, n)]));
    env.applyQuickstart({ cluster: (c) => (c.spec.image = 'ghcr.io/shoal-dev/shoal:0.2.0') });
    const sts = await env.until('new image', () => {
      const s = env.get('statefulsets', 'quickstart');
      return s?.spec.template.spec.containers[0].image === 'ghcr.io/shoal-dev/shoal:0.2.0' && s;
    });
    const strip = (o: any) => ({ ...o, metadata: { ...o.metadata, resourceVersion: 0, managedFields: 0, generation: 0 }, spec: { ...o.spec, template: 0 } });
    expect(missingFrom(strip(before.statefulSet), strip(sts)), 'StatefulSet outside the template').to.deep.equal([]);
    const c0 = { ...before.statefulSet.spec.template.spec.containers[0], image: 'ghcr.io/shoal-dev/shoal:0.2.0' };
    expect(sts.spec.template.spec.containers[0]).to.deep.equal(c0);
    // Let the operator settle, then check no other child was written (SSA no-ops keep resourceVersion).
    await env.until('cluster status caught up', () => env.get('vectorclusters', 'quickstart')?.status?.observedGeneration === env.get('vectorclusters', 'quickstart')?.metadata.generation);
    for (const [g, r, n] of CHILDREN)
      if (g !== 'statefulSet') expect(env.get(r, n).metadata.resourceVersion, `${r}/${n} untouched`).to.equal(before[g].metadata.resourceVersion);
  });

  it('serves /healthz and /metrics with shoal_operator_ metrics', async () => {
    env.applyQuickstart();
    await env.until('placed', () => env.get('vectorclasses', 'article')?.status?.sharding);
    const url = env.operators[0].httpUrl!;
    expect((await fetch(`${url}/healthz`)).status).to.equal(200);
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const m of ['shoal_operator_reconciles_total', 'shoal_operator_reconcile_errors_total', 'shoal_operator_reconcile_duration_seconds_bucket', 'shoal_operator_queue_depth'])
      expect(text, m).to.contain(m);
    expect(text).to.match(/shoal_operator_reconciles_total\{controller="vectorclass",result="done"\} [1-9]/);
    // The image's HEALTHCHECK asks the same endpoint.
    const script = fileURLToPath(new URL('../../operator/src/healthcheck.js', import.meta.url));
    const exitCode = (port: string) => new Promise<number>((resolve) => execFile(process.execPath, [script], { env: { SHOAL_OPERATOR_HTTP_PORT: port } }, (e) => resolve(e ? Number(e.code) : 0)));
    expect(await exitCode(new URL(url).port)).to.equal(0);
    expect(await exitCode('1')).to.equal(1);
  });
});

