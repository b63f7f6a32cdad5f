// Reading the Prometheus text exposition format, checking it against the catalogue, and running
// `promtool check metrics` on it; plus starting a real operator process for scrapes.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CatalogueEntry } from './catalogue.js';

export interface Family {
  name: string;
  type?: string;
  help?: string;
  samples: { series: string; labels: Record<string, string>; value: number }[];
}

/** Families by name, from # HELP / # TYPE lines and the samples under them. */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, samples: [] }));
    return f;
  };
  let current: Family | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      current = family(meta[2]);
      if (meta[1] === 'TYPE') current.type = meta[3];
      else current.help = meta[3];
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \d+)?$/.exec(line);
    if (!sample) throw new Error(`not a valid exposition line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const m of (sample[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]] = m[2];
    const owner = current && (sample[1] === current.name || sample[1].startsWith(`${current.name}_`)) ? current : family(sample[1]);
    owner.samples.push({ series: sample[1], labels, value: Number(sample[4]) });
  }
  return families;
}

/** What is wrong with `entry` in this scrape; `requireSamples` also wants at least one sample. */
export function catalogueProblems(families: Map<string, Family>, entry: CatalogueEntry, requireSamples: boolean): string[] {
  const f = families.get(entry.name);
  if (!f) return [`${entry.name}: not exported`];
  const problems: string[] = [];
  if (f.type !== entry.type) problems.push(`${entry.name}: type ${f.type}, catalogue says ${entry.type}`);
  if (!f.help) problems.push(`${entry.name}: no HELP text`);
  if (requireSamples && f.samples.length === 0) problems.push(`${entry.name}: no samples`);
  const want = [...entry.labels].sort().join(',');
  for (const s of f.samples) {
    const got = Object.keys(s.labels).filter((l) => l !== 'le' && l !== 'quantile').sort().join(',');
    if (got !== want) {
      problems.push(`${entry.name}: sample ${s.series} has labels [${got}], catalogue says [${want}]`);
      break;
    }
  }
  if (entry.type === 'histogram' && f.samples.length > 0) {
    for (const suffix of ['_bucket', '_sum', '_count']) {
      if (!f.samples.some((s) => s.series === entry.name + suffix)) problems.push(`${entry.name}: histogram without ${suffix}`);
    }
  }
  return problems;
}

/** `promtool check metrics` on an exposition text: exit code and its findings. */
export function promtoolCheckMetrics(text: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile('promtool', ['check', 'metrics'], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr });
    });
    child.stdin?.end(text);
  });
}

/** The compiled operator entry beside this compiled file: <dist>/operator/main.js. */
export const OPERATOR_MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'operator', 'main.js');

export interface OperatorProcess {
  url: string;
  child: ChildProcess;
  logs(): string;
  stop(): Promise<void>;
}

/** Start `node operator/main.js` with `env`; resolves once its HTTP port is up (it logs the URL). */
export async function startOperatorProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<OperatorProcess> {
  const child = spawn(process.execPath, [OPERATOR_MAIN], {
    env: { PATH: process.env.PATH ?? '', SHOAL_OPERATOR_HTTP_PORT: '0', SHOAL_OPERATOR_HTTP_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = output.split('\n').find((l) => l.includes('"operator started"'));
    if (line) return { url: (JSON.parse(line) as { http: string }).http, child, logs: () => output, stop };
    if (child.exitCode !== null) throw new Error(`the operator exited with ${child.exitCode} before serving:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the operator did not log "operator started" within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
