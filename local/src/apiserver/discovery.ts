// Discovery documents in their legacy (non-aggregated) shapes, which kubectl, helm and
// client-node all accept: /api, /apis, /apis/<group>, /api/v1 and /apis/<group>/<version>.
import { apiVersionOf, type Registry } from './resources.js';
import type { JsonObject } from './types.js';

const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

export function versionInfo(): JsonObject {
  return {
    major: '1', minor: '32', gitVersion: 'v1.32.0', gitCommit: 'shoal-local', gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z', goVersion: 'go1.23.0', compiler: 'gc', platform: 'linux/amd64',
  };
}

export function coreVersions(serverAddress: string): JsonObject {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(name: string, versions: string[]): JsonObject {
  const vs = versions.map((v) => ({ groupVersion: apiVersionOf(name, v), version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function groupList(registry: Registry): JsonObject {
  const groups = [...registry.groups()].filter(([g]) => g !== '').sort(([a], [b]) => a.localeCompare(b));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(([g, vs]) => groupEntry(g, vs)) };
}

export function group(registry: Registry, name: string): JsonObject | undefined {
  const versions = registry.groups().get(name);
  return versions && name ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(name, versions) } : undefined;
}

export function resourceList(registry: Registry, group: string, version: string): JsonObject | undefined {
  const defs = registry.all().filter((d) => d.group === group && d.versions.includes(version));
  if (defs.length === 0) return undefined;
  const resources: JsonObject[] = [];
  for (const d of defs.sort((a, b) => a.plural.localeCompare(b.plural))) {
    const r: JsonObject = { name: d.plural, singularName: d.singular, namespaced: d.namespaced, kind: d.kind, verbs: d.verbs };
    if (d.shortNames.length) r.shortNames = d.shortNames;
    if (d.categories.length) r.categories = d.categories;
    resources.push(r);
    if (d.statusSubresource) resources.push({ name: `${d.plural}/status`, singularName: '', namespaced: d.namespaced, kind: d.kind, verbs: SUBRESOURCE_VERBS });
    if (d.scale) resources.push({ name: `${d.plural}/scale`, singularName: '', namespaced: d.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: SUBRESOURCE_VERBS });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
}
