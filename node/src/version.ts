// Shoal's own version (package.json), reported in /v1/meta, /v1/nodes and gossip metadata.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function shoalVersion(): string {
  if (cached) return cached;
  // node/src/version.ts and dist/node/src/version.js both sit three levels below the package root.
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of [['..', '..'], ['..', '..', '..']]) {
    try {
      const pkg = JSON.parse(readFileSync(join(here, ...up, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'shoal') return (cached = pkg.version);
    } catch {
      // try the next level up
    }
  }
  return (cached = 'unknown');
}
