// Structural-schema handling for custom resources, in the order the real server applies it:
// prune unknown fields (reporting them for fieldValidation=Strict/Warn), drop nulls of
// non-nullable fields, apply defaults, then validate types, enums, ranges, lengths, patterns,
// required properties and list uniqueness. Messages follow kube-openapi's wording.
import { type FieldError, fieldInvalid, fieldRequired, showValue } from './errors.js';
import { deepEqual, isObject, clone } from './util.js';

export type Schema = Record<string, unknown>;

export interface SchemaOutcome {
  errors: FieldError[];
  /** Paths of fields the schema does not declare (already removed from the value). */
  unknownFields: string[];
}

const ROOT_META = new Set(['apiVersion', 'kind', 'metadata']);

/** Prune, default and validate `obj` in place against a CRD version's openAPIV3Schema. */
export function applySchema(obj: Record<string, unknown>, schema: Schema): SchemaOutcome {
  const out: SchemaOutcome = { errors: [], unknownFields: [] };
  walk(obj, schema, '', out, true, true);
  return out;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeOk(v: unknown, s: Schema): boolean {
  if (s['x-kubernetes-int-or-string']) return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  switch (s.type) {
    case undefined: return true;
    case 'object': return isObject(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    default: return true;
  }
}

/**
 * `prune` is false inside anyOf/oneOf/not branches (checked, never changed).
 * Returns nothing: errors and unknown fields accumulate in `out`.
 */
function walk(v: unknown, s: Schema, path: string, out: SchemaOutcome, prune: boolean, root = false): void {
  if (!typeOk(v, s)) {
    const expected = s['x-kubernetes-int-or-string'] ? 'integer or string' : String(s.type);
    out.errors.push({ field: path, reason: 'FieldValueTypeInvalid',
      detail: `Invalid value: "${typeName(v)}": ${path} in body must be of type ${expected}: "${typeName(v)}"` });
    return;
  }
  checkScalar(v, s, path, out);
  if (isObject(v)) walkObject(v, s, path, out, prune, root);
  if (Array.isArray(v)) walkArray(v, s, path, out, prune);
  checkCombinators(v, s, path, out);
}

function walkObject(v: Record<string, unknown>, s: Schema, path: string, out: SchemaOutcome, prune: boolean, root: boolean): void {
  const props = (s.properties ?? {}) as Record<string, Schema>;
  const additional = s.additionalProperties;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  for (const key of Object.keys(v)) {
    const childPath = join(path, key);
    if ((root || embedded) && ROOT_META.has(key) && !props[key]) continue;
    if ((root || embedded) && key === 'metadata') continue;
    const child = props[key] ?? (isObject(additional) ? (additional as Schema) : undefined);
    if (v[key] === null && child && child.nullable !== true && prune) { delete v[key]; continue; }
    if (child) { walk(v[key], child, childPath, out, prune); continue; }
    if (additional === true || preserve) continue;
    if (prune) { delete v[key]; out.unknownFields.push(childPath); }
  }
  if (prune) applyDefaults(v, props);
  for (const req of (s.required ?? []) as string[]) {
    if (v[req] === undefined) out.errors.push(fieldRequired(join(path, req)));
  }
  const n = Object.keys(v).length;
  if (typeof s.maxProperties === 'number' && n > s.maxProperties)
    out.errors.push({ field: path, reason: 'FieldValueTooMany', detail: `Too many: ${n}: must have at most ${s.maxProperties} items` });
  if (typeof s.minProperties === 'number' && n < s.minProperties)
    out.errors.push(fieldInvalid(path, v, `${path} in body should have at least ${s.minProperties} properties`));
}

function applyDefaults(v: Record<string, unknown>, props: Record<string, Schema>): void {
  for (const [key, ps] of Object.entries(props)) {
    if (v[key] === undefined && ps.default !== undefined) v[key] = clone(ps.default);
  }
}

function walkArray(v: unknown[], s: Schema, path: string, out: SchemaOutcome, prune: boolean): void {
  const items = s.items as Schema | undefined;
  v.forEach((item, i) => { if (items) walk(item, items, `${path}[${i}]`, out, prune); });
  if (typeof s.maxItems === 'number' && v.length > s.maxItems)
    out.errors.push({ field: path, reason: 'FieldValueTooMany', detail: `Too many: ${v.length}: must have at most ${s.maxItems} items` });
  if (typeof s.minItems === 'number' && v.length < s.minItems)
    out.errors.push(fieldInvalid(path, v, `${path} in body should have at least ${s.minItems} items`));
  checkListType(v, s, path, out);
}

/** x-kubernetes-list-type set/map (and uniqueItems): duplicates are rejected. */
function checkListType(v: unknown[], s: Schema, path: string, out: SchemaOutcome): void {
  const listType = s['x-kubernetes-list-type'];
  const keys = (s['x-kubernetes-list-map-keys'] ?? []) as string[];
  const identity = (item: unknown): unknown =>
    listType === 'map' && isObject(item) ? keys.map((k) => item[k]) : item;
  if (listType !== 'set' && listType !== 'map' && s.uniqueItems !== true) return;
  const seen: unknown[] = [];
  v.forEach((item, i) => {
    const id = identity(item);
    if (seen.some((x) => deepEqual(x, id))) {
      out.errors.push({ field: `${path}[${i}]`, reason: 'FieldValueDuplicate', detail: `Duplicate value: ${JSON.stringify(id)}` });
    }
    seen.push(id);
  });
}

function checkScalar(v: unknown, s: Schema, path: string, out: SchemaOutcome): void {
  if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, v))) {
    const supported = s.enum.map((e) => JSON.stringify(e)).join(', ');
    out.errors.push({ field: path, reason: 'FieldValueNotSupported', detail: `Unsupported value: ${showValue(v)}: supported values: ${supported}` });
  }
  if (typeof v === 'number') checkNumber(v, s, path, out);
  if (typeof v === 'string') checkString(v, s, path, out);
}

function checkNumber(v: number, s: Schema, path: string, out: SchemaOutcome): void {
  const max = s.maximum as number | undefined;
  const min = s.minimum as number | undefined;
  if (max !== undefined && (s.exclusiveMaximum === true ? v >= max : v > max))
    out.errors.push(fieldInvalid(path, v, `${path} in body should be less than ${s.exclusiveMaximum === true ? '' : 'or equal to '}${max}`));
  if (min !== undefined && (s.exclusiveMinimum === true ? v <= min : v < min))
    out.errors.push(fieldInvalid(path, v, `${path} in body should be greater than ${s.exclusiveMinimum === true ? '' : 'or equal to '}${min}`));
  if (typeof s.multipleOf === 'number' && v % s.multipleOf !== 0)
    out.errors.push(fieldInvalid(path, v, `${path} in body should be a multiple of ${s.multipleOf}`));
}

function checkString(v: string, s: Schema, path: string, out: SchemaOutcome): void {
  if (typeof s.maxLength === 'number' && v.length > s.maxLength)
    out.errors.push({ field: path, reason: 'FieldValueTooLong', detail: `Too long: may not be more than ${s.maxLength} bytes` });
  if (typeof s.minLength === 'number' && v.length < s.minLength)
    out.errors.push(fieldInvalid(path, v, `${path} in body should be at least ${s.minLength} chars long`));
  if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v))
    out.errors.push(fieldInvalid(path, v, `${path} in body should match '${s.pattern}'`));
}

/** Value-validation combinators; branches are checked without pruning, as in structural schemas. */
function checkCombinators(v: unknown, s: Schema, path: string, out: SchemaOutcome): void {
  const passes = (sub: Schema): boolean => {
    const trial: SchemaOutcome = { errors: [], unknownFields: [] };
    walk(clone(v), { ...sub, 'x-kubernetes-preserve-unknown-fields': true }, path, trial, false);
    return trial.errors.length === 0;
  };
  const anyOf = s.anyOf as Schema[] | undefined;
  const oneOf = s.oneOf as Schema[] | undefined;
  const allOf = s.allOf as Schema[] | undefined;
  if (anyOf && !anyOf.some(passes)) out.errors.push(fieldInvalid(path, v, `${path} in body must validate at least one schema (anyOf)`));
  if (oneOf && oneOf.filter(passes).length !== 1) out.errors.push(fieldInvalid(path, v, `${path} in body must validate one and only one schema (oneOf)`));
  if (allOf && !allOf.every(passes)) out.errors.push(fieldInvalid(path, v, `${path} in body must validate all the schemas (allOf)`));
  if (isObject(s.not) && passes(s.not as Schema)) out.errors.push(fieldInvalid(path, v, `${path} in body must not validate the schema (not)`));
}
