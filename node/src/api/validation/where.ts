// A `where` filter (REST batch delete, GraphQL Get and Aggregate), validated against the class
// into a typed tree. Values are checked against the property's data type and normalised
// (dates to milliseconds, UUIDs to canonical form), so the compiled predicate does no checking.
import { type ClassDefinition, type SchemaIssue, scalarOf } from '../../../../api/index.js';
import { OPERATORS, type LeafOperator, type Scalar, type Target, type Where } from '../../coordinator/filters/where.js';
import { HttpError, issueMessages } from '../errors.js';
import { checkUuid, dateMillis, describe } from './values.js';

const VALUE_KEYS = ['valueInt', 'valueNumber', 'valueBoolean', 'valueString', 'valueText', 'valueDate'] as const;
type ValueKey = (typeof VALUE_KEYS)[number];

/** Value keys a target accepts, by the scalar type of the target. */
const KEYS_FOR: Record<string, readonly ValueKey[]> = {
  text: ['valueText', 'valueString'],
  uuid: ['valueText', 'valueString'],
  int: ['valueInt'],
  number: ['valueNumber', 'valueInt'],
  boolean: ['valueBoolean'],
  date: ['valueDate', 'valueText', 'valueString'],
};
const ORDERED = new Set<string>(['GreaterThan', 'GreaterThanEqual', 'LessThan', 'LessThanEqual']);

type Ctx = { def: ClassDefinition; issues: SchemaIssue[] };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validate a where filter; throws a 422 listing every problem. Absent (undefined, null): no filter. */
export function whereOf(raw: unknown, def: ClassDefinition, path = 'where'): Where | undefined {
  if (raw === undefined || raw === null) return undefined;
  const issues: SchemaIssue[] = [];
  const where = parseWhere(raw, def, issues, path);
  if (!where) throw new HttpError(422, issueMessages(issues));
  return where;
}

/** Validate a where filter; returns undefined and pushes issues when it is invalid. */
export function parseWhere(raw: unknown, def: ClassDefinition, issues: SchemaIssue[], path = 'where'): Where | undefined {
  return node(raw, path, { def, issues });
}

function node(raw: unknown, path: string, ctx: Ctx): Where | undefined {
  if (!isObject(raw)) return void ctx.issues.push({ path, message: `must be an object with an operator, got ${describe(raw)}` });
  const op = raw.operator;
  if (typeof op !== 'string' || !(OPERATORS as readonly string[]).includes(op))
    return void ctx.issues.push({ path: `${path}.operator`, message: `must be one of ${OPERATORS.join(', ')}, got ${describe(op)}` });
  if (op === 'And' || op === 'Or' || op === 'Not') return branch(op, raw, path, ctx);
  return leaf(op as LeafOperator, raw, path, ctx);
}

function branch(op: 'And' | 'Or' | 'Not', raw: Record<string, unknown>, path: string, ctx: Ctx): Where | undefined {
  const operands = raw.operands;
  if (!Array.isArray(operands) || operands.length === 0)
    return void ctx.issues.push({ path: `${path}.operands`, message: `${op} needs a non-empty array of operands, got ${describe(operands)}` });
  if (op === 'Not' && operands.length !== 1)
    return void ctx.issues.push({ path: `${path}.operands`, message: `Not takes exactly one operand, got ${operands.length}` });
  const before = ctx.issues.length;
  const parsed = operands.map((o, i) => node(o, `${path}.operands[${i}]`, ctx));
  if (ctx.issues.length > before) return undefined;
  return op === 'Not' ? { operator: 'Not', operand: parsed[0]! } : { operator: op, operands: parsed as Where[] };
}

function target(raw: Record<string, unknown>, path: string, ctx: Ctx): Target | undefined {
  const p = raw.path;
  if (!Array.isArray(p) || p.length === 0 || p.some((x) => typeof x !== 'string'))
    return void ctx.issues.push({ path: `${path}.path`, message: `must be an array with a property name, like ["title"], got ${describe(p)}` });
  if (p.length > 1) return void ctx.issues.push({ path: `${path}.path`, message: `cross-reference paths are not supported; give one property name, got ${JSON.stringify(p)}` });
  const name = p[0] as string;
  if (name === 'id' || name === '_id') return { kind: 'id' };
  const prop = ctx.def.properties.find((x) => x.name === name);
  if (!prop) {
    const known = ctx.def.properties.map((x) => x.name).join(', ') || 'none';
    return void ctx.issues.push({ path: `${path}.path`, message: `class ${ctx.def.class} has no property ${JSON.stringify(name)} (properties: ${known}, or id)` });
  }
  return { kind: 'property', name, type: prop.dataType[0], tokenization: prop.tokenization ?? 'word' };
}

function leaf(op: LeafOperator, raw: Record<string, unknown>, path: string, ctx: Ctx): Where | undefined {
  const t = target(raw, path, ctx);
  if (!t) return undefined;
  const keys = VALUE_KEYS.filter((k) => raw[k] !== undefined && raw[k] !== null);
  if (keys.length !== 1)
    return void ctx.issues.push({ path, message: `needs exactly one of ${VALUE_KEYS.join(', ')}, got ${keys.length ? keys.join(', ') : 'none'}` });
  const key = keys[0];
  const type = t.kind === 'id' ? 'uuid' : scalarOf(t.type);
  const label = t.kind === 'id' ? 'id' : `property ${t.name} (${t.type})`;
  if (op === 'IsNull') {
    if (key !== 'valueBoolean' || typeof raw[key] !== 'boolean') return void ctx.issues.push({ path, message: 'IsNull takes valueBoolean: true or false' });
    return { operator: op, target: t, value: raw[key] as boolean };
  }
  if (!KEYS_FOR[type].includes(key)) return void ctx.issues.push({ path: `${path}.${key}`, message: `cannot be used with ${label}; use ${KEYS_FOR[type].join(' or ')}` });
  if (op === 'Like' && type !== 'text' && type !== 'uuid') return void ctx.issues.push({ path, message: `Like works on text and ids, not on ${label}` });
  if (ORDERED.has(op) && type === 'boolean') return void ctx.issues.push({ path, message: `${op} is not defined on ${label}` });
  const many = op === 'ContainsAny' || op === 'ContainsAll';
  const rawValue = raw[key];
  if (many !== Array.isArray(rawValue))
    return void ctx.issues.push({ path: `${path}.${key}`, message: many ? `${op} needs an array of values` : `must be a single value for ${op}, got an array` });
  const values = (many ? (rawValue as unknown[]) : [rawValue]).map((v, i) => value(type, key, v, `${path}.${key}${many ? `[${i}]` : ''}`, op, ctx));
  if (values.some((v) => v === undefined)) return undefined;
  return { operator: op, target: t, value: many ? (values as Scalar[]) : values[0]! };
}

function value(type: string, key: ValueKey, v: unknown, path: string, op: LeafOperator, ctx: Ctx): Scalar | undefined {
  const bad = (expected: string): undefined => void ctx.issues.push({ path, message: `must be ${expected}, got ${describe(v)}` });
  switch (type) {
    case 'int':
      return typeof v === 'number' && Number.isSafeInteger(v) ? v : bad('a whole number');
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? v : bad('a number');
    case 'boolean':
      return typeof v === 'boolean' ? v : bad('a boolean');
    case 'date': {
      const ms = typeof v === 'string' ? dateMillis(v) : undefined;
      return ms !== undefined ? ms : bad('an RFC 3339 date (like 2024-01-31T12:00:00Z)');
    }
    case 'uuid': {
      if (typeof v !== 'string') return bad('a string');
      if (op === 'Like') return v.toLowerCase();
      const r = checkUuid(v);
      return 'error' in r ? bad('a UUID') : r.value;
    }
    default:
      return typeof v === 'string' ? v : bad(`a string (${key})`);
  }
}
