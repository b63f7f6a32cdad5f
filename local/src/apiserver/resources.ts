// The registry of served kinds: the built-ins Shoal, kubectl and helm touch, plus whatever
// CustomResourceDefinitions register at run time. Storage is keyed by `group/plural`.
import type { PrinterColumn, ResourceDef, ScaleSpec } from './types.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface BuiltinSpec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  status?: boolean;
  scale?: ScaleSpec;
  storageOf?: string;
}

const BUILTINS: BuiltinSpec[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'], status: true },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'], status: true },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'], status: true },
  { group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', namespaced: true, shortNames: ['ep'] },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'] },
  { group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true, shortNames: ['pvc'], status: true },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'] },
  { group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'], storageOf: '/events' },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, shortNames: ['sts'], categories: ['all'], status: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'], status: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
  { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true, shortNames: ['pdb'], status: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true },
  { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false,
    shortNames: ['crd', 'crds'], categories: ['api-extensions'], status: true },
];

function builtinDef(b: BuiltinSpec): ResourceDef {
  return {
    group: b.group, versions: [b.version], kind: b.kind, listKind: `${b.kind}List`, plural: b.plural,
    singular: b.kind.toLowerCase(), namespaced: b.namespaced, shortNames: b.shortNames ?? [],
    categories: b.categories ?? [], verbs: ALL_VERBS, statusSubresource: b.status ?? false,
    scale: b.scale, custom: false, storageOf: b.storageOf,
  };
}

export function storageKeyOf(def: ResourceDef): string {
  return def.storageOf ?? `${def.group}/${def.plural}`;
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export class Registry {
  private readonly defs = new Map<string, ResourceDef>();
  /** Bumped on every change so discovery and OpenAPI documents can be cached by it. */
  generation = 0;

  constructor() {
    for (const b of BUILTINS) this.put(builtinDef(b));
  }

  put(def: ResourceDef): void {
    this.defs.set(`${def.group}/${def.plural}`, def);
    this.generation++;
  }

  remove(group: string, plural: string): void {
    this.defs.delete(`${group}/${plural}`);
    this.generation++;
  }

  all(): ResourceDef[] {
    return [...this.defs.values()];
  }

  /** The resource served at /apis/<group>/<version>/<plural>, if any. */
  find(group: string, version: string, plural: string): ResourceDef | undefined {
    const def = this.defs.get(`${group}/${plural}`);
    return def && def.versions.includes(version) ? def : undefined;
  }

  byKey(group: string, plural: string): ResourceDef | undefined {
    return this.defs.get(`${group}/${plural}`);
  }

  /** Resolve `pods`, `statefulsets.apps`, `sts`, `VectorCluster` or `vectorclusters.shoal.dev`. */
  resolve(ref: string): ResourceDef | undefined {
    const lower = ref.toLowerCase();
    for (const def of this.defs.values()) {
      const names = [def.plural, def.singular, def.kind.toLowerCase(), ...def.shortNames];
      if (def.group) names.push(...[def.plural, def.singular, def.kind.toLowerCase()].map((n) => `${n}.${def.group}`));
      if (names.includes(lower) && !(def.storageOf && !lower.includes('.'))) return def;
    }
    return undefined;
  }

  /** Owner references name a kind and apiVersion; find the def to look owners up. */
  byKind(apiVersion: string, kind: string): ResourceDef | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return this.all().find((d) => d.group === group && d.kind === kind && d.versions.includes(version));
  }

  /** Group -> served versions (storage/preferred first), for /apis. */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const def of this.defs.values()) {
      const versions = out.get(def.group) ?? [];
      for (const v of def.versions) if (!versions.includes(v)) versions.push(v);
      out.set(def.group, versions);
    }
    return out;
  }

  printerColumns(def: ResourceDef, version: string): PrinterColumn[] | undefined {
    return def.printerColumns?.[version];
  }
}
