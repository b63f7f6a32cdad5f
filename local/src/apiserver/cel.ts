// CRD `x-kubernetes-validations` rules, evaluated with the `@marcbachmann/cel-js` library.
// `self` is the value at the schema node and `oldSelf` the value at the same place in the old
// object; transition rules (those naming oldSelf) run only on updates where the old value exists
// and correlates (object properties, map values, list-type=map items by key), as in Kubernetes.
// Kubernetes' CEL extension libraries (quantity, url, ip, format, ...) and cost limits are not modelled.
import { parse, type ParseResult } from '@marcbachmann/cel-js';
import type { FieldError } from './errors.js';
import { isObject } from './util.js';

type Schema = Record<string, unknown>;

interface Rule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

const programs = new Map<string, ParseResult>();

function compile(rule: string): ParseResult {
  let p = programs.get(rule);
  if (!p) { p = parse(rule); programs.set(rule, p); }
  return p;
}

/** Check a rule parses; used when a CRD is created so bad rules are refused up front. */
export function compileError(rule: string): string | undefined {
  try { compile(rule); return undefined; } catch (e) { return (e as Error).message.split('\n')[0]; }
}

/** Evaluate every rule in `schema` over `value` (and `old` for transition rules). */
export function checkCelRules(value: unknown, old: unknown, schema: Schema): FieldError[] {
  const errors: FieldError[] = [];
  visit(value, old, schema, '', errors);
  return errors;
}

function visit(v: unknown, old: unknown, s: Schema, path: string, errors: FieldError[]): void {
  if (v === undefined || v === null) return;
  for (const rule of (s['x-kubernetes-validations'] ?? []) as Rule[]) runRule(rule, v, old, s, path, errors);
  if (isObject(v)) {
    const props = (s.properties ?? {}) as Record<string, Schema>;
    const additional = isObject(s.additionalProperties) ? (s.additionalProperties as Schema) : undefined;
    for (const [key, child] of Object.entries(v)) {
      const cs = props[key] ?? additional;
      const oldChild = isObject(old) ? old[key] : undefined;
      if (cs) visit(child, oldChild, cs, path ? `${path}.${key}` : key, errors);
    }
  }
  if (Array.isArray(v) && isObject(s.items)) {
    const items = s.items as Schema;
    v.forEach((item, i) => visit(item, correlateItem(item, old, s), items, `${path}[${i}]`, errors));
  }
}

/** Only list-type=map items have an identity across versions; other list items never correlate. */
function correlateItem(item: unknown, old: unknown, s: Schema): unknown {
  if (s['x-kubernetes-list-type'] !== 'map' || !Array.isArray(old) || !isObject(item)) return undefined;
  const keys = (s['x-kubernetes-list-map-keys'] ?? []) as string[];
  return old.find((o) => isObject(o) && keys.every((k) => o[k] === item[k]));
}

function runRule(rule: Rule, v: unknown, old: unknown, s: Schema, path: string, errors: FieldError[]): void {
  const transition = /\boldSelf\b/.test(rule.rule);
  if (transition && old === undefined) return;
  const ctx: Record<string, unknown> = { self: toCel(v, s) };
  if (transition) ctx.oldSelf = toCel(old, s);
  const field = rule.fieldPath ? `${path}${rule.fieldPath.startsWith('.') || !path ? '' : '.'}${rule.fieldPath}`.replace(/^\./, '') : path;
  let ok: unknown;
  try {
    ok = compile(rule.rule)(ctx);
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    errors.push({ field, reason: 'FieldValueInvalid', detail: `Invalid value: "${typeLabel(s)}": rule "${rule.rule}" could not be evaluated: ${why}` });
    return;
  }
  if (ok === true) return;
  const message = ruleMessage(rule, ctx);
  errors.push(ruleError(rule, field, s, message));
}

function ruleMessage(rule: Rule, ctx: Record<string, unknown>): string {
  if (rule.messageExpression) {
    try {
      const m = compile(rule.messageExpression)(ctx);
      if (typeof m === 'string' && m) return m;
    } catch { /* fall back to the static message, as Kubernetes does */ }
  }
  return rule.message ?? `failed rule: ${rule.rule}`;
}

function ruleError(rule: Rule, field: string, s: Schema, message: string): FieldError {
  switch (rule.reason) {
    case 'FieldValueForbidden': return { field, reason: 'FieldValueForbidden', detail: `Forbidden: ${message}` };
    case 'FieldValueRequired': return { field, reason: 'FieldValueRequired', detail: `Required value: ${message}` };
    case 'FieldValueDuplicate': return { field, reason: 'FieldValueDuplicate', detail: `Duplicate value: ${message}` };
    default: return { field, reason: 'FieldValueInvalid', detail: `Invalid value: "${typeLabel(s)}": ${message}` };
  }
}

function typeLabel(s: Schema): string {
  return s['x-kubernetes-int-or-string'] ? 'string' : String(s.type ?? 'object');
}

/** JSON -> CEL values: schema integers become int (BigInt), numbers stay double. */
function toCel(v: unknown, s: Schema | undefined): unknown {
  if (typeof v === 'number') {
    const intLike = s?.type === 'integer' || s?.['x-kubernetes-int-or-string'] === true || (s?.type === undefined && Number.isInteger(v));
    return intLike && Number.isInteger(v) ? BigInt(v) : v;
  }
  if (Array.isArray(v)) return v.map((x) => toCel(x, isObject(s?.items) ? (s?.items as Schema) : undefined));
  if (isObject(v)) {
    const props = (s?.properties ?? {}) as Record<string, Schema>;
    const additional = isObject(s?.additionalProperties) ? (s?.additionalProperties as Schema) : undefined;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toCel(x, props[k] ?? additional)]));
  }
  return v;
}
