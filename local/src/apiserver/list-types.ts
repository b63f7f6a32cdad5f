// Which lists are merged by key or as sets, for server-side apply ownership. Built-ins use the
// patch-merge-key table of strategic merge patch; CRs use their schema's
// `x-kubernetes-list-type` / `x-kubernetes-list-map-keys` (atomic when unset, as upstream).
import type { ListType, ListTypeFn } from './managed-fields.js';
import { mergeKeyFor } from './patch.js';
import type { ResourceDef } from './types.js';
import { isObject } from './util.js';

type Schema = Record<string, unknown>;

function metadataListType(names: string[]): ListType | null {
  if (names[0] !== 'metadata') return null;
  if (names[1] === 'finalizers' && names.length === 2) return { type: 'set' };
  if (names[1] === 'ownerReferences' && names.length === 2) return { type: 'map', keys: ['uid'] };
  return undefined;
}

function builtinListType(names: string[]): ListType {
  const key = mergeKeyFor(names);
  return key ? { type: 'map', keys: [key] } : undefined;
}

function schemaAt(schema: Schema | undefined, names: string[]): Schema | undefined {
  let s = schema;
  for (const name of names) {
    if (!s) return undefined;
    if (s.type === 'array' && isObject(s.items)) s = s.items as Schema;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    s = props[name] ?? (isObject(s.additionalProperties) ? (s.additionalProperties as Schema) : undefined);
  }
  return s;
}

export function listTypeFor(def: ResourceDef, version: string): ListTypeFn {
  const schema = def.schemas?.[version] as Schema | undefined;
  return (names) => {
    const meta = metadataListType(names);
    if (meta !== null) return meta;
    if (!def.custom) return builtinListType(names);
    const s = schemaAt(schema, names);
    if (s?.['x-kubernetes-list-type'] === 'map') return { type: 'map', keys: (s['x-kubernetes-list-map-keys'] ?? []) as string[] };
    if (s?.['x-kubernetes-list-type'] === 'set') return { type: 'set' };
    return undefined;
  };
}
