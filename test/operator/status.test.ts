// Pure decisions: the scale-down safety predicate, status of both resources from observed pods
// and reports, the immutable-field and class-name checks, and status patches.
import { expect } from 'chai';
import { createShardingState, ShardingState, serializePodReport, podReportOf, POD_REPORT_ANNOTATION, parseVectorClassSpec } from '../../api/index.js';
import { decideReplicas, NO_REPLICAS_ON_REMOVED_PODS } from '../../operator/src/cluster/scaledown.js';
import { clusterStatus, ClusterObservation } from '../../operator/src/cluster/status.js';
import { classStatus } from '../../operator/src/class/status.js';
import { checkImmutable, checkUniqueName, placedWithOf } from '../../operator/src/class/validate.js';
import { statusPatch } from '../../operator/src/status/patch.js';
import { PodFacts } from '../../operator/src/status/pods.js';
import { quickstartDocs } from './fixtures.js';

function seq(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

function state(pods: number, shards = 3, rf = 2, virtualPerPhysical = 4): ShardingState {
  const podInfos = Array.from({ length: pods }, (_, i) => ({ name: `quickstart-${i}` }));
  return createShardingState({ desiredCount: shards, virtualPerPhysical, replicationFactor: rf }, podInfos, seq([0.1, 0.7, 0.3, 0.9, 0.5]));
}

describe('operator: scale-down safety predicate', () => {
  it('lets scale-up and first creation through', () => {
    expect(decideReplicas('quickstart', 5, 3, [{ name: 'article', state: state(3) }])).to.deep.equal({ replicas: 5 });
    expect(decideReplicas('quickstart', 3, undefined, [])).to.deep.equal({ replicas: 3 });
  });

  it('refuses to remove pods that hold replicas, naming the predicate, the pods and the shards', () => {
    const d = decideReplicas('quickstart', 2, 3, [{ name: 'article', state: state(3) }]);
    expect(d.replicas).to.equal(3);
    expect(d.blocked?.predicate).to.equal(NO_REPLICAS_ON_REMOVED_PODS);
    expect(d.blocked?.holders).to.deep.equal(['quickstart-2']);
    expect(d.blocked?.message).to.match(/^scale-down from 3 to 2 pods refused by safety predicate NoReplicasOnRemovedPods: quickstart-2 holds replicas of article\//);
    expect(d.blocked?.message).to.contain('Set spec.replicas back to 3');
  });

  it('shrinks down to the highest pod holding a replica, removing empty pods above it', () => {
    const s = state(3, 1, 2); // one shard on 2 of 3 pods
    const holders = s.physical[0].replicas.map((p) => Number(p.split('-')[1]));
    const d = decideReplicas('quickstart', 1, 5, [{ name: 'article', state: s }]);
    expect(d.replicas).to.equal(Math.max(...holders) + 1);
    expect(decideReplicas('quickstart', 3, 5, [{ name: 'article', state: s }])).to.deep.equal({ replicas: 3 }, 'pods 3 and 4 hold nothing');
  });
});

const pod = (name: string, ready: boolean, report?: PodFacts['report']): PodFacts => ({ name, ready, report });

describe('operator: VectorCluster status', () => {
  const base = (over: Partial<ClusterObservation>): ClusterObservation => ({
    generation: 1, desired: 3, statefulSetReplicas: 3, pods: [], selector: 's', nowIso: '2030-01-01T00:00:00.000Z', ...over,
  });

  it('goes Pending -> Ready -> Degraded, with Available while at most one pod is down', () => {
    const pending = clusterStatus(base({ pods: [pod('q-0', true), pod('q-1', false)] }));
    expect(pending).to.include({ phase: 'Pending', replicas: 2, readyReplicas: 1, observedGeneration: 1 });
    const cond = (s: typeof pending, t: string) => s.conditions!.find((c) => c.type === t)!;
    expect(cond(pending, 'Progressing')).to.include({ status: 'True', reason: 'Reconciling' });
    expect(cond(pending, 'Available')).to.include({ status: 'False' });
    const ready = clusterStatus(base({ previous: pending, pods: [pod('q-0', true), pod('q-1', true), pod('q-2', true)], nowIso: '2030-01-01T00:01:00.000Z' }));
    expect(ready.phase).to.equal('Ready');
    expect(cond(ready, 'Available')).to.include({ status: 'True', lastTransitionTime: '2030-01-01T00:01:00.000Z' });
    const degraded = clusterStatus(base({ previous: ready, pods: [pod('q-0', true), pod('q-1', false), pod('q-2', true)], nowIso: '2030-01-01T00:02:00.000Z' }));
    expect(degraded.phase).to.equal('Degraded');
    expect(cond(degraded, 'Degraded')).to.include({ status: 'True', reason: 'PodsNotReady' });
    expect(cond(degraded, 'Available')).to.include({ status: 'True', lastTransitionTime: '2030-01-01T00:01:00.000Z' }, 'unchanged status keeps its transition time');
  });

  it('puts a refused scale-down and an invalid spec into phase and conditions', () => {
    const blocked = clusterStatus(base({ blocked: { message: `refused by safety predicate ${NO_REPLICAS_ON_REMOVED_PODS}` }, desired: 2 }));
    expect(blocked.phase).to.equal('ScaleDownBlocked');
    expect(blocked.conditions!.find((c) => c.type === 'Progressing')).to.include({ status: 'False', reason: 'ScaleDownBlocked', message: `refused by safety predicate ${NO_REPLICAS_ON_REMOVED_PODS}` });
    const invalid = clusterStatus(base({ invalid: 'invalid spec: spec.image: is required', desired: undefined }));
    expect(invalid.phase).to.equal('Invalid');
    expect(invalid.conditions!.find((c) => c.type === 'Degraded')).to.include({ status: 'True', reason: 'InvalidSpec' });
  });

  it('reports the gossip members the ready pods see', () => {
    const s = clusterStatus(base({ pods: [pod('q-0', true, { shards: {}, members: ['q-0', 'q-1'] }), pod('q-1', true, { shards: {}, members: ['q-1', 'q-2'] }), pod('q-2', false, { shards: {}, members: ['x'] })] }));
    expect(s.members).to.deep.equal(['q-0', 'q-1', 'q-2']);
    expect(clusterStatus(base({})).members, 'absent until a pod reports').to.equal(undefined);
  });
});

describe('operator: VectorClass status', () => {
  const s = state(3);
  const [a, b, c] = s.physical;

  it('counts a replica ready when its pod is ready and, once the pod reports, reports it ready', () => {
    const pods = [
      pod('quickstart-0', true), // no report yet: pod readiness alone
      pod('quickstart-1', true, { shards: { [a.name]: { class: 'Article', ready: true, objects: 10 }, [b.name]: { class: 'Article', ready: false, objects: 7 }, [c.name]: { class: 'Article', ready: true, objects: 12 } } }),
      pod('quickstart-2', false, { shards: { [a.name]: { class: 'Article', ready: true, objects: 11 } } }),
    ];
    const st = classStatus({ generation: 1, state: s, pods, nowIso: '2030-01-01T00:00:00.000Z' });
    for (const shard of st.shards!)
      for (const r of shard.replicas) {
        const p = pods.find((x) => x.name === r.pod)!;
        const expected = p.ready && (p.report === undefined || p.report.shards[shard.name]?.ready === true);
        expect(r.ready, `${shard.name} on ${r.pod}`).to.equal(expected);
      }
    expect(st.shardCount).to.equal(3);
    expect(st.phase).to.equal('Placed');
    const counts = st.shards!.map((x) => x.objects);
    expect(st.objects).to.equal(counts.reduce((x, y) => x! + (y ?? 0), 0));
    expect(st.conditions!.find((x) => x.type === 'Ready')).to.include({ status: 'False', reason: 'ReplicasNotReady' });
  });

  it('is Ready when every replica is, and Pending before placement', () => {
    const pods = ['quickstart-0', 'quickstart-1', 'quickstart-2'].map((n) => pod(n, true));
    const st = classStatus({ generation: 1, state: s, pods, nowIso: 'x' });
    expect(st).to.include({ phase: 'Ready', readyShards: 3 });
    expect(st.conditions!.map((x) => `${x.type}=${x.status}`)).to.deep.equal(['Placed=True', 'Ready=True']);
    const pending = classStatus({ generation: 1, pods, nowIso: 'x', problem: { reason: 'ClusterNotFound', message: 'm', invalid: false } });
    expect(pending.phase).to.equal('Pending');
    expect(pending.conditions![0]).to.include({ type: 'Placed', status: 'False', reason: 'ClusterNotFound' });
  });
});

describe('operator: VectorClass checks', () => {
  const spec = () => parseVectorClassSpec(structuredClone(quickstartDocs().cls.spec));

  it('names every immutable field changed since placement', () => {
    const s = state(3, 3, 2, 128);
    const placed = placedWithOf(spec());
    expect(checkImmutable(spec(), placed, s)).to.equal(undefined);
    const changed = spec();
    changed.class.vectorIndexConfig.distance = 'dot';
    changed.class.replicationConfig.factor = 3;
    const p = checkImmutable(changed, placed, s)!;
    expect(p.reason).to.equal('ImmutableFieldChanged');
    expect(p.message).to.contain('spec.class.vectorIndexConfig.distance changed from "cosine" to "dot"');
    expect(p.message).to.contain('spec.class.replicationConfig.factor changed from 2 to 3');
  });

  it('gives a class name on a cluster to the older VectorClass (or the placed one)', () => {
    const mk = (name: string, created: string, placed = false) => ({
      apiVersion: 'shoal.dev/v1alpha1', kind: 'VectorClass',
      metadata: { name, uid: name, creationTimestamp: created },
      spec: quickstartDocs().cls.spec, status: placed ? { sharding: { format: 1, epoch: 1 } } : undefined,
    }) as any;
    const older = mk('older', '2030-01-01T00:00:00Z');
    const newer = mk('newer', '2030-01-02T00:00:00Z');
    expect(checkUniqueName(older, spec(), [older, newer])).to.equal(undefined);
    expect(checkUniqueName(newer, spec(), [older, newer])?.reason).to.equal('ClassNameConflict');
    const placedNewer = mk('newer', '2030-01-02T00:00:00Z', true);
    expect(checkUniqueName(older, spec(), [older, placedNewer])?.reason).to.equal('ClassNameConflict');
  });
});

describe('operator: status patches and pod reports', () => {
  it('sends only changes, and null for managed fields that disappear', () => {
    expect(statusPatch({ phase: 'Ready', members: ['a'] }, { phase: 'Ready' }, ['phase', 'members'])).to.deep.equal({ members: null });
    expect(statusPatch({ phase: 'Ready', sharding: { epoch: 1 } }, { phase: 'Ready' }, ['phase'])).to.equal(undefined, 'unmanaged fields are left alone');
  });

  it('reads a pod report from the annotation and ignores garbage', () => {
    const report = { members: ['q-0'], shards: { AbC: { class: 'Article', ready: true, objects: 3 } } };
    expect(podReportOf({ [POD_REPORT_ANNOTATION]: serializePodReport(report) })).to.deep.equal(report);
    expect(podReportOf({ [POD_REPORT_ANNOTATION]: '{not json' })).to.equal(undefined);
    expect(podReportOf({ [POD_REPORT_ANNOTATION]: '{"shards":{"x":{"ready":"yes"}}}' })).to.equal(undefined);
    expect(podReportOf({})).to.equal(undefined);
  });
});
