// API tests of invalid resources: the API server rejects them with a clear message (CRD
// schema and CEL rules, as kubectl would see), and reconcile rejects them again (a condition
// and a Warning event) when they get past it: a class naming a missing cluster, a replication
// factor above the pod count, a duplicate class name, and objects stored under a CRD without
// the rules.
import { expect } from 'chai';
import { ApiException } from '@kubernetes/client-node';
import { KObject } from '../../local/src/apiserver/index.js';
import { GROUP, VERSION, vectorClusterCrd, vectorClassCrd, Crd } from '../../api/index.js';
import { TestEnv, NS, MERGE } from './env.js';
import { quickstartDocs, Doc } from './fixtures.js';

/** The Status message of a rejected request (fails the test if it was accepted). */
async function rejection(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (e) {
    const body = (e as ApiException<string>).body;
    const status = typeof body === 'string' ? JSON.parse(body) : body;
    return { code: (e as ApiException<unknown>).code, message: status.message as string };
  }
  throw new Error('the API server accepted an invalid object');
}

/** The CRD with its schema replaced by "anything goes", as an old or hand-edited CRD might be. */
function permissive(crd: Crd): KObject {
  const c = structuredClone(crd) as any;
  c.spec.versions[0].schema.openAPIV3Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return c;
}

describe('operator API tests: invalid resources', function () {
  this.timeout(30_000);
  let env: TestEnv;
  beforeEach(async () => (env = await TestEnv.start()));
  afterEach(async () => env.close());

  const create = (plural: string, body: Doc) => env.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural, body });
  const replace = (plural: string, body: any) => env.custom.replaceNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural, name: body.metadata.name, body });

  describe('rejected by the API server', () => {
    it('refuses missing fields and wrong types, naming the field', async () => {
      const { cluster, cls } = quickstartDocs();
      delete cluster.spec.image;
      const noImage = await rejection(create('vectorclusters', cluster));
      expect(noImage.code).to.equal(422);
      expect(noImage.message).to.contain('spec.image').and.to.match(/Required/i);
      const wrongType = quickstartDocs().cluster;
      wrongType.spec.replicas = 'three';
      const typeErr = await rejection(create('vectorclusters', wrongType));
      expect(typeErr.code).to.equal(422);
      expect(typeErr.message).to.contain('spec.replicas').and.to.match(/integer/);
      delete cls.spec.clusterRef;
      expect((await rejection(create('vectorclasses', cls))).message).to.contain('spec.clusterRef');
      const badDistance = quickstartDocs().cls;
      badDistance.spec.class.vectorIndexConfig.distance = 'hamming';
      expect((await rejection(create('vectorclasses', badDistance))).message).to.contain('spec.class.vectorIndexConfig.distance').and.to.contain('cosine');
    });

    it('refuses a cluster name that cannot name a StatefulSet', async () => {
      const { cluster } = quickstartDocs();
      cluster.metadata.name = 'a'.repeat(53);
      expect((await rejection(create('vectorclusters', cluster))).message).to.contain('metadata.name must be at most 52 characters');
    });

    it('refuses changes of immutable fields with the CEL rule\'s message', async () => {
      await env.operator();
      env.applyQuickstart();
      await env.until('placed', () => env.get('vectorclasses', 'article')?.status?.sharding);
      // As `kubectl patch --type=merge` would send them.
      const edits: Array<[string, string, object, string]> = [
        ['vectorclasses', 'article', { spec: { class: { vectorIndexConfig: { distance: 'dot' } } } }, 'spec.class.vectorIndexConfig.distance is immutable'],
        ['vectorclasses', 'article', { spec: { clusterRef: { name: 'elsewhere' } } }, 'spec.clusterRef.name is immutable'],
        ['vectorclasses', 'article', { spec: { class: { class: 'Story' } } }, 'spec.class.class is immutable'],
        ['vectorclusters', 'quickstart', { spec: { storage: { size: '20Gi' } } }, 'spec.storage.size is immutable'],
      ];
      for (const [plural, name, body, message] of edits) {
        const r = await rejection(env.custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural, name, body }, MERGE));
        expect(r.code, message).to.equal(422);
        expect(r.message).to.contain(message);
      }
    });
  });

  describe('rejected again inside reconcile', () => {
    beforeEach(async () => env.operator());

    const placedCondition = (name: string) => env.get('vectorclasses', name)?.status?.conditions?.find((c: any) => c.type === 'Placed');

    it('reports a class whose cluster does not exist, and places it once the cluster appears', async () => {
      const { cluster, cls } = quickstartDocs();
      env.srv.apply(cls as unknown as KObject, 'kubectl');
      const c = await env.until('ClusterNotFound', () => placedCondition('article')?.reason === 'ClusterNotFound' && placedCondition('article'));
      expect(c.message).to.equal('VectorCluster "quickstart" does not exist in namespace default: create it, or fix spec.clusterRef.name (which is immutable: recreate the VectorClass)');
      expect(env.get('vectorclasses', 'article').status.phase).to.equal('Pending');
      await env.until('Warning event', () => env.events('article').some((e) => e.type === 'Warning' && e.reason === 'ClusterNotFound'));
      env.srv.apply(cluster as unknown as KObject, 'kubectl');
      await env.until('placed after the cluster appeared', () => placedCondition('article')?.status === 'True');
    });

    it('refuses a replication factor above the number of pods', async () => {
      env.applyQuickstart({ cls: (c) => (c.spec.class.replicationConfig.factor = 4) });
      const c = await env.until('ReplicationFactorTooHigh', () => placedCondition('article')?.reason === 'ReplicationFactorTooHigh' && placedCondition('article'));
      expect(c.message).to.match(/^spec\.class\.replicationConfig\.factor is 4 but VectorCluster "quickstart" has 3 pods/);
      expect(env.get('vectorclasses', 'article').status).to.include({ phase: 'Invalid' });
      expect(env.get('vectorclasses', 'article').status.sharding).to.equal(undefined);
      await env.until('Warning event', () => env.events('article').some((e) => e.reason === 'ReplicationFactorTooHigh'));
    });

    it('gives a class name to the first VectorClass and refuses a second one', async () => {
      env.applyQuickstart();
      await env.until('first placed', () => env.get('vectorclasses', 'article')?.status?.sharding);
      const { cls } = quickstartDocs();
      cls.metadata.name = 'article-again';
      env.srv.apply(cls as unknown as KObject, 'kubectl');
      const c = await env.until('ClassNameConflict', () => placedCondition('article-again')?.reason === 'ClassNameConflict' && placedCondition('article-again'));
      expect(c.message).to.contain('VectorClass "article" already defines class Article on VectorCluster "quickstart"');
    });

    it('refuses invalid specs and changed immutable fields that a CRD without rules let through', async () => {
      env.applyQuickstart();
      await env.until('placed', () => env.get('vectorclasses', 'article')?.status?.sharding);
      const sharding = env.get('vectorclasses', 'article').status.sharding;
      env.srv.apply(permissive(vectorClusterCrd()), 'test', { force: true });
      env.srv.apply(permissive(vectorClassCrd()), 'test', { force: true });

      const broken = quickstartDocs().cluster;
      broken.metadata.name = 'broken';
      broken.spec.replicas = 'three';
      env.srv.apply(broken as unknown as KObject, 'kubectl');
      const bc = await env.untilObject('vectorclusters', 'broken', 'cluster Invalid', (o) => o.status?.phase === 'Invalid');
      expect(bc.status.conditions.find((c: any) => c.type === 'Degraded')).to.include({ status: 'True', reason: 'InvalidSpec', message: 'invalid spec: spec.replicas: must be an integer, got "three"' });
      expect(env.get('statefulsets', 'broken'), 'nothing built from an invalid spec').to.equal(undefined);
      await env.until('Warning event', () => env.events('broken').some((e) => e.reason === 'InvalidSpec'));

      const cls = env.get('vectorclasses', 'article');
      cls.spec.class.vectorIndexConfig.distance = 'dot';
      await replace('vectorclasses', cls);
      const c = await env.until('ImmutableFieldChanged', () => placedCondition('article')?.reason === 'ImmutableFieldChanged' && placedCondition('article'));
      expect(c.message).to.contain('spec.class.vectorIndexConfig.distance changed from "cosine" to "dot" after placement');
      expect(env.get('vectorclasses', 'article').status.phase).to.equal('Invalid');
      expect(env.get('vectorclasses', 'article').status.sharding, 'placement untouched').to.deep.equal(sharding);
    });
  });
});
