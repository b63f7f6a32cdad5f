// The CRDs are generated from api/src/resources: the committed YAML must equal the generator's
// output, every field must be documented, the schemas must be structural, and the CEL rules
// must accept unchanged objects and reject changes to immutable fields.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { evaluate } from '@marcbachmann/cel-js';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { allCrds, vectorClusterCrd, vectorClassCrd, Crd } from '../../api/index.js';
import { renderCrds } from '../../operator/src/crdgen/render.js';
import { ROOT, quickstartDocs } from './fixtures.js';

type Schema = Record<string, any>;
const schemaOf = (crd: Crd): Schema => (crd.spec as any).versions[0].schema.openAPIV3Schema;

/** Every node below `path`, with its path. */
function walk(s: Schema, path: string, out: Array<[string, Schema]> = []): Array<[string, Schema]> {
  out.push([path, s]);
  for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) walk(v, `${path}.${k}`, out);
  if (s.items) walk(s.items, `${path}[]`, out);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${path}{}`, out);
  return out;
}

/** Built-in short names of a stock cluster (kubectl api-resources), plus common add-ons. */
const TAKEN_SHORT_NAMES = ['cs', 'cm', 'ep', 'ev', 'limits', 'ns', 'no', 'pvc', 'pv', 'po', 'pods', 'rc', 'quota', 'sa', 'svc', 'crd', 'crds',
  'ds', 'deploy', 'rs', 'sts', 'hpa', 'cj', 'csr', 'ing', 'netpol', 'pdb', 'pc', 'sc', 'psp', 'ingclass', 'vs', 'vsc', 'vsclass', 'vc', 'vcl', 'vm', 'vmi'];

describe('operator: CRDs', () => {
  it('crds/*.yaml equals the output of the generator (run operator/src/crdgen/cli.js to update)', () => {
    for (const [file, text] of renderCrds()) expect(readFileSync(join(ROOT, 'crds', file), 'utf8'), `crds/${file}`).to.equal(text);
  });

  // spec.class is the class schema of POST /v1/schema (api/src/class), documented by its owner.
  it('documents every field of VectorCluster and VectorClass with a full sentence', () => {
    for (const { crd } of allCrds()) {
      const missing = walk(schemaOf(crd), '')
        .filter(([p, s]) => p !== '.metadata' && p !== '' && !p.startsWith('.spec.class.') && !/^[A-Z"].*[.)]$/s.test(s.description ?? ''))
        .map(([p]) => p);
      expect(missing, `${crd.metadata.name}: fields without a sentence`).to.deep.equal([]);
    }
  });

  it('has structural schemas: a type on every node unless int-or-string or preserving unknown fields', () => {
    for (const { crd } of allCrds()) {
      const untyped = walk(schemaOf(crd), '').filter(([, s]) => !s.type && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields']).map(([p]) => p);
      expect(untyped, crd.metadata.name).to.deep.equal([]);
      new CustomResourceDefinition(crd as never).validate();
    }
  });

  it('has printer columns, non-clashing short names, a category, and the status and scale subresources', () => {
    const cluster = vectorClusterCrd().spec as any;
    const cls = vectorClassCrd().spec as any;
    expect(cluster.versions[0].subresources).to.deep.equal({
      status: {},
      scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
    });
    expect(cls.versions[0].subresources).to.deep.equal({ status: {} });
    expect(cluster.versions[0].additionalPrinterColumns.map((c: any) => c.name)).to.deep.equal(['Replicas', 'Ready', 'Phase', 'Image', 'Age']);
    expect(cls.versions[0].additionalPrinterColumns.map((c: any) => c.name)).to.deep.equal(['Cluster', 'Class', 'Shards', 'Replication', 'Ready Shards', 'Phase', 'Objects', 'Age']);
    const short = [...cluster.names.shortNames, ...cls.names.shortNames];
    expect(short.filter((n: string) => TAKEN_SHORT_NAMES.includes(n))).to.deep.equal([]);
    expect(new Set(short).size).to.equal(short.length);
    expect(cluster.names.categories).to.deep.equal(['shoal']);
  });

  describe('CEL rules', () => {
    const specRules = (crd: Crd) => schemaOf(crd).properties.spec['x-kubernetes-validations'] as Array<{ rule: string; message: string }>;
    /** Messages of the rules an update from `oldSpec` to `newSpec` violates. */
    const violations = (crd: Crd, oldSpec: unknown, newSpec: unknown) =>
      specRules(crd).filter((r) => evaluate(r.rule, { self: newSpec, oldSelf: oldSpec }) !== true).map((r) => r.message);
    const cls = () => structuredClone(quickstartDocs().cls.spec);
    const cluster = () => structuredClone(quickstartDocs().cluster.spec);

    it('accept an update that changes nothing immutable', () => {
      const next = cls();
      next.class.properties.push({ name: 'summary', dataType: ['text'] });
      expect(violations(vectorClassCrd(), cls(), next)).to.deep.equal([]);
      const bigger = cluster();
      bigger.replicas = 5;
      expect(violations(vectorClusterCrd(), cluster(), bigger)).to.deep.equal([]);
    });

    it('reject changes of clusterRef, class name, distance, dimensions and sharding, naming the field', () => {
      const edits: Array<[string, (s: any) => void]> = [
        ['spec.clusterRef.name', (s) => (s.clusterRef.name = 'other')],
        ['spec.class.class', (s) => (s.class.class = 'Other')],
        ['spec.class.vectorIndexConfig.distance', (s) => (s.class.vectorIndexConfig.distance = 'dot')],
        ['spec.class.shardingConfig.desiredCount', (s) => (s.class.shardingConfig.desiredCount = 4)],
        ['spec.class.replicationConfig.factor', (s) => (s.class.replicationConfig.factor = 3)],
      ];
      for (const [field, edit] of edits) {
        const next = cls();
        edit(next);
        const v = violations(vectorClassCrd(), cls(), next);
        expect(v, field).to.have.length(1);
        expect(v[0]).to.match(new RegExp(`^${field.replace(/\./g, '\\.')} is immutable: `));
      }
    });

    it('treat an absent field with a default as its default value', () => {
      const old = cls();
      delete old.class.vectorIndexConfig;
      expect(violations(vectorClassCrd(), old, cls()), 'cosine written out').to.deep.equal([]);
      const dot = cls();
      dot.class.vectorIndexConfig.distance = 'dot';
      expect(violations(vectorClassCrd(), old, dot)).to.have.length(1);
    });

    it('let dimensions be set once, never changed or removed', () => {
      const unset = cls();
      const set = cls();
      set.class.vectorIndexConfig.dimensions = 384;
      const changed = cls();
      changed.class.vectorIndexConfig.dimensions = 768;
      expect(violations(vectorClassCrd(), unset, set)).to.deep.equal([]);
      expect(violations(vectorClassCrd(), set, changed)).to.have.length(1);
      expect(violations(vectorClassCrd(), set, unset)).to.have.length(1);
    });

    it('keep the volume size and StorageClass of a cluster', () => {
      const next = cluster();
      next.storage.size = '2Gi';
      expect(violations(vectorClusterCrd(), cluster(), next)).to.deep.equal([
        'spec.storage.size is immutable: a StatefulSet cannot change its volume claim templates; create a new cluster and move the data',
      ]);
    });

    it('limit cluster names to what a StatefulSet and a Service accept', () => {
      const rule = schemaOf(vectorClusterCrd())['x-kubernetes-validations'][0].rule;
      expect(evaluate(rule, { self: { metadata: { name: 'quickstart' } } })).to.equal(true);
      expect(evaluate(rule, { self: { metadata: { name: '9lives' } } })).to.equal(false);
      expect(evaluate(rule, { self: { metadata: { name: 'a'.repeat(53) } } })).to.equal(false);
    });
  });
});
