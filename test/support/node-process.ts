// Start and stop real node processes (`node <dist>/node/main.js`) for tests: a free port
// chosen by the node itself (SHOAL_HTTP_PORT=0, read back from its "listening" log line), a
// temporary data directory, captured logs. Every started process is killed by stopAllNodes()
// (call it in an after hook) and, as a last resort, when the test process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JsonClient } from './http-client.js';
import { waitFor } from './wait.js';

/** The compiled node entry, next to this compiled helper: <dist>/node/main.js. */
export const NODE_MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node', 'main.js');

export interface NodeProcessOptions {
  /** Reuse a data directory (restart tests); a fresh temporary one otherwise. */
  dataDir?: string;
  nodeName?: string;
  apiKeys?: string[];
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  /** Flags for node itself, before the script (`--cpu-prof` when profiling a bench). */
  nodeArgs?: string[];
  /** How long to wait for the "listening" line. */
  startTimeoutMs?: number;
}

export interface NodeProcess {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** A JSON client for this node (with the first API key, if any). */
  client: JsonClient;
  /** Everything the node wrote to stderr and stdout so far. */
  logs(): string;
  waitReady(timeoutMs?: number): Promise<void>;
  /** SIGTERM and wait for exit (graceful: snapshots are written). Resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit: the crash case. */
  kill9(): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();

process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export function tempDataDir(prefix = 'shoal-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

function waitExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, signal: child.signalCode });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

export async function startNodeProcess(opts: NodeProcessOptions = {}): Promise<NodeProcess> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    SHOAL_HTTP_PORT: '0',
    SHOAL_HTTP_HOST: '127.0.0.1',
    SHOAL_DATA_DIR: dataDir,
    SHOAL_NODE_NAME: opts.nodeName ?? 'node-0',
    SHOAL_WORKERS: '1',
    ...(opts.apiKeys ? { SHOAL_API_KEYS: opts.apiKeys.join(',') } : {}),
    ...opts.env,
  };
  if (!opts.apiKeys && !opts.env?.SHOAL_API_KEYS) delete env.SHOAL_API_KEYS;
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), NODE_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = waitExit(child).then((r) => (running.delete(child), r));
  let output = '';
  let port = 0;
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    if (!port) {
      const m = /"msg":"listening".*?"port":(\d+)/.exec(output);
      if (m) port = Number(m[1]);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((r) => (exit = r));
  await waitFor(() => port || exit, { timeoutMs: opts.startTimeoutMs ?? 30_000, what: 'the node to listen' }).catch((e) => {
    child.kill('SIGKILL');
    throw e;
  });
  if (!port) throw new Error(`node exited during start (${exit!.code ?? exit!.signal}):\n${output}`);
  const url = `http://127.0.0.1:${port}`;
  const client = new JsonClient(url, opts.apiKeys ? { authorization: `Bearer ${opts.apiKeys[0]}` } : {});
  return {
    url, port, dataDir, child, client, exited,
    logs: () => output,
    waitReady: async (timeoutMs = 60_000) => {
      await waitFor(async () => (await fetch(`${url}/v1/.well-known/ready`)).status === 200, { timeoutMs, what: 'the node to be ready' });
    },
    stop: async () => {
      child.kill('SIGTERM');
      return (await exited).code;
    },
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Kill every node still running and remove the temporary data directories. */
export async function stopAllNodes(): Promise<void> {
  const children = [...running];
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(children.map(waitExit));
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}
