// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics:
//  - acquire: create the Lease, or take it over when its holder has not renewed it for
//    leaseDuration (measured on OUR clock from when we last saw the record change, so clock
//    skew between replicas does not matter); writes are compare-and-swap on resourceVersion;
//  - renew every retryPeriod; if renewal has not succeeded for renewDeadline (< leaseDuration),
//    or another holder shows up, leadership is lost: the caller must stop reconciling and exit,
//    before anyone else can acquire (leaseDuration - renewDeadline is the safety margin);
//  - release on shutdown by clearing the holder, so a successor need not wait out the lease.
import { CoordinationV1Api, KubeConfig, V1Lease, V1MicroTime } from '@kubernetes/client-node';
import { Clock, realClock, sleep } from '../../../api/index.js';
import { Logger } from '../log.js';
import { isConflict, isNotFound, messageOf } from '../../../api/index.js';

export interface LeaderElectionConfig {
  leaseName: string;
  leaseNamespace: string;
  /** Unique per replica: the pod name. */
  identity: string;
  /** How long a lease is valid without renewal; controller-runtime's default 15 s. */
  leaseDurationMs: number;
  /** Give up leadership when renewal fails for this long; default 10 s, must be < leaseDuration. */
  renewDeadlineMs: number;
  /** Time between attempts to acquire or renew; default 2 s. */
  retryPeriodMs: number;
}

export const DEFAULT_LEASE_TIMING = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

type Attempt = 'leader' | 'other' | 'failed';

export interface LeaderCallbacks {
  onStartedLeading(): Promise<void> | void;
  /** Leadership lost (not on release after abort). */
  onStoppedLeading(reason: string): void;
}

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly clock: Clock;
  private observedVersion?: string;
  private observedAtMs = 0;
  private leading = false;

  constructor(kc: KubeConfig, readonly config: LeaderElectionConfig, private readonly log: Logger, clock?: Clock, private readonly random: () => number = Math.random) {
    if (config.renewDeadlineMs >= config.leaseDurationMs) throw new RangeError('renewDeadlineMs must be shorter than leaseDurationMs');
    this.api = kc.makeApiClient(CoordinationV1Api);
    this.clock = clock ?? realClock;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Acquire, call onStartedLeading, renew until aborted or lost. */
  async run(cb: LeaderCallbacks, signal: AbortSignal): Promise<void> {
    const { retryPeriodMs, renewDeadlineMs } = this.config;
    while (!signal.aborted && (await this.attempt(retryPeriodMs)) !== 'leader') await sleep(this.clock, retryPeriodMs * (1 + 0.2 * this.random()), signal);
    if (signal.aborted) return;
    this.leading = true;
    this.log.info('acquired leadership', { lease: this.config.leaseName, identity: this.config.identity });
    await cb.onStartedLeading();
    let lastRenewMs = this.clock.now();
    while (!signal.aborted) {
      await sleep(this.clock, retryPeriodMs, signal);
      if (signal.aborted) return;
      const left = renewDeadlineMs - (this.clock.now() - lastRenewMs);
      const result = await this.attempt(Math.max(1, left));
      if (result === 'leader') lastRenewMs = this.clock.now();
      const lost = result === 'other' ? 'another replica holds the lease' : this.clock.now() - lastRenewMs >= renewDeadlineMs ? `lease not renewed for ${renewDeadlineMs} ms` : undefined;
      if (lost && !signal.aborted) {
        this.leading = false;
        this.log.error('lost leadership', { lease: this.config.leaseName, reason: lost });
        cb.onStoppedLeading(lost);
        return;
      }
    }
  }

  /** Give the lease up (on SIGTERM), so a successor can take over at once. */
  async release(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.read();
      if (!lease || lease.spec?.holderIdentity !== this.config.identity) return;
      const now = new V1MicroTime(this.clock.now());
      lease.spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now };
      await this.api.replaceNamespacedLease({ name: this.config.leaseName, namespace: this.config.leaseNamespace, body: lease });
      this.log.info('released leadership', { lease: this.config.leaseName });
    } catch (e) {
      this.log.warn('could not release the lease; the next leader waits for it to expire', { error: messageOf(e) });
    }
  }

  /** One acquire-or-renew, bounded by `timeoutMs` (a hung request counts as a failure). */
  private async attempt(timeoutMs: number): Promise<Attempt> {
    let timer: unknown;
    const timeout = new Promise<Attempt>((resolve) => (timer = this.clock.setTimeout(() => resolve('failed'), timeoutMs)));
    try {
      return await Promise.race([this.tryAcquireOrRenew(), timeout]);
    } catch (e) {
      this.log.warn('leader election attempt failed', { error: messageOf(e) });
      return 'failed';
    } finally {
      this.clock.clearTimeout(timer);
    }
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await this.api.readNamespacedLease({ name: this.config.leaseName, namespace: this.config.leaseNamespace });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async tryAcquireOrRenew(): Promise<Attempt> {
    const { leaseName: name, leaseNamespace: namespace, identity, leaseDurationMs } = this.config;
    const nowMs = this.clock.now();
    const now = new V1MicroTime(nowMs);
    const durationS = Math.ceil(leaseDurationMs / 1000);
    const lease = await this.read();
    if (!lease) {
      const body: V1Lease = {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace },
        spec: { holderIdentity: identity, leaseDurationSeconds: durationS, acquireTime: now, renewTime: now, leaseTransitions: 0 },
      };
      return this.write(() => this.api.createNamespacedLease({ namespace, body }), nowMs);
    }
    const version = lease.metadata?.resourceVersion;
    if (version !== this.observedVersion) {
      this.observedVersion = version;
      this.observedAtMs = nowMs;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const validForMs = (spec.leaseDurationSeconds ?? durationS) * 1000;
    if (holder !== '' && holder !== identity && this.observedAtMs + validForMs > nowMs) return 'other';
    const mine = holder === identity;
    lease.spec = {
      holderIdentity: identity,
      leaseDurationSeconds: durationS,
      acquireTime: mine && spec.acquireTime ? spec.acquireTime : now,
      renewTime: now,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
    };
    return this.write(() => this.api.replaceNamespacedLease({ name, namespace, body: lease }), nowMs);
  }

  private async write(op: () => Promise<V1Lease>, nowMs: number): Promise<Attempt> {
    try {
      const written = await op();
      this.observedVersion = written.metadata?.resourceVersion;
      this.observedAtMs = nowMs;
      return 'leader';
    } catch (e) {
      // Someone else wrote first. Not necessarily a valid holder: the next attempt reads the
      // record and decides (client-go also retries until the renew deadline).
      if (isConflict(e)) return 'failed';
      throw e;
    }
  }
}
