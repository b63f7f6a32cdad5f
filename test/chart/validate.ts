// Offline validation of rendered manifests, as close to the API server's as can be had without
// one (see shared/reference/kubernetes-api.md §4):
//  - built-in kinds: kubernetes-models' validators compiled from the official OpenAPI (types,
//    required fields, enums, int-or-string), plus a walk over @kubernetes/client-node's generated
//    attribute maps that reports unknown fields, which those validators let through (the API
//    server rejects them with fieldValidation=Strict, helm 4's default);
//  - Prometheus Operator kinds (ServiceMonitor, PrometheusRule): @kubernetes-models/prometheus-operator
//    (types and required fields; its validators allow unknown fields, a known gap);
//  - Shoal's custom resources: ajv against the CRD's openAPIV3Schema, translated the way the
//    API server reads it (x-kubernetes-int-or-string, preserve-unknown-fields, nullable; unknown
//    fields rejected). CEL rules are not evaluated here: the ones in Shoal's CRDs are all
//    transition rules (oldSelf), which never apply to a create.
import * as k8s from '@kubernetes/client-node';
import { Ajv, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, type K8sObject } from './helm.js';

type AttributeMap = { name: string; baseName: string; type: string }[];
type ModelClass = { getAttributeTypeMap(): AttributeMap };

const models = k8s as unknown as Record<string, unknown>;

function modelClass(typeName: string): ModelClass | undefined {
  const c = models[typeName] as Partial<ModelClass> | undefined;
  return typeof c?.getAttributeTypeMap === 'function' ? (c as ModelClass) : undefined;
}

/** V1Deployment for apps/v1 Deployment, V2HorizontalPodAutoscaler for autoscaling/v2, ... */
function rootTypeName(apiVersion: string, kind: string): string {
  const version = apiVersion.split('/').pop() as string;
  return `${version[0].toUpperCase()}${version.slice(1)}${kind}`;
}

/** Unknown fields (and objects where scalars belong) in a built-in object, as JSON paths. */
export function unknownFields(obj: K8sObject): string[] {
  const root = rootTypeName(obj.apiVersion, obj.kind);
  if (!modelClass(root)) return [`no @kubernetes/client-node model ${root} for ${obj.apiVersion} ${obj.kind}`];
  const problems: string[] = [];
  walk(obj, root, '', problems);
  return problems;
}

const PRIMITIVES = new Set(['string', 'number', 'boolean', 'Date', 'IntOrString']);

function walk(value: unknown, type: string, path: string, problems: string[]): void {
  if (value === null || value === undefined || type === 'any' || type === 'object') return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return void problems.push(`${path}: expected a list (${type})`);
    value.forEach((v, i) => walk(v, array[1], `${path}[${i}]`, problems));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== 'object' || Array.isArray(value)) return void problems.push(`${path}: expected a map (${type})`);
    for (const [k, v] of Object.entries(value)) walk(v, map[1], `${path}.${k}`, problems);
    return;
  }
  if (PRIMITIVES.has(type)) {
    if (typeof value === 'object') problems.push(`${path}: expected a ${type}, found ${Array.isArray(value) ? 'a list' : 'an object'}`);
    return;
  }
  const cls = modelClass(type);
  if (!cls) return void problems.push(`${path}: unknown model type ${type} (validator out of date?)`);
  if (typeof value !== 'object' || Array.isArray(value)) return void problems.push(`${path}: expected an object (${type})`);
  const attrs = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const t = attrs.get(k);
    if (t === undefined) problems.push(`${path}.${k}: unknown field (${type})`);
    else walk(v, t, `${path}.${k}`, problems);
  }
}

/** kubernetes-models' schema validation of a built-in object; error messages, empty when valid. */
export async function schemaErrors(obj: K8sObject): Promise<string[]> {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const module = obj.apiVersion.startsWith('monitoring.coreos.com/')
    ? `@kubernetes-models/prometheus-operator/${group}/${version}/${obj.kind}`
    : `kubernetes-models/${group ? `${group}/` : ''}${version}/${obj.kind}`;
  let Model: new (data: unknown) => { validate(): void };
  try {
    Model = ((await import(module)) as Record<string, new (data: unknown) => { validate(): void }>)[obj.kind];
  } catch (e) {
    return [`no validator ${module}: ${(e as Error).message}`];
  }
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

// ---- custom resources against Shoal's CRDs ----

type Schema = Record<string, unknown>;

/** The OpenAPI v3 schema of a CRD as JSON Schema the API server's way (strict on unknown fields). */
export function toJsonSchema(s: Schema): Schema {
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-kubernetes-') || k === 'nullable' || k === 'default' || k === 'example') continue;
    if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as Record<string, Schema>).map(([p, ps]) => [p, toJsonSchema(ps)]));
    else if (k === 'items' || (k === 'additionalProperties' && typeof v === 'object')) out[k] = toJsonSchema(v as Schema);
    else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf') out[k] = (v as Schema[]).map(toJsonSchema);
    else if (k === 'not') out[k] = toJsonSchema(v as Schema);
    else out[k] = v;
  }
  if (s['x-kubernetes-int-or-string']) {
    delete out.type;
    return { anyOf: [{ type: 'integer' }, { type: 'string' }], ...out };
  }
  if (s.nullable && typeof out.type === 'string') out.type = [out.type, 'null'];
  const isObject = s.type === 'object';
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true || s['x-kubernetes-embedded-resource'] === true;
  // An object schema without properties (e.g. metadata) takes anything, like the API server.
  if (isObject && s.properties && s.additionalProperties === undefined && !preserve) out.additionalProperties = false;
  return out;
}

interface CrdDoc {
  spec: { group: string; names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
}

export class CrdValidator {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(crdFiles: string[] = ['vectorclusters.shoal.dev.yaml', 'vectorclasses.shoal.dev.yaml'].map((f) => join(ROOT, 'crds', f))) {
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    for (const file of crdFiles) {
      const crd = parse(readFileSync(file, 'utf8')) as CrdDoc;
      for (const v of crd.spec.versions) {
        this.validators.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, ajv.compile(toJsonSchema(v.schema.openAPIV3Schema)));
      }
    }
  }

  handles(obj: K8sObject): boolean {
    return this.validators.has(`${obj.apiVersion}/${obj.kind}`);
  }

  errors(obj: K8sObject): string[] {
    const validate = this.validators.get(`${obj.apiVersion}/${obj.kind}`);
    if (!validate) return [`no CRD for ${obj.apiVersion} ${obj.kind}`];
    if (validate(obj)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
  }
}

/** Every problem with a rendered object, prefixed by kind/name; empty when it would be accepted. */
export async function validateObject(obj: K8sObject, crds: CrdValidator): Promise<string[]> {
  const where = `${obj.kind}/${obj.metadata?.name}`;
  if (crds.handles(obj)) return crds.errors(obj).map((e) => `${where}: ${e}`);
  const problems = await schemaErrors(obj);
  if (!obj.apiVersion.startsWith('monitoring.coreos.com/')) problems.push(...unknownFields(obj));
  return problems.map((e) => `${where}: ${e}`);
}
