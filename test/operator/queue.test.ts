// The work queue and the step runner, on a manual clock: client-go's queue semantics and the
// "table of contents" reconcile contract.
import { expect } from 'chai';
import { WorkQueue } from '../../operator/src/runtime/queue.js';
import { ManualClock } from '../../api/index.js';
import { jitteredMs } from '../../api/index.js';
import { runSteps, step, CONTINUE, stop, requeueAfter, StepsContext } from '../../operator/src/runtime/steps.js';
import { Controller } from '../../operator/src/controllers/controller.js';
import { OperatorMetrics } from '../../operator/src/metrics.js';
import { createLogger } from '../../operator/src/log.js';
import { waitFor } from '../support/wait.js';

const quiet = createLogger('test', 'error');

describe('operator: work queue', () => {
  let clock: ManualClock;
  let q: WorkQueue;
  beforeEach(() => {
    clock = new ManualClock(1000);
    q = new WorkQueue({ clock, backoff: { baseMs: 5, maxMs: 1000 } });
  });

  it('holds a key once however often it is added', async () => {
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    expect(q.len()).to.equal(2);
    expect(await q.get()).to.equal('ns/a');
    expect(await q.get()).to.equal('ns/b');
    expect(q.len()).to.equal(0);
  });

  it('never hands out a key being processed; an add meanwhile queues it again on done', async () => {
    q.add('ns/a');
    const key = await q.get();
    q.add('ns/a');
    q.add('ns/a');
    expect(q.len(), 'not ready while processing').to.equal(0);
    q.done(key!);
    expect(q.len()).to.equal(1);
    expect(await q.get()).to.equal('ns/a');
    q.done('ns/a');
    expect(q.len(), 'processed; nothing dirty').to.equal(0);
  });

  it('backs off per key exponentially until forgotten', () => {
    expect([q.addRateLimited('a'), q.addRateLimited('a'), q.addRateLimited('a'), q.addRateLimited('b')]).to.deep.equal([5, 10, 20, 5]);
    for (let i = 0; i < 20; i++) q.addRateLimited('a');
    expect(q.addRateLimited('a'), 'capped').to.equal(1000);
    q.forget('a');
    expect(q.addRateLimited('a')).to.equal(5);
  });

  it('adds after a delay, keeping the earliest of several delays', () => {
    q.addAfter('a', 100);
    q.addAfter('a', 50);
    q.addAfter('a', 200);
    clock.advance(49);
    expect(q.len()).to.equal(0);
    clock.advance(1);
    expect(q.len()).to.equal(1);
    clock.advance(1000);
    expect(q.len(), 'the later delays were dropped').to.equal(1);
  });

  it('releases waiting workers on shutdown', async () => {
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).to.equal(undefined);
    q.add('a');
    expect(q.len()).to.equal(0);
  });

  it('jitters backoff within [d/2, d]', () => {
    const p = { baseMs: 100, maxMs: 10_000 };
    expect(jitteredMs(3, p, () => 0)).to.equal(400);
    expect(jitteredMs(3, p, () => 0.999999)).to.be.closeTo(800, 0.01);
  });
});

describe('operator: controller workers', () => {
  it('never reconciles one key concurrently and reconciles again after an add during processing', async () => {
    const q = new WorkQueue();
    const active = new Map<string, number>();
    let maxConcurrentPerKey = 0;
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = new Controller({
      name: 'test', workers: 4, queue: q, metrics: new OperatorMetrics(), log: quiet,
      reconcile: async (key) => {
        active.set(key, (active.get(key) ?? 0) + 1);
        maxConcurrentPerKey = Math.max(maxConcurrentPerKey, active.get(key)!);
        runs++;
        if (runs === 1) await gate;
        active.set(key, active.get(key)! - 1);
        return {};
      },
    });
    c.start();
    q.add('ns/a');
    await waitFor(() => runs === 1, { what: 'the first reconcile', timeoutMs: 2000, intervalMs: 1 });
    q.add('ns/a');
    q.add('ns/a');
    await new Promise((r) => setImmediate(r));
    expect(runs, 'second add waits for the first reconcile').to.equal(1);
    release();
    await waitFor(() => runs >= 2, { what: 'the second reconcile', timeoutMs: 2000, intervalMs: 5 });
    await c.stop();
    expect(runs).to.equal(2);
    expect(maxConcurrentPerKey).to.equal(1);
  });

  it('retries a failing key with backoff and counts errors', async () => {
    const q = new WorkQueue({ backoff: { baseMs: 1, maxMs: 10 } });
    const metrics = new OperatorMetrics();
    let calls = 0;
    const c = new Controller({
      name: 'test', workers: 1, queue: q, metrics, log: quiet,
      reconcile: async () => {
        if (++calls < 3) throw Object.assign(new Error('boom'), { code: 500 });
        return {};
      },
    });
    c.start();
    q.add('ns/a');
    await waitFor(() => calls >= 3, { what: 'two retries', timeoutMs: 2000, intervalMs: 5 });
    await c.stop();
    expect(calls).to.equal(3);
    expect(q.numRequeues('ns/a'), 'forgotten after success').to.equal(0);
    const text = await metrics.registry.metrics();
    expect(text).to.match(/shoal_operator_reconcile_errors_total\{controller="test"\} 2/);
    expect(text).to.match(/shoal_operator_reconciles_total\{controller="test",result="done"\} 1/);
  });
});

describe('operator: reconcile steps', () => {
  interface Ctx extends StepsContext {
    trail: string[];
  }

  it('stops at the first step that does not continue, then always runs the final steps', async () => {
    const ctx: Ctx = { trail: [] };
    const out = await runSteps(
      ctx,
      [step('a', (c: Ctx) => (c.trail.push('a'), CONTINUE)), step('b', (c: Ctx) => (c.trail.push('b'), requeueAfter(30, 'wait'))), step('c', (c: Ctx) => (c.trail.push('c'), CONTINUE))],
      [step('status', (c: Ctx) => (c.trail.push('status'), requeueAfter(50, 'later')))],
    );
    expect(ctx.trail).to.deep.equal(['a', 'b', 'status']);
    expect(out).to.deep.equal({ endedAt: 'b', reason: 'wait', requeueAfterMs: 30 });
    const stopped = await runSteps({ trail: [] } as Ctx, [step('x', () => stop('invalid'))], []);
    expect(stopped).to.deep.equal({ endedAt: 'x', reason: 'invalid' });
  });

  it('runs the final steps after an error and rethrows it', async () => {
    const ctx: Ctx = { trail: [] };
    const boom = new Error('boom');
    let seen: unknown;
    const run = runSteps(ctx, [step('a', () => { throw boom; })], [step('status', (c: Ctx) => ((seen = c.error), CONTINUE))]);
    await run.then(() => expect.fail('should throw'), (e) => expect(e).to.equal(boom));
    expect(seen).to.equal(boom);
  });
});
