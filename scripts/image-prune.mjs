#!/usr/bin/env node
// image-prune.mjs APP_DIR — shrink APP_DIR/node_modules to what APP_DIR/dist actually imports.
//
// Used inside the image builds (node/Dockerfile, operator/Dockerfile). One root package.json
// serves both images, so `npm prune --omit=dev` alone would leave the node's native storage
// engine (hnswlib-node, lmdb) in the operator image and the operator-only packages in the node
// image. Instead the roots are read from the compiled code itself: every bare import specifier
// in APP_DIR/dist/**/*.js (static `from '…'`, side-effect `import '…'`, `import('…')`,
// `require('…')`). From those roots the dependency closure is resolved on disk the way Node
// resolves packages (nearest node_modules upwards), following dependencies,
// optionalDependencies and installed peerDependencies. Every package outside the closure is
// deleted, and so are files never loaded at run time (type declarations, source maps, docs,
// node-gyp intermediates, musl prebuilds on a glibc image).
//
// A dependency the code loads some other way (a computed specifier) would be missed: the
// Dockerfiles therefore load the whole entry point's module graph after pruning (`--help`),
// which fails the build loudly if anything is missing.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';

const app = process.argv[2];
if (!app || !existsSync(join(app, 'package.json')) || !existsSync(join(app, 'dist'))) {
  console.error('usage: image-prune.mjs APP_DIR   (APP_DIR holds package.json, node_modules and dist)');
  process.exit(2);
}
const modules = join(app, 'node_modules');
const builtins = new Set(builtinModules);

function* files(dir, test) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path, test);
    else if (test(entry.name)) yield path;
  }
}

/** Package name of a bare specifier: `a/b/c` -> `a`, `@s/a/b` -> `@s/a`; undefined for builtins. */
function packageName(spec) {
  if (spec.startsWith('node:') || builtins.has(spec.split('/')[0])) return undefined;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function rootsFromDist() {
  // Package-name characters only, so that prose in strings ("… from 'x'") rarely matches; a
  // false match naming no installed package is reported and ignored (see closure()).
  const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([@a-z0-9][\w@./-]*)['"]/gi;
  const roots = new Set();
  for (const file of files(join(app, 'dist'), (n) => /\.(m|c)?js$/.test(n))) {
    for (const m of readFileSync(file, 'utf8').matchAll(specifier)) {
      const name = packageName(m[1]);
      if (name) roots.add(name);
    }
  }
  return roots;
}

/** Directory of package `name` as required from directory `from`, or undefined. */
function resolvePackage(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === app || dirname(dir) === dir) return undefined;
  }
}

function closure(roots) {
  const keep = new Set();
  const missing = [];
  // A root that is not installed is only a warning: the regex may have matched text in a
  // string; a real missing import fails the Dockerfile's module-graph load right after.
  const queue = [...roots].map((name) => ({ name, from: app, optional: true }));
  while (queue.length) {
    const { name, from, optional } = queue.pop();
    const dir = resolvePackage(name, from);
    if (!dir) {
      if (from === app) console.warn(`image-prune: warning: dist mentions '${name}', which is not installed; ignored`);
      else if (!optional) missing.push(`${name} (needed by ${relative(app, from)})`);
      continue;
    }
    if (keep.has(dir)) continue;
    keep.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) queue.push({ name: dep, from: dir, optional: false });
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) queue.push({ name: dep, from: dir, optional: true });
    for (const dep of Object.keys(pkg.peerDependencies ?? {})) queue.push({ name: dep, from: dir, optional: true });
  }
  return { keep, missing };
}

/** Every installed package directory under node_modules, nested ones included. */
function* installed(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.name.startsWith('@')) {
      for (const scoped of readdirSync(path, { withFileTypes: true })) {
        if (!scoped.isDirectory()) continue;
        yield join(path, scoped.name);
        yield* installed(join(path, scoped.name, 'node_modules'));
      }
    } else {
      yield path;
      yield* installed(join(path, 'node_modules'));
    }
  }
}

function sizeBytes(path) {
  const s = statSync(path, { throwIfNoEntry: false });
  if (!s) return 0;
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const entry of readdirSync(path)) total += sizeBytes(join(path, entry));
  return total;
}

const JUNK_FILE = /(\.d\.[cm]?ts|\.map|\.md|\.markdown|\.musl\.node|^\.npmignore|^\.eslintrc.*|^tsconfig\.json)$/i;
/** node-gyp intermediates: the linked addon is build/Release/*.node. */
const JUNK_DIR = new Set(['obj.target', '.deps']);

function removeJunk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (JUNK_DIR.has(entry.name)) rmSync(path, { recursive: true, force: true });
      else removeJunk(path);
    } else if (JUNK_FILE.test(entry.name)) {
      rmSync(path, { force: true });
    }
  }
}

const before = sizeBytes(modules);
const roots = rootsFromDist();
const { keep, missing } = closure(roots);
if (missing.length) {
  console.error(`image-prune: dependencies not installed: ${missing.join(', ')}; run npm ci before pruning`);
  process.exit(1);
}
let removed = 0;
for (const dir of [...installed(modules)]) {
  if (!keep.has(dir) && existsSync(dir)) {
    rmSync(dir, { recursive: true, force: true });
    removed++;
  }
}
// Scope folders (@scope/) left empty by the removals.
for (const entry of readdirSync(modules)) {
  const path = join(modules, entry);
  if (entry.startsWith('@') && readdirSync(path).length === 0) rmSync(path, { recursive: true });
}
rmSync(join(modules, '.bin'), { recursive: true, force: true });
rmSync(join(modules, '.package-lock.json'), { force: true });
removeJunk(modules);
// Load every root package from APP_DIR (native addons included): a package pruned by mistake,
// or an addon that does not load, fails the image build here rather than at run time.
for (const name of [...roots].sort()) {
  if (!resolvePackage(name, app)) continue;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(name)})`], { cwd: app, encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`image-prune: '${name}' does not load after pruning:\n${r.stderr}`);
    process.exit(1);
  }
}
const mb = (n) => `${(n / 1048576).toFixed(1)} MB`;
console.log(`image-prune: roots ${[...roots].sort().join(' ')}`);
console.log(`image-prune: kept ${keep.size} packages, removed ${removed}; node_modules ${mb(before)} -> ${mb(sizeBytes(modules))}`);
