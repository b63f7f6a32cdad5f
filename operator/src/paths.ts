// Locating repository files from compiled code, wherever the build output lives (dist/,
// dist-op/, ...): walk up from this module to the package root.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory holding Shoal's package.json, found by walking up from `from`. */
export function repoRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'shoal') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json of "shoal" above ${fileURLToPath(from)}`);
    dir = up;
  }
}
