// The GraphQL fast path lifts inline vectors into variables without changing what a query means.
import { expect } from 'chai';
import { parse, print } from 'graphql';
import { liftVectors } from '../../node/src/api/graphql/vector-template.js';

describe('GraphQL vector templates', () => {
  it('lifts every vector literal of a shorthand query into a declared variable', () => {
    const q = '{Get{A(nearVector:{vector:[0.1,-2,3e-4],distance:0.5},limit:5){t} B(nearVector:{vector:[1 2,,3]}){t}}}';
    const lifted = liftVectors(q)!;
    expect(lifted.variables).to.deep.equal({ __shoal_v0: [0.1, -2, 3e-4], __shoal_v1: [1, 2, 3] });
    expect(print(parse(lifted.template))).to.equal(print(parse(
      'query($__shoal_v0:[Float!]!,$__shoal_v1:[Float!]!){Get{A(nearVector:{vector:$__shoal_v0,distance:0.5},limit:5){t} B(nearVector:{vector:$__shoal_v1}){t}}}',
    )));
  });

  it('gives the same template for queries that differ only in their vectors', () => {
    const a = liftVectors('{Get{A(nearVector:{vector:[1,2,3]}){t}}}')!;
    const b = liftVectors('{Get{A(nearVector:{vector:[4,5,6]}){t}}}')!;
    expect(a.template).to.equal(b.template);
  });

  it('leaves queries alone when lifting could change their meaning', () => {
    expect(liftVectors('query Q {Get{A(nearVector:{vector:[1,2]}){t}}}')).to.equal(undefined);
    expect(liftVectors('{Get{A(where:{operator:Equal,path:["t"],valueText:"vector:[1,2]"}){t}}}')).to.equal(undefined);
    expect(liftVectors('{Get{A(nearVector:{vector:[1,"2"]}){t}}}')).to.equal(undefined);
    expect(liftVectors('{Get{A(nearVector:{vector:[1,true]}){t}}}')).to.equal(undefined);
    expect(liftVectors('{Get{A(nearVector:{vector:[01,2]}){t}}}')).to.equal(undefined);
    expect(liftVectors('{Get{A(nearVector:{vector:[]}){t}}}')).to.equal(undefined);
    expect(liftVectors('{Aggregate{A{meta{count}}}}')).to.equal(undefined);
    expect(liftVectors('{Get{A # vector:[1,2]\n{t}}}')).to.equal(undefined);
  });
});
