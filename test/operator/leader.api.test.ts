// API tests of leader election on a coordination.k8s.io/v1 Lease: two operator replicas never
// reconcile at once; a released lease is taken over quickly; a leader that cannot renew stops
// reconciling and exits before anyone else can take over.
import { expect } from 'chai';
import { TestEnv } from './env.js';
import { Operator, LeaderElectionConfig } from '../../operator/src/index.js';

const LEASE = { leaseName: 'shoal-operator', leaseNamespace: 'default', leaseDurationMs: 1200, renewDeadlineMs: 800, retryPeriodMs: 150 };

interface Span {
  op: string;
  start: number;
  end?: number;
}

/** Records every reconcile of every replica, to check that no two replicas overlap. */
class Timeline {
  readonly spans: Span[] = [];
  private open = new Map<string, Span[]>();
  hooks(op: string) {
    return {
      onReconcileStart: () => {
        const span = { op, start: performance.now() };
        this.spans.push(span);
        this.open.set(op, [...(this.open.get(op) ?? []), span]);
      },
      onReconcileEnd: () => {
        const spans = this.open.get(op)!;
        spans.shift()!.end = performance.now();
      },
    };
  }
  /** Pairs of spans of different replicas that overlap in time. */
  overlaps(): Array<[Span, Span]> {
    const out: Array<[Span, Span]> = [];
    for (const a of this.spans)
      for (const b of this.spans)
        if (a.op < b.op && a.start < (b.end ?? Infinity) && b.start < (a.end ?? Infinity)) out.push([a, b]);
    return out;
  }
  ops(): string[] {
    return [...new Set(this.spans.map((s) => s.op))];
  }
}

describe('operator API tests: leader election', function () {
  this.timeout(30_000);
  let env: TestEnv;
  let timeline: Timeline;
  beforeEach(async () => {
    env = await TestEnv.start();
    timeline = new Timeline();
  });
  afterEach(async () => env.close());

  async function replica(identity: string): Promise<Operator> {
    const leaderElection: LeaderElectionConfig = { ...LEASE, identity };
    return env.operator({ identity, leaderElection, hooks: timeline.hooks(identity) });
  }

  it('lets one replica reconcile, hands over on release, and never overlaps', async () => {
    const a = await replica('a');
    await env.until('a leads', () => a.isActive());
    const b = await replica('b');
    env.applyQuickstart();
    await env.until('placed', () => env.get('vectorclasses', 'article')?.status?.sharding);
    expect(b.isLeader() || b.isActive(), 'b stands by').to.equal(false);
    expect(timeline.ops()).to.deep.equal(['a']);
    const lease = env.get('leases.coordination.k8s.io', 'shoal-operator');
    expect(lease.spec).to.include({ holderIdentity: 'a', leaseDurationSeconds: 2, leaseTransitions: 0 });

    const released = performance.now();
    await a.stop();
    expect(env.get('leases.coordination.k8s.io', 'shoal-operator').spec.holderIdentity, 'released').to.equal('');
    await env.until('b holds the lease', () => env.get('leases.coordination.k8s.io', 'shoal-operator').spec.holderIdentity === 'b');
    expect(performance.now() - released, 'no wait for the lease to expire').to.be.below(LEASE.leaseDurationMs);
    await env.until('b leads', () => b.isActive());
    env.applyQuickstart({ cluster: (c) => (c.spec.image = 'ghcr.io/shoal-dev/shoal:0.2.0') });
    await env.until('b applied the edit', () => env.get('statefulsets', 'quickstart')?.spec.template.spec.containers[0].image.endsWith('0.2.0'));
    expect(timeline.ops()).to.deep.equal(['a', 'b']);
    expect(timeline.overlaps()).to.deep.equal([]);
    expect(env.get('leases.coordination.k8s.io', 'shoal-operator').spec).to.include({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('stops reconciling and exits when renewal fails past the deadline; the standby takes over after expiry', async () => {
    const a = await replica('a');
    await env.until('a leads', () => a.isActive());
    const b = await replica('b');
    env.applyQuickstart();
    await env.until('placed', () => env.get('vectorclasses', 'article')?.status?.sharding);

    env.srv.failNext(10_000, { verb: 'update', resource: 'leases' }, 500);
    const reason = await a.exited;
    expect(reason).to.match(/^lost leadership: lease not renewed for 800 ms/);
    expect(a.isActive()).to.equal(false);
    const lostAt = performance.now();
    env.srv.clearFaults();
    await env.until('b leads', () => b.isActive());
    env.applyQuickstart({ cluster: (c) => (c.spec.replicas = 4) });
    await env.until('b applied the edit', () => env.get('statefulsets', 'quickstart')?.spec.replicas === 4);
    expect(timeline.overlaps()).to.deep.equal([]);
    const lastOfA = Math.max(...timeline.spans.filter((s) => s.op === 'a').map((s) => s.end!));
    const firstOfB = Math.min(...timeline.spans.filter((s) => s.op === 'b').map((s) => s.start));
    expect(lastOfA).to.be.below(lostAt + 1);
    expect(firstOfB).to.be.above(lastOfA);
  });
});
