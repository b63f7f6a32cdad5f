// Running the real helm binary (from the npm package, extracted by scripts/ensure-tools.sh) on
// charts/shoal, with HOME and helm's cache, config and data in a temporary folder so that the
// user's own helm setup is never read or touched.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** The repository root: the folder above this file that holds charts/shoal. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'charts', 'shoal', 'Chart.yaml')) || !existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no charts/shoal/Chart.yaml above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

export const ROOT = repoRoot();
export const CHART = join(ROOT, 'charts', 'shoal');
export const HELM = join(ROOT, '.tools', 'helm', 'helm');
export const KUBECTL = join(ROOT, '.tools', 'kubectl', 'kubectl');

/** Extract helm and kubectl into .tools/ when missing (idempotent, about a second). */
export function ensureTools(): void {
  if (!existsSync(HELM) || !existsSync(KUBECTL)) execFileSync(join(ROOT, 'scripts', 'ensure-tools.sh'), { stdio: 'inherit' });
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

/** A private helm home; remove() deletes it. */
export class HelmHome {
  readonly dir = mkdtempSync(join(tmpdir(), 'shoal-helm-'));
  private files = 0;

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: this.dir,
      HELM_CACHE_HOME: join(this.dir, 'cache'),
      HELM_CONFIG_HOME: join(this.dir, 'config'),
      HELM_DATA_HOME: join(this.dir, 'data'),
      KUBECONFIG: join(this.dir, 'no-kubeconfig'),
      ...extra,
    };
  }

  /** Write values as a file (JSON is YAML): numbers stay numbers, unlike --set. */
  valuesFile(values: unknown): string {
    const path = join(this.dir, `values-${++this.files}.json`);
    writeFileSync(path, JSON.stringify(values));
    return path;
  }

  run(args: string[], extraEnv: Record<string, string> = {}, timeoutMs = 60_000): Promise<Run> {
    return new Promise((resolve) => {
      execFile(HELM, args, { env: this.env(extraEnv), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  }

  async ok(args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
    const r = await this.run(args, extraEnv);
    if (r.code !== 0) throw new Error(`helm ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** `helm template` of the chart with these values; every document parsed. */
  async template(values: unknown, opts: { release?: string; namespace?: string; args?: string[] } = {}): Promise<K8sObject[]> {
    const out = await this.ok([
      'template', opts.release ?? 'shoal', CHART, '--namespace', opts.namespace ?? 'shoal-system',
      '-f', this.valuesFile(values), ...(opts.args ?? []),
    ]);
    return parseManifests(out);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Parse a multi-document YAML stream; empty documents are dropped, parse errors thrown. */
export function parseManifests(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`rendered YAML does not parse: ${doc.errors.map((e) => e.message).join('; ')}`);
    const obj = doc.toJS() as K8sObject | null;
    if (obj) out.push(obj);
  }
  return out;
}

export function find(objs: K8sObject[], kind: string, name?: string): K8sObject {
  const hit = objs.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!hit) throw new Error(`no ${kind}${name ? ` named ${name}` : ''} among the rendered objects: ${objs.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return hit;
}

export function kinds(objs: K8sObject[]): string[] {
  return objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
}
