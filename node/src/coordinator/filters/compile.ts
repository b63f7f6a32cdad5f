// A validated where tree -> ObjectPredicate, the function the storage engine calls for every
// candidate during a search. Everything that can be computed once (regular expressions, token
// sets of the filter's values) is computed here, not per object.
//
// Semantics, following Weaviate's inverted index:
// - text Equal with word/lowercase/whitespace tokenization: every token of the filter value
//   occurs among the object's tokens; field tokenization compares the trimmed value.
// - Like matches a token (or the whole value with field tokenization).
// - On array properties, a leaf matches when any element matches; NotEqual is "not Equal".
// - A missing value matches only NotEqual, Not(...) and IsNull true.
import type { LiveObject } from '../../objects/types.js';
import type { ObjectPredicate } from '../../shards/types.js';
import type { Where, Target, Scalar, LeafOperator } from './where.js';
import { scalarOf } from '../../../../api/index.js';
import { tokenize, foldsCase } from './tokenize.js';
import { likeToRegExp } from './like.js';

type Test = (v: Scalar) => boolean;

export function compileWhere(where: Where): ObjectPredicate {
  switch (where.operator) {
    case 'And': {
      const parts = where.operands.map(compileWhere);
      return (o) => parts.every((p) => p(o));
    }
    case 'Or': {
      const parts = where.operands.map(compileWhere);
      return (o) => parts.some((p) => p(o));
    }
    case 'Not': {
      const inner = compileWhere(where.operand);
      return (o) => !inner(o);
    }
    default:
      return compileLeaf(where.operator, where.target, where.value);
  }
}

/** The values of the target on an object, as a list (arrays flattened, missing = []). */
function reader(target: Target): (o: LiveObject) => Scalar[] {
  if (target.kind === 'id') return (o) => [o.id];
  const { name } = target;
  const isDate = scalarOf(target.type) === 'date';
  return (o) => {
    const v = o.properties[name];
    if (v === undefined || v === null) return [];
    const list = (Array.isArray(v) ? v : [v]) as Scalar[];
    // Stored dates were validated as RFC 3339 on the way in.
    return isDate ? list.map((d) => Date.parse(d as string)) : list;
  };
}

function isTokenized(target: Target): target is Extract<Target, { kind: 'property' }> {
  return target.kind === 'property' && scalarOf(target.type) === 'text' && target.tokenization !== 'field';
}

function compileLeaf(op: LeafOperator, target: Target, value: Scalar | Scalar[]): ObjectPredicate {
  const read = reader(target);
  if (op === 'IsNull') return (o) => (read(o).length === 0) === value;
  if (isTokenized(target) && (op === 'Equal' || op === 'NotEqual' || op === 'Like' || op === 'ContainsAny' || op === 'ContainsAll'))
    return tokenLeaf(op, target, value, read);
  if (op === 'NotEqual') {
    const equal = compileLeaf('Equal', target, value);
    return (o) => !equal(o);
  }
  if (op === 'ContainsAny' || op === 'ContainsAll') {
    const tests = (value as Scalar[]).map((v) => scalarTest('Equal', target, v));
    return op === 'ContainsAny'
      ? (o) => { const vs = read(o); return tests.some((t) => vs.some(t)); }
      : (o) => { const vs = read(o); return tests.every((t) => vs.some(t)); };
  }
  const test = scalarTest(op, target, value as Scalar);
  return (o) => read(o).some(test);
}

function scalarTest(op: LeafOperator, target: Target, value: Scalar): Test {
  const field = target.kind === 'property' && target.tokenization === 'field' && typeof value === 'string';
  const want = field ? (value as string).trim() : value;
  const norm = field ? (v: Scalar) => (v as string).trim() : (v: Scalar) => v;
  switch (op) {
    case 'Equal': return (v) => norm(v) === want;
    case 'GreaterThan': return (v) => norm(v) > want;
    case 'GreaterThanEqual': return (v) => norm(v) >= want;
    case 'LessThan': return (v) => norm(v) < want;
    case 'LessThanEqual': return (v) => norm(v) <= want;
    case 'Like': {
      const re = likeToRegExp(want as string, target.kind === 'id');
      return (v) => re.test(norm(v) as string);
    }
    default: throw new Error(`unexpected operator ${op}`);
  }
}

/** Equal/Like/Contains on tokenized text: compare token sets. */
function tokenLeaf(op: LeafOperator, target: Extract<Target, { kind: 'property' }>, value: Scalar | Scalar[], read: (o: LiveObject) => Scalar[]): ObjectPredicate {
  const tk = target.tokenization;
  const tokensOf = (o: LiveObject) => new Set(read(o).flatMap((v) => tokenize(v as string, tk)));
  if (op === 'Like') {
    const re = likeToRegExp(foldsCase(tk) ? (value as string).toLowerCase() : (value as string));
    return (o) => read(o).some((v) => tokenize(v as string, tk).some((t) => re.test(t)));
  }
  const wanted = (Array.isArray(value) ? value : [value]).map((v) => tokenize(v as string, tk));
  const all = (set: Set<string>, tokens: string[]) => tokens.length > 0 && tokens.every((t) => set.has(t));
  if (op === 'Equal') return (o) => all(tokensOf(o), wanted[0]);
  if (op === 'NotEqual') return (o) => !all(tokensOf(o), wanted[0]);
  if (op === 'ContainsAny') return (o) => { const set = tokensOf(o); return wanted.some((w) => all(set, w)); };
  return (o) => { const set = tokensOf(o); return wanted.every((w) => all(set, w)); };
}
