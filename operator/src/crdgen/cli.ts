// Writes crds/*.yaml from the resource declarations in api/src/resources.
//   node dist/operator/src/crdgen/cli.js           write the files
//   node dist/operator/src/crdgen/cli.js --check   exit 1 if a committed file differs
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { renderCrds } from './render.js';
import { repoRoot } from '../paths.js';

function main(argv: string[]): number {
  const dir = join(repoRoot(import.meta.url), 'crds');
  const check = argv.includes('--check');
  let stale = 0;
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of renderCrds()) {
    const path = join(dir, file);
    const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (current === text) continue;
    if (check) {
      stale++;
      process.stderr.write(`crds/${file} differs from api/src/resources; run node dist/operator/src/crdgen/cli.js\n`);
    } else {
      writeFileSync(path, text);
      process.stdout.write(`wrote crds/${file}\n`);
    }
  }
  return stale ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
