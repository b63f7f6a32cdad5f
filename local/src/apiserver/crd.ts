// CustomResourceDefinitions: validation of the CRD itself, its translation into a served
// ResourceDef, and the status the real apiextensions controllers would write (names accepted,
// established). The double establishes synchronously: the CRD's kinds are served as soon as
// the create returns.
import { compileError } from './cel.js';
import { type FieldError, fieldInvalid, fieldRequired } from './errors.js';
import type { JsonObject, KObject, PrinterColumn, ResourceDef } from './types.js';
import { isObject, nowRfc3339 } from './util.js';

type Obj = Record<string, unknown>;

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: JsonObject };
  subresources?: { status?: Obj; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdSpec {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  versions: CrdVersion[];
}

export function crdSpec(obj: KObject): CrdSpec {
  return obj.spec as CrdSpec;
}

export function validateCrd(obj: KObject): FieldError[] {
  const spec = obj.spec as Partial<CrdSpec> | undefined;
  const errs: FieldError[] = [];
  if (!spec) return [fieldRequired('spec')];
  if (!spec.group) errs.push(fieldRequired('spec.group'));
  if (!spec.names?.plural) errs.push(fieldRequired('spec.names.plural'));
  if (!spec.names?.kind) errs.push(fieldRequired('spec.names.kind'));
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    errs.push({ field: 'spec.scope', reason: 'FieldValueNotSupported', detail: `Unsupported value: ${JSON.stringify(spec.scope ?? '')}: supported values: "Cluster", "Namespaced"` });
  }
  if (spec.group && spec.names?.plural && obj.metadata.name !== `${spec.names.plural}.${spec.group}`) {
    errs.push(fieldInvalid('metadata.name', obj.metadata.name, `must be spec.names.plural+"."+spec.group`));
  }
  errs.push(...validateVersions(spec.versions));
  return errs;
}

function validateVersions(versions: CrdVersion[] | undefined): FieldError[] {
  if (!Array.isArray(versions) || versions.length === 0) return [fieldRequired('spec.versions')];
  const errs: FieldError[] = [];
  if (versions.filter((v) => v.storage).length !== 1) {
    errs.push(fieldInvalid('spec.versions', 'versions', 'must have exactly one version marked as storage version'));
  }
  versions.forEach((v, i) => {
    if (!v.schema?.openAPIV3Schema) errs.push(fieldRequired(`spec.versions[${i}].schema.openAPIV3Schema`));
    for (const { path, rule } of celRules(v.schema?.openAPIV3Schema, `spec.versions[${i}].schema.openAPIV3Schema`)) {
      const why = compileError(rule);
      if (why) errs.push(fieldInvalid(`${path}.x-kubernetes-validations`, rule, `compilation failed: ${why}`));
    }
  });
  return errs;
}

function celRules(s: unknown, path: string): { path: string; rule: string }[] {
  if (!isObject(s)) return [];
  const out = ((s['x-kubernetes-validations'] ?? []) as { rule: string }[]).map((r) => ({ path, rule: r.rule }));
  for (const [k, child] of Object.entries((s.properties ?? {}) as Obj)) out.push(...celRules(child, `${path}.properties[${k}]`));
  if (isObject(s.items)) out.push(...celRules(s.items, `${path}.items`));
  if (isObject(s.additionalProperties)) out.push(...celRules(s.additionalProperties, `${path}.additionalProperties`));
  return out;
}

/** The ResourceDef a (valid) CRD serves. Storage version first. */
export function defFromCrd(obj: KObject): ResourceDef {
  const spec = crdSpec(obj);
  const served = spec.versions.filter((v) => v.served !== false);
  served.sort((a, b) => Number(Boolean(b.storage)) - Number(Boolean(a.storage)));
  const storage = spec.versions.find((v) => v.storage) ?? spec.versions[0];
  const scale = storage.subresources?.scale;
  return {
    group: spec.group, versions: served.map((v) => v.name), kind: spec.names.kind,
    listKind: spec.names.listKind ?? `${spec.names.kind}List`, plural: spec.names.plural,
    singular: spec.names.singular ?? spec.names.kind.toLowerCase(), namespaced: spec.scope === 'Namespaced',
    shortNames: spec.names.shortNames ?? [], categories: spec.names.categories ?? [],
    verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
    statusSubresource: Boolean(storage.subresources?.status), custom: true,
    scale: scale ? { specReplicasPath: scale.specReplicasPath, statusReplicasPath: scale.statusReplicasPath, labelSelectorPath: scale.labelSelectorPath } : undefined,
    schemas: Object.fromEntries(spec.versions.map((v) => [v.name, v.schema?.openAPIV3Schema])),
    printerColumns: Object.fromEntries(spec.versions.map((v) => [v.name, v.additionalPrinterColumns ?? []])),
  };
}

/** CRD defaults the real server applies (so kubectl diff/apply round-trip cleanly). */
export function defaultCrd(obj: KObject): void {
  const spec = obj.spec as Obj & Partial<CrdSpec>;
  spec.conversion ??= { strategy: 'None' };
  if (spec.names) {
    spec.names.singular ??= spec.names.kind?.toLowerCase();
    spec.names.listKind ??= `${spec.names.kind}List`;
  }
}

/** Status as the naming and establishing controllers would leave it; conditions keep their times. */
export function establishedStatus(obj: KObject, namesConflict: string | undefined): Obj {
  const spec = crdSpec(obj);
  const old = (obj.status ?? {}) as { conditions?: Obj[]; storedVersions?: string[] };
  const since = (type: string, status: string): string => {
    const prev = old.conditions?.find((c) => c.type === type);
    return prev && prev.status === status ? String(prev.lastTransitionTime) : nowRfc3339();
  };
  const ok = namesConflict === undefined;
  const conditions: Obj[] = [
    { type: 'NamesAccepted', status: ok ? 'True' : 'False', reason: ok ? 'NoConflicts' : 'NameConflict',
      message: ok ? 'no conflicts found' : namesConflict, lastTransitionTime: since('NamesAccepted', ok ? 'True' : 'False') },
    { type: 'Established', status: ok ? 'True' : 'False', reason: ok ? 'InitialNamesAccepted' : 'NotAccepted',
      message: ok ? 'the initial names have been accepted' : 'not all names are accepted', lastTransitionTime: since('Established', ok ? 'True' : 'False') },
  ];
  if (obj.metadata.deletionTimestamp) {
    conditions.push({ type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress', lastTransitionTime: since('Terminating', 'True') });
  }
  const storage = spec.versions.find((v) => v.storage)?.name;
  const storedVersions = [...new Set([...(old.storedVersions ?? []), ...(storage ? [storage] : [])])];
  return { acceptedNames: ok ? { ...spec.names } : (old as Obj).acceptedNames ?? { plural: '', kind: '' }, conditions, storedVersions };
}
