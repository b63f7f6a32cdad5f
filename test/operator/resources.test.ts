// The resource declarations as validators: defaults filled, every problem named by its path.
import { expect } from 'chai';
import { parseVectorClusterSpec, parseVectorClassSpec, ValidationError } from '../../api/index.js';
import { quickstartDocs } from './fixtures.js';

describe('operator: resource declarations', () => {
  it('fill the defaults of a VectorCluster spec', () => {
    const spec = parseVectorClusterSpec({ image: 'x' });
    expect(spec).to.deep.equal({
      replicas: 3, image: 'x', storage: { size: '10Gi', whenDeleted: 'Retain', whenScaled: 'Retain' }, ports: { http: 8080, gossip: 7000, data: 7001 },
      api: { allowSchemaChanges: false }, gossip: {}, scheduling: { zoneSpread: 'None' }, monitoring: { enabled: false, interval: '30s' }, logLevel: 'info',
    });
  });

  it('name every problem of a VectorCluster spec by its path', () => {
    try {
      parseVectorClusterSpec({ replicas: 0, storage: { size: 'lots' }, scheduling: { zoneSpread: 'Everywhere' }, extra: 1 });
      expect.fail('should not parse');
    } catch (e) {
      expect(e).to.be.instanceOf(ValidationError);
      expect((e as ValidationError).issues.map((i) => i.path)).to.have.members(['spec.replicas', 'spec.image', 'spec.storage.size', 'spec.scheduling.zoneSpread', 'spec.extra']);
    }
    expect(() => parseVectorClusterSpec({ image: 'x', ports: { http: 7000 } })).to.throw('ports.http, ports.gossip and ports.data must be distinct');
  });

  it('parse the quickstart VectorClass with the class schema of POST /v1/schema', () => {
    const spec = parseVectorClassSpec(quickstartDocs().cls.spec);
    expect(spec.clusterRef).to.deep.equal({ name: 'quickstart' });
    expect(spec.class).to.deep.include({ class: 'Article', vectorizer: 'none' });
    expect(spec.class.shardingConfig).to.deep.include({ desiredCount: 3, virtualPerPhysical: 128 });
    expect(spec.class.replicationConfig.factor).to.equal(2);
    expect(() => parseVectorClassSpec({ class: { class: 'Article' } })).to.throw('spec.clusterRef: is required');
    expect(() => parseVectorClassSpec({ clusterRef: { name: 'Quick_Start' }, class: { class: 'A' } })).to.throw('spec.clusterRef.name');
  });
});
