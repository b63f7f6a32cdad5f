// What the real API server does to built-in kinds beyond storing them: a little defaulting
// (the fields clients compare against) and the validation and immutability rules that catch
// real operator bugs. Pod-template defaulting and most per-field validation are not modelled.
import { type FieldError, fieldForbidden, fieldInvalid, fieldRequired } from './errors.js';
import type { KObject, ResourceDef } from './types.js';
import { deepEqual, isObject } from './util.js';

type Obj = Record<string, unknown>;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Kinds whose names must be DNS-1123 labels rather than subdomains. */
const LABEL_NAMED = new Set(['/namespaces', '/services']);

export function validateMetadata(def: ResourceDef, obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = obj.metadata.name ?? '';
  const labelNamed = LABEL_NAMED.has(`${def.group}/${def.plural}`);
  const re = labelNamed ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
  const max = labelNamed ? 63 : 253;
  if (!re.test(name) || name.length > max) {
    const what = labelNamed ? 'RFC 1123 label' : 'RFC 1123 subdomain';
    errs.push(fieldInvalid('metadata.name', name,
      `a lowercase ${what} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${re.source}')`));
  }
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
      errs.push(fieldInvalid(`metadata.labels`, v, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, at most 63 characters"));
    }
    const base = k.includes('/') ? k.slice(k.indexOf('/') + 1) : k;
    if (!LABEL_NAME.test(base) || base.length > 63) errs.push(fieldInvalid('metadata.labels', k, 'name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', at most 63 characters'));
  }
  for (const [k, v] of Object.entries(obj.metadata.annotations ?? {})) {
    if (typeof v !== 'string') errs.push(fieldInvalid(`metadata.annotations[${k}]`, v, 'annotation values must be strings'));
  }
  return errs;
}

/** Built-in kinds whose strategies maintain metadata.generation (the others never set it). */
const GENERATION_KINDS = new Set(['/pods', '/services', '/persistentvolumeclaims', 'apps/statefulsets', 'apps/deployments',
  'policy/poddisruptionbudgets', 'apiextensions.k8s.io/customresourcedefinitions']);

export function hasGeneration(def: ResourceDef): boolean {
  return def.custom || GENERATION_KINDS.has(`${def.group}/${def.plural}`);
}

/** Defaults the real server sets on create (and keeps on update) that clients read back. */
export function applyBuiltinDefaults(def: ResourceDef, obj: KObject, allocateIp: () => string): void {
  const spec = (isObject(obj.spec) ? obj.spec : undefined) as Obj | undefined;
  switch (`${def.group}/${def.plural}`) {
    case '/namespaces':
      obj.spec = { finalizers: ['kubernetes'], ...(spec ?? {}) };
      obj.status = { phase: obj.metadata.deletionTimestamp ? 'Terminating' : 'Active' };
      break;
    case '/services': if (spec) defaultService(spec, allocateIp); break;
    case '/secrets': foldStringData(obj); if (!obj.type) obj.type = 'Opaque'; break;
    case 'apps/statefulsets': if (spec) defaultStatefulSet(spec); break;
    case 'apps/deployments': if (spec) defaultDeployment(spec); break;
    case '/persistentvolumeclaims': if (spec && spec.volumeMode === undefined) spec.volumeMode = 'Filesystem'; break;
    default: break;
  }
}

function defaultService(spec: Obj, allocateIp: () => string): void {
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type !== 'ExternalName') {
    if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = allocateIp();
    spec.clusterIPs ??= [spec.clusterIP];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  for (const p of (Array.isArray(spec.ports) ? spec.ports : []) as Obj[]) {
    p.protocol ??= 'TCP';
    if (p.targetPort === undefined) p.targetPort = p.port as number;
  }
}

function defaultStatefulSet(spec: Obj): void {
  spec.replicas ??= 1;
  spec.podManagementPolicy ??= 'OrderedReady';
  spec.revisionHistoryLimit ??= 10;
  spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
  spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
}

function defaultDeployment(spec: Obj): void {
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
}

/** Secret.stringData is write-only: merged into data (base64) on every write. */
function foldStringData(obj: KObject): void {
  if (!isObject(obj.stringData)) return;
  const data = (isObject(obj.data) ? obj.data : {}) as Record<string, string>;
  for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  obj.data = data;
  delete obj.stringData;
}

const STS_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

/** Validation of built-ins on create and update (`old` set on update). */
export function validateBuiltin(def: ResourceDef, obj: KObject, old: KObject | undefined): FieldError[] {
  const spec = (obj.spec ?? {}) as Obj;
  const oldSpec = (old?.spec ?? {}) as Obj;
  const errs: FieldError[] = [];
  switch (`${def.group}/${def.plural}`) {
    case 'apps/statefulsets':
      if (!spec.selector) errs.push(fieldRequired('spec.selector'));
      if (!spec.serviceName && spec.serviceName !== '' && !old) { /* optional since 1.33; accepted */ }
      if (old && !deepEqual(omit(spec, STS_MUTABLE), omit(oldSpec, STS_MUTABLE))) {
        errs.push(fieldForbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
      }
      break;
    case 'apps/deployments':
      if (!spec.selector) errs.push(fieldRequired('spec.selector'));
      if (old && !deepEqual(spec.selector, oldSpec.selector)) errs.push(fieldInvalid('spec.selector', spec.selector, 'field is immutable'));
      break;
    case '/services': errs.push(...validateService(spec, old ? oldSpec : undefined)); break;
    case '/persistentvolumeclaims': if (old) errs.push(...validatePvcUpdate(spec, oldSpec)); break;
    case '/pods': if (old) errs.push(...validatePodUpdate(spec, oldSpec)); break;
    case '/configmaps': case '/secrets':
      if (old?.immutable === true && (!deepEqual(obj.data, old.data) || !deepEqual(obj.binaryData, old.binaryData) || obj.immutable !== true)) {
        errs.push(fieldForbidden('data', 'field is immutable when `immutable` is set'));
      }
      break;
    case 'policy/poddisruptionbudgets':
      if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
        errs.push(fieldInvalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
      }
      break;
    default: break;
  }
  return errs;
}

function omit(o: Obj, keys: string[]): Obj {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

function validateService(spec: Obj, oldSpec: Obj | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.type !== 'ExternalName' && (!Array.isArray(spec.ports) || spec.ports.length === 0) && spec.clusterIP !== 'None') {
    errs.push(fieldRequired('spec.ports'));
  }
  if (oldSpec && oldSpec.clusterIP && spec.clusterIP !== oldSpec.clusterIP) {
    errs.push(fieldInvalid('spec.clusterIPs[0]', spec.clusterIP ?? '', 'may not change once set'));
  }
  return errs;
}

function validatePvcUpdate(spec: Obj, oldSpec: Obj): FieldError[] {
  const storage = (s: Obj): unknown => ((s.resources as Obj | undefined)?.requests as Obj | undefined)?.storage;
  const strip = (s: Obj): Obj => ({ ...s, resources: undefined });
  if (!deepEqual(strip(spec), strip(oldSpec))) {
    return [fieldForbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims')];
  }
  if (quantityBytes(storage(spec)) < quantityBytes(storage(oldSpec))) {
    return [fieldForbidden('spec.resources.requests.storage', 'field can not be less than status.capacity')];
  }
  return [];
}

function validatePodUpdate(spec: Obj, oldSpec: Obj): FieldError[] {
  const strip = (s: Obj): Obj => ({
    ...s, activeDeadlineSeconds: undefined, tolerations: undefined,
    containers: ((s.containers ?? []) as Obj[]).map((c) => ({ ...c, image: undefined })),
    initContainers: ((s.initContainers ?? []) as Obj[]).map((c) => ({ ...c, image: undefined })),
  });
  if (deepEqual(strip(spec), strip(oldSpec))) return [];
  return [fieldForbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)')];
}

const SUFFIXES: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, m: 1e-3 };

/** A resource.Quantity as a number of bytes (enough to compare storage requests). */
export function quantityBytes(q: unknown): number {
  if (typeof q === 'number') return q;
  const m = /^([0-9.]+)([A-Za-z]*)$/.exec(String(q ?? '0'));
  if (!m) return 0;
  return Number(m[1]) * (SUFFIXES[m[2]] ?? 1);
}
