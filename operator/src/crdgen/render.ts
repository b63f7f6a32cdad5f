// Rendering of the CRDs to YAML: the exact bytes of crds/*.yaml.
import { stringify } from 'yaml';
import { allCrds } from '../../../api/index.js';

const HEADER =
  '# Generated from api/src/resources by operator/src/crdgen/cli.ts; do not edit.\n' +
  '# Regenerate: npx tsc -p tsconfig.json && node dist/operator/src/crdgen/cli.js\n';

/** File name under crds/ -> YAML text. */
export function renderCrds(): Map<string, string> {
  const out = new Map<string, string>();
  for (const { file, crd } of allCrds()) out.set(file, HEADER + stringify(crd, { lineWidth: 0 }));
  return out;
}
