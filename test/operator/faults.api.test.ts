// API tests under faults injected by the embedded API server: 409 conflicts, watches that are
// dropped, expired (410) or fail (500), failing lists, and an operator restart. The operator
// must converge anyway, and never place a class twice.
import { expect } from 'chai';
import { TestEnv, seeded } from './env.js';

const IMAGE_2 = 'ghcr.io/shoal-dev/shoal:0.2.0';
const IMAGE_3 = 'ghcr.io/shoal-dev/shoal:0.3.0';

describe('operator API tests: faults', function () {
  this.timeout(30_000);
  let env: TestEnv;
  beforeEach(async () => (env = await TestEnv.start()));
  afterEach(async () => env.close());

  const image = () => env.get('statefulsets', 'quickstart')?.spec.template.spec.containers[0].image;
  const settled = () => env.until('quickstart reconciled', () => env.get('vectorclasses', 'article')?.status?.phase === 'Placed' && env.get('statefulsets', 'quickstart'));

  it('survives 409 conflicts on apply and on the placement write, placing exactly once', async () => {
    const op = await env.operator();
    env.srv.failNext(2, { verb: 'patch', resource: 'statefulsets' }, 409);
    env.srv.failNext(2, { verb: 'patch', resource: 'vectorclasses/status' }, 409);
    env.applyQuickstart();
    await settled();
    const placed = env.events('article').filter((e) => e.reason === 'Placed');
    expect(placed).to.have.length(1);
    const sharding = JSON.stringify(env.get('vectorclasses', 'article').status.sharding);
    env.applyQuickstart({ cluster: (c) => (c.spec.image = IMAGE_2) });
    await env.until('image applied', () => image() === IMAGE_2);
    expect(JSON.stringify(env.get('vectorclasses', 'article').status.sharding)).to.equal(sharding);
    const metrics = await (await fetch(`${op.httpUrl}/metrics`)).text();
    expect(metrics).to.match(/shoal_operator_reconciles_total\{controller="vectorcluster",result="conflict"\} [1-9]/);
    expect(metrics).to.match(/shoal_operator_reconciles_total\{controller="vectorclass",result="conflict"\} [1-9]/);
  });

  it('survives watches that are closed, reset, expired (410 after compaction) or refused (500)', async () => {
    const op = await env.operator();
    env.applyQuickstart();
    await settled();

    expect(env.srv.dropWatches({ abrupt: true }), 'the operator had watches open').to.be.greaterThan(0);
    env.applyQuickstart({ cluster: (c) => (c.spec.image = IMAGE_2) });
    await env.until('edit after reset watches', () => image() === IMAGE_2);

    env.srv.compact();
    env.srv.expireWatches();
    env.applyQuickstart({ cluster: (c) => (c.spec.image = IMAGE_3) });
    await env.until('edit after 410 and relist', () => image() === IMAGE_3);

    env.srv.failNext(3, { verb: 'watch' }, 500);
    env.srv.dropWatches();
    env.applyQuickstart({ cluster: (c) => (c.spec.image = IMAGE_2) });
    await env.until('edit after refused watches', () => image() === IMAGE_2);
    const metrics = await (await fetch(`${op.httpUrl}/metrics`)).text();
    expect(metrics).to.match(/shoal_operator_informer_restarts_total\{resource="[a-z]+"\} [1-9]/);
  });

  it('starts although its first lists fail, retrying with backoff until the caches sync', async () => {
    env.srv.failNext(2, { verb: 'list', resource: 'vectorclusters' }, 500);
    env.srv.failNext(1, { verb: 'list', resource: 'pods' }, 503);
    env.applyQuickstart();
    const op = await env.operator();
    await settled();
    expect(op.isActive()).to.equal(true);
    expect((await fetch(`${op.httpUrl}/healthz`)).status).to.equal(200);
  });

  it('keeps the placement unchanged across an operator restart', async () => {
    const first = await env.operator({ random: seeded(1) });
    env.applyQuickstart();
    await settled();
    const before = env.get('vectorclasses', 'article');
    await first.stop();

    let classReconciles = 0;
    const second = await env.operator({ random: seeded(999), hooks: { onReconcileEnd: (c) => c === 'vectorclass' && classReconciles++ } });
    await env.until('second operator reconciled the class', () => second.isActive() && classReconciles >= 1);
    // Something that makes the class reconcile again, too: a new pod of its cluster.
    await env.createPods('quickstart', 1);
    await env.until('class saw the pod', () => env.get('vectorclasses', 'article').status.shards.some((s: any) => s.replicas.some((r: any) => r.pod === 'quickstart-0' && r.ready)));
    const after = env.get('vectorclasses', 'article');
    expect(after.status.sharding).to.deep.equal(before.status.sharding);
    expect(after.status.placedWith).to.deep.equal(before.status.placedWith);
    expect(env.events('article').filter((e) => e.reason === 'Placed')).to.have.length(1);
  });
});
