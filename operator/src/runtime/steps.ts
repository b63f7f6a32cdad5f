// Reconcile as a table of contents (cass-operator, ECK): an ordered list of small named steps,
// each answering "continue", "requeue after" or "stop", or throwing an error. After the steps,
// the final steps (status) always run, also after a stop or an error, so that status says why.

export type StepResult =
  | { kind: 'continue' }
  | { kind: 'requeue'; afterMs: number; reason: string }
  | { kind: 'stop'; reason: string };

export const CONTINUE: StepResult = { kind: 'continue' };
export const requeueAfter = (afterMs: number, reason: string): StepResult => ({ kind: 'requeue', afterMs, reason });
export const stop = (reason: string): StepResult => ({ kind: 'stop', reason });

export interface Step<C> {
  name: string;
  run(ctx: C): Promise<StepResult> | StepResult;
}

export function step<C>(name: string, run: (ctx: C) => Promise<StepResult> | StepResult): Step<C> {
  return { name, run };
}

export interface StepsContext {
  /** Set when a step threw; final steps may report it. */
  error?: unknown;
  /** The step that ended the chain (stop, requeue or error), for logs and tests. */
  endedAt?: string;
}

export interface Outcome {
  /** Process the key again after this long (the smallest any step asked for). */
  requeueAfterMs?: number;
  endedAt?: string;
  reason?: string;
}

/** Run `steps` until one does not continue, then every final step; rethrow a step's error. */
export async function runSteps<C extends StepsContext>(ctx: C, steps: Step<C>[], finalSteps: Step<C>[]): Promise<Outcome> {
  const outcome: Outcome = {};
  try {
    for (const s of steps) {
      const r = await s.run(ctx);
      if (r.kind === 'continue') continue;
      ctx.endedAt = outcome.endedAt = s.name;
      outcome.reason = r.reason;
      if (r.kind === 'requeue') outcome.requeueAfterMs = r.afterMs;
      break;
    }
  } catch (e) {
    ctx.error = e;
    ctx.endedAt = outcome.endedAt = outcome.endedAt ?? 'error';
  }
  for (const s of finalSteps) {
    const r = await s.run(ctx);
    if (r.kind === 'requeue') outcome.requeueAfterMs = Math.min(outcome.requeueAfterMs ?? Infinity, r.afterMs);
  }
  if (ctx.error !== undefined) throw ctx.error;
  return outcome;
}
