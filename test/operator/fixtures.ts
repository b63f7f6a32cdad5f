// Fixtures shared by the operator tests: the quickstart resources, builder inputs, golden files.
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { expect } from 'chai';
import { parseVectorClusterSpec } from '../../api/index.js';
import { ClusterInput } from '../../operator/src/build/index.js';
import { repoRoot } from '../../operator/src/paths.js';

export const ROOT = repoRoot(import.meta.url);
export const GOLDEN_DIR = join(ROOT, 'test', 'operator', 'golden');

export interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  spec: Record<string, any>;
  [k: string]: unknown;
}

export function quickstartDocs(namespace = 'default'): { cluster: Doc; cls: Doc } {
  const docs = parseAllDocuments(readFileSync(join(ROOT, 'examples', 'quickstart.yaml'), 'utf8')).map((d) => d.toJSON() as Doc);
  for (const d of docs) d.metadata.namespace = namespace;
  return { cluster: docs.find((d) => d.kind === 'VectorCluster')!, cls: docs.find((d) => d.kind === 'VectorClass')! };
}

/** Builder input for the quickstart cluster with a fixed uid, optionally with spec changes. */
export function quickstartInput(edit: (spec: Record<string, any>) => void = () => {}): ClusterInput {
  const { cluster } = quickstartDocs();
  const spec = structuredClone(cluster.spec);
  edit(spec);
  return { name: cluster.metadata.name, namespace: 'default', uid: 'uid-of-quickstart', spec: parseVectorClusterSpec(spec) };
}

/**
 * Compare `value` with test/operator/golden/<name>.yaml. With SHOAL_UPDATE_GOLDEN=1 the file is
 * (re)written instead: review the diff before committing.
 */
export function expectGolden(name: string, value: unknown): void {
  const path = join(GOLDEN_DIR, `${name}.yaml`);
  const text = stringify(value, { lineWidth: 0 });
  if (process.env.SHOAL_UPDATE_GOLDEN === '1' || !existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    if (process.env.SHOAL_UPDATE_GOLDEN !== '1') throw new Error(`golden file ${path} did not exist; wrote it: review and rerun`);
    return;
  }
  expect(text, `golden file ${path} (SHOAL_UPDATE_GOLDEN=1 rewrites it)`).to.equal(readFileSync(path, 'utf8'));
}

export function readGolden(name: string): unknown {
  return parseAllDocuments(readFileSync(join(GOLDEN_DIR, `${name}.yaml`), 'utf8'))[0].toJSON();
}

/** Paths (dotted) at which two JSON values differ. */
export function diffPaths(a: unknown, b: unknown, path = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return [path || '.'];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => diffPaths((a as any)[k], (b as any)[k], Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k));
}
