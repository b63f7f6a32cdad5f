// One local pod's process: started, restarted after a crash with exponential backoff (like the
// kubelet's CrashLoopBackOff, capped), stopped with SIGTERM then SIGKILL after a grace period.
// Output goes to a log file per pod, appended across restarts.
import { spawn, ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export interface SupervisorOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  logFile: string;
  /** Called after each start with the new pid, and after each exit. */
  onChange?: (s: Supervisor) => void;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A process that stayed up this long resets the backoff. */
  stableAfterMs?: number;
  terminationGraceMs?: number;
}

export class Supervisor {
  private child?: ChildProcess;
  private log: WriteStream;
  private stopped = false;
  private backoffMs: number;
  private restartTimer?: NodeJS.Timeout;
  private startedAt = 0;
  restarts = 0;
  lastExit?: { code: number | null; signal: NodeJS.Signals | null };

  constructor(private readonly opts: SupervisorOptions) {
    mkdirSync(dirname(opts.logFile), { recursive: true });
    this.log = createWriteStream(opts.logFile, { flags: 'a' });
    this.backoffMs = opts.initialBackoffMs ?? 500;
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  get running(): boolean {
    return this.pid !== undefined;
  }

  start(): void {
    if (this.stopped || this.running) return;
    this.startedAt = Date.now();
    const child = spawn(this.opts.command, this.opts.args, { env: this.opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    child.on('exit', (code, signal) => this.exited(code, signal));
    child.on('error', (err) => this.log.write(`supervisor: spawn failed: ${err.message}\n`));
    this.opts.onChange?.(this);
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    this.lastExit = { code, signal };
    this.log.write(`supervisor: process exited code=${code} signal=${signal}\n`);
    this.opts.onChange?.(this);
    if (this.stopped) return;
    const stable = Date.now() - this.startedAt >= (this.opts.stableAfterMs ?? 10_000);
    if (stable) this.backoffMs = this.opts.initialBackoffMs ?? 500;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 10_000);
    this.restarts++;
    this.restartTimer = setTimeout(() => this.start(), delay);
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), this.opts.terminationGraceMs ?? 10_000);
      await gone;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => this.log.end(resolve));
  }
}
