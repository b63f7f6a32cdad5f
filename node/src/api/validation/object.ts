// Validation of objects against their class, once, at the edge: the coordinator receives typed,
// checked values. Every problem is reported with the field it concerns.
import {
  canonicalClassName, isArrayType, scalarOf,
  type ClassDefinition, type SchemaIssue,
} from '../../../../api/index.js';
import type { ControlSnapshot, ClassState } from '../../control/types.js';
import type { Properties } from '../../objects/types.js';
import { checkScalar, checkUuid, checkVector, describe } from './values.js';
import { notRoutable } from '../../control/routable.js';

export interface ObjectInput {
  class: string;
  /** Canonical UUID, or undefined when the client left it to the server. */
  id?: string;
  properties: Properties;
  /** undefined: not given (PATCH keeps the stored one); null: no vector. */
  vector: Float32Array | null | undefined;
}

type PropertyCheck = (v: unknown, path: string, issues: SchemaIssue[]) => unknown;

const checkers = new WeakMap<ClassDefinition, Map<string, PropertyCheck>>();

function propertyChecker(type: ClassDefinition['properties'][number]['dataType'][0]): PropertyCheck {
  const scalar = scalarOf(type);
  if (!isArrayType(type)) {
    return (v, path, issues) => {
      const r = checkScalar(scalar, v);
      if ('error' in r) issues.push({ path, message: r.error });
      else return r.value;
      return undefined;
    };
  }
  return (v, path, issues) => {
    if (!Array.isArray(v)) return void issues.push({ path, message: `must be an array (${type}), got ${describe(v)}` });
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      const r = checkScalar(scalar, v[i]);
      if ('error' in r) return void issues.push({ path: `${path}[${i}]`, message: r.error });
      out.push(r.value);
    }
    return out;
  };
}

/** Per-class checkers, built once per class definition (definitions are immutable). */
function checkersOf(def: ClassDefinition): Map<string, PropertyCheck> {
  let m = checkers.get(def);
  if (!m) {
    m = new Map(def.properties.map((p) => [p.name, propertyChecker(p.dataType[0])]));
    checkers.set(def, m);
  }
  return m;
}

/** Check `properties` against the class; unknown names and wrong types are issues. */
export function checkProperties(def: ClassDefinition, raw: unknown, path: string, issues: SchemaIssue[]): Properties {
  const out: Properties = {};
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    issues.push({ path, message: `must be an object, got ${describe(raw)}` });
    return out;
  }
  const byName = checkersOf(def);
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const check = byName.get(name);
    if (!check) {
      const known = def.properties.map((p) => p.name).join(', ') || 'none';
      issues.push({ path: `${path}.${name}`, message: `class ${def.class} has no property ${JSON.stringify(name)} (properties: ${known}); add it with POST /v1/schema/${def.class}/properties` });
      continue;
    }
    if (value === null) continue; // null means "no value", as in Weaviate
    const checked = check(value, `${path}.${name}`, issues);
    if (checked !== undefined) out[name] = checked;
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The class an object names (or the URL names), which must exist. */
function classOf(snap: ControlSnapshot, raw: Record<string, unknown>, path: string, issues: SchemaIssue[], fromUrl?: string): ClassState | undefined {
  const given = raw.class;
  if (fromUrl !== undefined && given !== undefined && given !== fromUrl && (typeof given !== 'string' || canonicalClassName(given) !== fromUrl))
    return void issues.push({ path: `${path}class`, message: `is ${describe(given)}, but the URL names class ${fromUrl}` });
  const name = fromUrl ?? given;
  if (typeof name !== 'string' || name === '') return void issues.push({ path: `${path}class`, message: `is required: the name of the object's class, got ${describe(name)}` });
  const cls = snap.classes.get(canonicalClassName(name));
  if (!cls) {
    const why = snap.pending?.has(canonicalClassName(name)) ? notRoutable(snap, canonicalClassName(name)).message : `class ${JSON.stringify(name)} does not exist; create it with POST /v1/schema`;
    return void issues.push({ path: `${path}class`, message: why });
  }
  return cls;
}

/**
 * Validate one object (POST/PUT body, PATCH body, or a batch entry). The vector length is checked
 * against the class's dimensions when the class has them; `fixDimensions` handles the first one.
 */
export function validateObject(
  snap: ControlSnapshot, raw: unknown, issues: SchemaIssue[], opts: { path?: string; classFromUrl?: string; idFromUrl?: string } = {},
): ObjectInput | undefined {
  const path = opts.path ?? '';
  if (!isObject(raw)) return void issues.push({ path: path || 'body', message: `must be a JSON object, got ${describe(raw)}` });
  const before = issues.length;
  const cls = classOf(snap, raw, path, issues, opts.classFromUrl);
  let id: string | undefined;
  if (raw.id !== undefined && raw.id !== null) {
    const r = checkUuid(raw.id);
    if ('error' in r) issues.push({ path: `${path}id`, message: r.error });
    else id = r.value;
  }
  if (opts.idFromUrl !== undefined && id !== undefined && id !== opts.idFromUrl)
    issues.push({ path: `${path}id`, message: `is ${id}, but the URL names ${opts.idFromUrl}; the id of an object cannot change` });
  if (typeof raw.tenant === 'string' && raw.tenant !== '') issues.push({ path: `${path}tenant`, message: 'multi-tenancy is not supported' });
  if (isObject(raw.vectors) && Object.keys(raw.vectors).length > 0) issues.push({ path: `${path}vectors`, message: 'named vectors are not supported; use vector' });
  const vector = raw.vector === undefined ? undefined : checkVector(raw.vector);
  if (vector && 'error' in vector) issues.push({ path: `${path}vector`, message: vector.error });
  const dims = cls?.definition.vectorIndexConfig.dimensions;
  if (vector && 'value' in vector && vector.value && dims !== undefined && vector.value.length !== dims)
    issues.push({ path: `${path}vector`, message: `has length ${vector.value.length}, but class ${cls!.definition.class} holds vectors of length ${dims}` });
  if (!cls) return undefined;
  const properties = checkProperties(cls.definition, raw.properties, `${path}properties`, issues);
  if (issues.length > before) return undefined;
  return { class: cls.definition.class, id: id ?? opts.idFromUrl, properties, vector: vector && 'value' in vector ? vector.value : undefined };
}
