// `kubectl get` asks for `as=Table`: rows with the CRD's additionalPrinterColumns (or a few
// built-in column sets), each row carrying the object's metadata (or the whole object).
import { ApiError } from './errors.js';
import type { JsonObject, KObject, PrinterColumn, ResourceDef } from './types.js';
import { getPath, humanDuration } from './util.js';

const NAME_COLUMN = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 };
const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

type Cell = (o: KObject) => unknown;
interface BuiltinColumn { name: string; type: string; cell: Cell }

const len = (v: unknown): number => (v && typeof v === 'object' ? Object.keys(v).length : 0);

const BUILTIN_COLUMNS: Record<string, BuiltinColumn[]> = {
  '/pods': [
    { name: 'Ready', type: 'string', cell: (o) => {
      const cs = (getPath(o, 'status.containerStatuses') ?? []) as { ready?: boolean }[];
      const total = ((getPath(o, 'spec.containers') ?? []) as unknown[]).length;
      return `${cs.filter((c) => c.ready).length}/${total}`;
    } },
    { name: 'Status', type: 'string', cell: (o) => (o.metadata.deletionTimestamp ? 'Terminating' : getPath(o, 'status.phase') ?? 'Pending') },
    { name: 'Restarts', type: 'string', cell: (o) => ((getPath(o, 'status.containerStatuses') ?? []) as { restartCount?: number }[]).reduce((n, c) => n + (c.restartCount ?? 0), 0) },
  ],
  'apps/statefulsets': [{ name: 'Ready', type: 'string', cell: (o) => `${getPath(o, 'status.readyReplicas') ?? 0}/${getPath(o, 'spec.replicas') ?? 0}` }],
  'apps/deployments': [
    { name: 'Ready', type: 'string', cell: (o) => `${getPath(o, 'status.readyReplicas') ?? 0}/${getPath(o, 'spec.replicas') ?? 0}` },
    { name: 'Up-to-date', type: 'integer', cell: (o) => getPath(o, 'status.updatedReplicas') ?? 0 },
    { name: 'Available', type: 'integer', cell: (o) => getPath(o, 'status.availableReplicas') ?? 0 },
  ],
  '/services': [
    { name: 'Type', type: 'string', cell: (o) => getPath(o, 'spec.type') ?? 'ClusterIP' },
    { name: 'Cluster-IP', type: 'string', cell: (o) => getPath(o, 'spec.clusterIP') ?? '' },
    { name: 'External-IP', type: 'string', cell: () => '<none>' },
    { name: 'Port(s)', type: 'string', cell: (o) => ((getPath(o, 'spec.ports') ?? []) as { port: number; protocol?: string }[]).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',') || '<none>' },
  ],
  '/configmaps': [{ name: 'Data', type: 'integer', cell: (o) => len(o.data) + len(o.binaryData) }],
  '/secrets': [{ name: 'Type', type: 'string', cell: (o) => o.type ?? 'Opaque' }, { name: 'Data', type: 'integer', cell: (o) => len(o.data) }],
  '/namespaces': [{ name: 'Status', type: 'string', cell: (o) => getPath(o, 'status.phase') ?? 'Active' }],
  '/persistentvolumeclaims': [
    { name: 'Status', type: 'string', cell: (o) => getPath(o, 'status.phase') ?? 'Pending' },
    { name: 'Capacity', type: 'string', cell: (o) => getPath(o, 'status.capacity.storage') ?? '' },
    { name: 'StorageClass', type: 'string', cell: (o) => getPath(o, 'spec.storageClassName') ?? '<unset>' },
  ],
  'coordination.k8s.io/leases': [{ name: 'Holder', type: 'string', cell: (o) => getPath(o, 'spec.holderIdentity') ?? '' }],
};

/** Simple JSONPath (`.status.phase`, `.spec.items[0].name`) as CRD printer columns use. */
function jsonPath(obj: KObject, path: string): unknown {
  const norm = path.replace(/^\{?\.?/, '').replace(/\}$/, '').replace(/\[(\d+)\]/g, '.$1');
  let cur: unknown = obj;
  for (const part of norm.split('.').filter(Boolean)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function renderCell(type: string, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (type === 'date') return humanDuration(Date.now() - Date.parse(String(v)));
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}

export function toTable(def: ResourceDef, version: string, items: KObject[], listRv: string, includeObject: string, cont?: string): JsonObject {
  if (!['Metadata', 'Object', 'None', ''].includes(includeObject)) throw new ApiError(400, 'BadRequest', `includeObject=${includeObject} is not one of Metadata, Object, None`);
  const custom = def.custom ? (def.printerColumns?.[version] ?? []) : undefined;
  const builtin = BUILTIN_COLUMNS[`${def.group}/${def.plural}`] ?? [];
  const columns: { name: string; type: string; cell: Cell; priority: number; description: string }[] = custom
    ? (custom.length ? custom : [AGE]).map((c) => ({ name: c.name, type: c.type, priority: c.priority ?? 0, description: c.description ?? '', cell: (o: KObject) => renderCell(c.type, jsonPath(o, c.jsonPath)) }))
    : [...builtin.map((c) => ({ ...c, priority: 0, description: '' })), { name: 'Age', type: 'string', priority: 0, description: 'CreationTimestamp', cell: (o: KObject) => renderCell('date', o.metadata.creationTimestamp) }];
  const rows = items.map((o) => {
    const row: JsonObject = { cells: [o.metadata.name ?? '', ...columns.map((c) => c.cell(o))] as JsonObject[] };
    if (includeObject === 'Object') row.object = o as unknown as JsonObject;
    else if (includeObject !== 'None') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } as unknown as JsonObject;
    return row;
  });
  const metadata: JsonObject = { resourceVersion: listRv };
  if (cont) metadata.continue = cont;
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata,
    columnDefinitions: [NAME_COLUMN, ...columns.map((c) => ({ name: c.name, type: c.type === 'date' ? 'string' : c.type, format: '', description: c.description, priority: c.priority }))],
    rows,
  };
}
