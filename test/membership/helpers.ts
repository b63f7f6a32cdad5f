// Helpers for the real-process membership tests: spawn gossip agents, query them, poll with
// deadlines. Agents are always killed by killAll(), even when a test fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

/** The compiled agent next to this compiled file (works for any build output directory). */
export const AGENT_PATH = fileURLToPath(new URL('./fixtures/agent.js', import.meta.url));

export interface Agent {
  name: string;
  proc: ChildProcess;
  httpPort: number;
  /** Gossip address "127.0.0.1:port". */
  gossip: string;
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<Agent>();

/** Start an agent on 127.0.0.1 with the fast profile; resolves once it prints READY. */
export function startAgent(name: string, env: Record<string, string | undefined>, readyTimeoutMs = 20_000): Promise<Agent> {
  const fullEnv: Record<string, string | undefined> = {
    ...process.env,
    SHOAL_NODE_NAME: name,
    SHOAL_HTTP_PORT: '0',
    SHOAL_GOSSIP_PORT: '0',
    SHOAL_GOSSIP_BIND: '127.0.0.1',
    SHOAL_ADVERTISE_ADDR: '127.0.0.1',
    SHOAL_GOSSIP_PROFILE: 'fast',
    SHOAL_LOG_LEVEL: 'warn',
    SHOAL_JOIN: undefined,
    ...env,
  };
  for (const k of Object.keys(fullEnv)) if (fullEnv[k] === undefined) delete fullEnv[k];
  const proc = spawn(process.execPath, [AGENT_PATH], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  proc.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`agent ${name} not ready within ${readyTimeoutMs} ms; stderr: ${stderr.join('')}`));
    }, readyTimeoutMs);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\{.*\})\n/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const info = JSON.parse(m[1]) as { httpPort: number; gossip: string };
      const agent: Agent = { name, proc, httpPort: info.httpPort, gossip: info.gossip, stderr, exited };
      running.add(agent);
      void exited.then(() => running.delete(agent));
      resolve(agent);
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`agent ${name} exited (${code ?? signal}) before READY; stderr: ${stderr.join('')}`));
    });
  });
}

/** SIGKILL every agent still running (for after/afterEach). */
export async function killAll(): Promise<void> {
  const all = [...running];
  for (const a of all) {
    a.proc.kill('SIGCONT');
    a.proc.kill('SIGKILL');
  }
  await Promise.all(all.map((a) => a.exited));
}

export function getJson<T>(port: number, path: string, timeoutMs = 1_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as T);
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} on :${port} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export interface NodesBody {
  nodes: { name: string; status: string; version: string }[];
}

export interface MembersBody {
  self: string;
  health: number;
  members: { name: string; state: string; incarnation: number; address: string; meta: Record<string, string> }[];
}

/** Gossip state of `subject` in `observer`'s view (undefined if unknown). */
export async function stateIn(observer: Agent, subject: string): Promise<string | undefined> {
  const body = await getJson<MembersBody>(observer.httpPort, '/debug/members');
  return body.members.find((m) => m.name === subject)?.state;
}

/**
 * Call `check` every `everyMs` until it returns true or `deadlineMs` pass; returns the elapsed
 * time. Throws with `what` and the last observation on timeout. A throwing check counts as false.
 */
export async function pollUntil(what: string, check: () => Promise<boolean>, deadlineMs: number, everyMs = 100): Promise<number> {
  const start = Date.now();
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return Date.now() - start;
    } catch (err) {
      last = err;
    }
    if (Date.now() - start > deadlineMs) throw new Error(`${what}: not true within ${deadlineMs} ms${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
