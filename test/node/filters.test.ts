// Where filters: validation against the class (each mistake named) and the semantics of the
// compiled predicate (tokenization, arrays, Like wildcards, And/Or/Not, missing values).
import { expect } from 'chai';
import fc from 'fast-check';
import { parseClass, type SchemaIssue } from '../../api/index.js';
import { parseWhere } from '../../node/src/api/validation/where.js';
import { compileWhere, likeToRegExp, tokenize } from '../../node/src/coordinator/filters/index.js';
import type { LiveObject } from '../../node/src/objects/types.js';

const def = parseClass({
  class: 'Article',
  properties: [
    { name: 'title', dataType: ['text'] },
    { name: 'code', dataType: ['text'], tokenization: 'field' },
    { name: 'wordCount', dataType: ['int'] },
    { name: 'score', dataType: ['number'] },
    { name: 'published', dataType: ['boolean'] },
    { name: 'date', dataType: ['date'] },
    { name: 'tags', dataType: ['text[]'] },
    { name: 'ref', dataType: ['uuid'] },
  ],
});

const ID = '36ddd591-2dee-4e7e-a3cc-eb86d30a4303';
function obj(properties: Record<string, unknown>, id = ID): LiveObject {
  return { id, class: 'Article', properties, vector: null, creationTimeUnix: 0, lastUpdateTimeUnix: 0, version: 1, origin: 'n', deleted: false };
}

function predicate(where: unknown) {
  const issues: SchemaIssue[] = [];
  const w = parseWhere(where, def, issues);
  expect(issues).to.deep.equal([]);
  return compileWhere(w!);
}

function problems(where: unknown): string[] {
  const issues: SchemaIssue[] = [];
  expect(parseWhere(where, def, issues)).to.equal(undefined);
  return issues.map((i) => `${i.path}: ${i.message}`);
}

describe('where filters', () => {
  it('Equal on word-tokenized text matches when every token occurs, ignoring case', () => {
    const p = predicate({ operator: 'Equal', path: ['title'], valueText: 'hello' });
    expect(p(obj({ title: 'Hello, World' }))).to.equal(true);
    expect(p(obj({ title: 'Help' }))).to.equal(false);
    expect(p(obj({}))).to.equal(false);
    const two = predicate({ operator: 'Equal', path: ['title'], valueText: 'world hello' });
    expect(two(obj({ title: 'hello big world' }))).to.equal(true);
  });

  it('field tokenization compares whole trimmed values', () => {
    const p = predicate({ operator: 'Equal', path: ['code'], valueString: 'A-1' });
    expect(p(obj({ code: ' A-1 ' }))).to.equal(true);
    expect(p(obj({ code: 'a-1' }))).to.equal(false);
  });

  it('compares numbers, dates, booleans and ids', () => {
    const gt = predicate({ operator: 'GreaterThan', path: ['wordCount'], valueInt: 1000 });
    expect([999, 1000, 1001].map((n) => gt(obj({ wordCount: n })))).to.deep.equal([false, false, true]);
    const lte = predicate({ operator: 'LessThanEqual', path: ['score'], valueNumber: 0.5 });
    expect([0.4, 0.5, 0.6].map((n) => lte(obj({ score: n })))).to.deep.equal([true, true, false]);
    const date = predicate({ operator: 'GreaterThanEqual', path: ['date'], valueDate: '2024-01-01T00:00:00Z' });
    expect(date(obj({ date: '2024-01-01T01:00:00+01:00' }))).to.equal(true);
    expect(date(obj({ date: '2023-12-31T23:59:59Z' }))).to.equal(false);
    expect(predicate({ operator: 'Equal', path: ['published'], valueBoolean: true })(obj({ published: true }))).to.equal(true);
    expect(predicate({ operator: 'Equal', path: ['id'], valueText: ID.toUpperCase() })(obj({}))).to.equal(true);
  });

  it('Like supports * and ? on tokens, and on whole values for field tokenization', () => {
    expect(predicate({ operator: 'Like', path: ['title'], valueText: 'hel*' })(obj({ title: 'say Hello' }))).to.equal(true);
    expect(predicate({ operator: 'Like', path: ['title'], valueText: 'h?llo' })(obj({ title: 'hallo there' }))).to.equal(true);
    expect(predicate({ operator: 'Like', path: ['title'], valueText: 'h?llo' })(obj({ title: 'hllo' }))).to.equal(false);
    expect(predicate({ operator: 'Like', path: ['code'], valueText: 'A-*' })(obj({ code: 'A-17' }))).to.equal(true);
  });

  it('Like treats everything but * and ? literally', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const literal = s.replace(/[*?]/g, '');
      return likeToRegExp(literal).test(literal);
    }));
    expect(likeToRegExp('a.c').test('abc')).to.equal(false);
  });

  it('array properties match when any element matches; ContainsAny and ContainsAll', () => {
    expect(predicate({ operator: 'Equal', path: ['tags'], valueText: 'red' })(obj({ tags: ['blue', 'Red'] }))).to.equal(true);
    const any = predicate({ operator: 'ContainsAny', path: ['tags'], valueText: ['red', 'green'] });
    const all = predicate({ operator: 'ContainsAll', path: ['tags'], valueText: ['red', 'green'] });
    expect(any(obj({ tags: ['green'] }))).to.equal(true);
    expect(all(obj({ tags: ['green'] }))).to.equal(false);
    expect(all(obj({ tags: ['green', 'red'] }))).to.equal(true);
  });

  it('combines with And, Or, Not; NotEqual and IsNull match missing values', () => {
    const p = predicate({
      operator: 'Or', operands: [
        { operator: 'And', operands: [{ operator: 'GreaterThan', path: ['wordCount'], valueInt: 10 }, { operator: 'Equal', path: ['published'], valueBoolean: true }] },
        { operator: 'Not', operands: [{ operator: 'IsNull', path: ['score'], valueBoolean: true }] },
      ],
    });
    expect(p(obj({ wordCount: 11, published: true }))).to.equal(true);
    expect(p(obj({ wordCount: 11, published: false }))).to.equal(false);
    expect(p(obj({ score: 1 }))).to.equal(true);
    expect(predicate({ operator: 'NotEqual', path: ['wordCount'], valueInt: 5 })(obj({}))).to.equal(true);
    expect(predicate({ operator: 'IsNull', path: ['tags'], valueBoolean: true })(obj({ tags: [] }))).to.equal(true);
  });

  it('names the field and the reason for each mistake', () => {
    expect(problems({ operator: 'Equals', path: ['title'], valueText: 'x' })[0]).to.match(/^where\.operator: must be one of/);
    expect(problems({ operator: 'Equal', path: ['nope'], valueText: 'x' })[0]).to.match(/^where\.path: class Article has no property "nope"/);
    expect(problems({ operator: 'Equal', path: ['wordCount'], valueText: 'x' })[0]).to.match(/^where\.valueText: cannot be used with property wordCount \(int\); use valueInt/);
    expect(problems({ operator: 'Equal', path: ['wordCount'], valueInt: 1.5 })[0]).to.match(/^where\.valueInt: must be a whole number/);
    expect(problems({ operator: 'Equal', path: ['date'], valueDate: 'yesterday' })[0]).to.match(/RFC 3339/);
    expect(problems({ operator: 'Equal', path: ['title'] })[0]).to.match(/needs exactly one of/);
    expect(problems({ operator: 'And', operands: [] })[0]).to.match(/^where\.operands: And needs a non-empty array/);
    expect(problems({ operator: 'And', operands: [{ operator: 'Like', path: ['wordCount'], valueInt: 1 }] })[0]).to.match(/^where\.operands\[0\]: Like works on text/);
    expect(problems({ operator: 'Equal', path: ['ref', 'Other', 'name'], valueText: 'x' })[0]).to.match(/cross-reference/);
    expect(problems({ operator: 'GreaterThan', path: ['published'], valueBoolean: true })[0]).to.match(/not defined on property published/);
  });

  it('tokenizes like Weaviate', () => {
    expect(tokenize('Hello, wide-World 42!', 'word')).to.deep.equal(['hello', 'wide', 'world', '42']);
    expect(tokenize(' Hello  World ', 'whitespace')).to.deep.equal(['Hello', 'World']);
    expect(tokenize(' Hello  World ', 'lowercase')).to.deep.equal(['hello', 'world']);
    expect(tokenize(' Hello  World ', 'field')).to.deep.equal(['Hello  World']);
  });
});
