// API tests of the kube control source with the real operator (operator/src, in-process) against
// the embedded API server: three pods' control sources and report writers on one side, the
// operator's placement, status folding and finalizer on the other. What only the two together
// show: createClass answered by real placement, and deleteClass answered by the real finalizer
// hand-off (pods drop shards -> reports lose them -> operator releases -> resource gone).
import { expect } from 'chai';
import { parseClass } from '../../api/index.js';
import { ShoalError } from '../../node/src/coordinator/errors.js';
import { startOperator, createLogger, type Operator } from '../../operator/src/index.js';
import { KubeTestEnv, TestPod, article, podName, seeded, until } from './kube-env.js';

describe('kube control source with the real operator (API tests)', function () {
  this.timeout(60_000);
  let env: KubeTestEnv;
  let operator: Operator;
  let pods: TestPod[];

  beforeEach(async () => {
    env = await KubeTestEnv.start(3);
    operator = await startOperator({
      kubeConfig: env.kc, identity: 'operator-test', leaderElection: false, workers: 2, resyncMs: 60_000,
      informerBackoff: { baseMs: 50, maxMs: 400 }, queueBackoff: { baseMs: 10, maxMs: 500 }, random: seeded(42),
      log: createLogger('operator', (process.env.SHOAL_TEST_LOG_LEVEL as 'debug') ?? 'error', {}, process.env.SHOAL_TEST_LOG_LEVEL ? undefined : () => {}),
    });
    env.onClose(() => operator.stop());
    pods = [];
    for (let i = 0; i < 3; i++) pods.push(await env.pod({ nodeName: podName(i) }, { report: true }));
  });
  afterEach(async () => {
    await env.close();
  });

  it('createClass resolves once placed; every pod opens its replicas and reports them', async () => {
    const state = await pods[0].control.createClass(parseClass(article()));
    expect(state.sharding.physical).to.have.length(3);
    expect(state.sharding.replicationFactor).to.equal(2);
    expect(pods[0].control.snapshot().classes.get('Article')).to.equal(state);
    const obj = env.getClass('article');
    expect(obj.status.conditions.find((c: { type: string }) => c.type === 'Placed').status).to.equal('True');
    for (const pod of pods) {
      const expected = state.sharding.physical.filter((p) => p.replicas.includes(pod.name)).map((p) => p.name).sort();
      await until(`${pod.name} holds and reports ${expected.join(',')}`, () => {
        const r = env.reportOf(pod.name);
        return r && JSON.stringify(Object.keys(r.shards).sort()) === JSON.stringify(expected);
      });
      expect([...pod.shards.values()].map((s) => s.shardName).sort()).to.deep.equal(expected);
      expect(env.reportOf(pod.name)!.members).to.deep.equal([pod.name]);
    }
    // The report follows changes (object counts), and the operator folds it into status.
    const writes = pods[1].report!.writes;
    for (const s of pods[1].shards.values()) s.objects = 7;
    await until('updated report on vc-1', () => pods[1].report!.writes > writes && Object.values(env.reportOf(podName(1))!.shards).every((s) => s.objects === 7));
    expect(pods[1].report!.writes).to.equal(writes + 1); // one write for the change, then quiet
    await until('operator status shows counts from the report', () => env.getClass('article').status.shards?.some((s: { objects?: number }) => s.objects === 7));
  });

  it('deleteClass resolves after the finalizer hand-off: pods drop shards, reports empty, operator releases', async () => {
    await pods[0].control.createClass(parseClass(article()));
    await until('all pods report their shards', () => pods.every((p) => p.shards.size > 0 && Object.keys(env.reportOf(p.name)?.shards ?? {}).length === p.shards.size));
    const deleted = await pods[2].control.deleteClass('Article');
    expect(deleted).to.equal(true);
    expect(env.getClass('article')).to.equal(undefined);
    for (const p of pods) {
      expect(p.control.snapshot().classes.has('Article')).to.equal(false);
      expect(p.shards.size).to.equal(0);
      expect(env.reportOf(p.name)!.shards).to.deep.equal({});
    }
    // The name is free again.
    const again = await pods[1].control.createClass(parseClass(article()));
    expect(again.sharding.physical).to.have.length(3);
  });

  it('createClass rejects with the operator\'s reason when the class cannot be placed', async () => {
    let err: unknown;
    await pods[0].control.createClass(parseClass(article('Huge', { replicationConfig: { factor: 4 } }))).catch((e) => (err = e));
    expect(err).to.be.instanceOf(ShoalError);
    expect((err as ShoalError).kind).to.equal('invalid');
    expect((err as ShoalError).message).to.match(/factor is 4 but VectorCluster "vc" has 3 pods.*ReplicationFactorTooHigh/);
    await until('the rejected class is removed', () => !env.getClass('huge'));
    expect(pods[0].control.snapshot().pending?.has('Huge') ?? false).to.equal(false);
  });
});
