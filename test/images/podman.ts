// Podman through scripts/container-env.sh (rootful podman with the tool's own configuration and
// storage), with every container and volume a test creates remembered for removal.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../chart/helm.js';

export const CONTAINER_ENV = join(ROOT, 'scripts', 'container-env.sh');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 256 * 1024 * 1024, env: opts.env ?? process.env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

export function podman(args: string[], timeoutMs = 120_000): Promise<Run> {
  return run(CONTAINER_ENV, ['podman', ...args], { timeoutMs });
}

export async function podmanOk(args: string[], timeoutMs = 120_000): Promise<string> {
  const r = await podman(args, timeoutMs);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Containers and volumes made by a test, removed (forcefully) by cleanup(), whatever happened. */
export class Resources {
  readonly containers = new Set<string>();
  readonly volumes = new Set<string>();

  async cleanup(): Promise<void> {
    for (const c of this.containers) await podman(['rm', '-f', '-t', '5', c]);
    this.containers.clear();
    for (const v of this.volumes) await podman(['volume', 'rm', '-f', v]);
    this.volumes.clear();
  }
}

/** A TCP port free right now on 127.0.0.1 (for --network host containers). */
export { freePort } from '../support/ports.js';

/**
 * `podman run -d` with a name, registered for cleanup before it starts; confined the way the
 * chart and the operator's StatefulSet run it (read-only root with a tmpfs /tmp, no
 * capabilities, no privilege escalation). No systemd timer runs the HEALTHCHECK here; tests
 * run it with `podman healthcheck run`.
 */
export async function runDetached(res: Resources, name: string, image: string, opts: { env?: Record<string, string>; volumes?: string[]; args?: string[] } = {}): Promise<void> {
  res.containers.add(name);
  const args = ['run', '-d', '--name', name, '--network', 'host', '--health-interval', 'disable',
    '--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];
  for (const [k, v] of Object.entries(opts.env ?? {})) args.push('-e', `${k}=${v}`);
  for (const v of opts.volumes ?? []) args.push('-v', v);
  await podmanOk([...args, image, ...(opts.args ?? [])]);
}

export async function logsOf(name: string): Promise<string> {
  const r = await podman(['logs', '--tail', '40', name]);
  return r.stdout + r.stderr;
}
