// Joining: resolve the seeds, exchange state with them, and retry with backoff until one
// answers - in the background, so that a node whose seeds are not up yet still starts (the
// first pod of a StatefulSet, or all of them at once with podManagementPolicy: Parallel).
//
// A seed entry is "host:port", "host" (gossip port), an IP, or "[v6]:port". A host name is
// resolved on every attempt and each of its A/AAAA records is a seed: the headless Service of
// a StatefulSet lists its ready-or-not pods (publishNotReadyAddresses), and that list grows as
// pods start. Our own address is skipped.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { formatAddr, parseHostPort } from './addr.js';

/** Resolve a host name to all its addresses (A and AAAA). */
export type Lookup = (host: string) => Promise<string[]>;

export const systemLookup: Lookup = async (host) => (await dnsLookup(host, { all: true })).map((r) => r.address);

export interface SeedLog {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Gossip addresses of `entries`; names that do not resolve (yet) are skipped. `family` keeps
 * only IPv4 (4) or IPv6 (6) records, matching the socket we send from.
 */
export async function resolveSeeds(entries: readonly string[], defaultPort: number, lookup: Lookup, family: 4 | 6, log?: SeedLog): Promise<string[]> {
  const out = new Set<string>();
  await Promise.all(entries.map(async (entry) => {
    const { host, port } = parseHostPort(entry);
    const p = port ?? defaultPort;
    if (isIP(host)) {
      out.add(formatAddr(host, p));
      return;
    }
    try {
      for (const ip of await lookup(host)) {
        if (family === 6 || isIP(ip) === 4) out.add(formatAddr(ip, p));
      }
    } catch (err) {
      log?.debug('seed name does not resolve (yet)', { seed: host, err });
    }
  }));
  return [...out].sort();
}

export interface JoinLoopOptions {
  resolve(): Promise<string[]>;
  /** One attempt: true if any seed answered. */
  attempt(addrs: string[]): Promise<boolean>;
  /** Already part of a cluster (someone joined us): stop trying. */
  joined(): boolean;
  initialBackoffMs: number;
  maxBackoffMs: number;
  log: SeedLog;
  random?: () => number;
}

/** Retries until joined or stopped; `done` resolves when joined (never rejects). */
export class JoinLoop {
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private settle!: () => void;
  readonly done: Promise<void> = new Promise((r) => (this.settle = r));

  constructor(private readonly o: JoinLoopOptions) {}

  start(): void {
    void this.run().catch((err) => this.o.log.warn('join loop failed', { err }));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }

  private async run(): Promise<void> {
    const random = this.o.random ?? Math.random;
    let backoffMs = this.o.initialBackoffMs;
    for (let attempt = 1; !this.stopped; attempt++) {
      if (this.o.joined()) return this.finish('a peer reached us first');
      const addrs = await this.o.resolve();
      if (this.stopped) return;
      if (addrs.length > 0 && (await this.o.attempt(addrs))) return this.finish('a seed answered', addrs);
      if (this.o.joined()) return this.finish('a peer reached us first');
      const waitMs = Math.round(backoffMs * (0.75 + 0.5 * random()));
      // Alone with only ourselves as seed is normal for the first pod: not worth a warning.
      const level = attempt >= 3 && addrs.length > 0 ? 'warn' : 'info';
      this.o.log[level]('no seed answered yet; retrying', { attempt, seeds: addrs, retryInMs: waitMs });
      await new Promise<void>((r) => {
        this.wake = r;
        this.timer = setTimeout(r, waitMs);
      });
      backoffMs = Math.min(this.o.maxBackoffMs, backoffMs * 2);
    }
  }

  private finish(how: string, seeds?: string[]): void {
    this.o.log.info('joined the cluster', { how, seeds });
    this.settle();
  }
}
