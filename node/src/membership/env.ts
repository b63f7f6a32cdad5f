// Membership configuration from the environment (container-friendly; the operator and local
// mode set these variables). Every invalid value throws an Error that names the variable, what
// was found and what is expected.
//
//   SHOAL_JOIN             seeds: comma-separated "host:port", "host", IPs or DNS names; every
//                          A/AAAA record of a name is a seed (a StatefulSet's headless Service);
//                          an entry without port uses SHOAL_GOSSIP_PORT. Default: none (alone).
//   SHOAL_GOSSIP_PORT      UDP and TCP port of gossip. Default 7000. 0 picks a free port.
//   SHOAL_GOSSIP_BIND      address to listen on. Default 0.0.0.0.
//   SHOAL_ADVERTISE_ADDR   IP peers should use to reach us. Default: the first non-internal
//                          IPv4 address, else 127.0.0.1.
//   SHOAL_GOSSIP_PROFILE   lan (default) or fast (local mode, tests); see config.ts.
//   SHOAL_GOSSIP_KEY       shared secret (>= 16 bytes); when set every packet carries an
//                          HMAC-SHA256 and packets without a valid one are dropped.
//   SHOAL_CLUSTER_NAME     tags every packet; packets of other clusters are dropped
//                          (default: SHOAL_CLUSTER, else shoal).
//                          Default "shoal".
//   SHOAL_ZONE             failure zone published in the metadata (e.g. the node's
//                          topology.kubernetes.io/zone). Default: empty.
import { networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { formatAddr, parseHostPort } from './addr.js';
import { encodeMeta, utf8Size } from './codec.js';
import { PROFILES, type ProfileName, type ProtocolConfig } from './config.js';

/** Published metadata of a member: small strings only (<= 512 bytes encoded in total). */
export interface MemberMeta {
  /** Where its REST/GraphQL API listens, "ip:port". */
  httpAddr?: string;
  /** Where its internal data RPC listens, "ip:port". */
  dataAddr?: string;
  version?: string;
  zone?: string;
  [key: string]: string | undefined;
}

/** Everything startMembership needs. Build it with membershipConfigFromEnv or by hand. */
export interface MembershipConfig {
  nodeName: string;
  clusterName: string;
  bindAddr: string;
  /** Gossip port (UDP and TCP); 0 picks a free one. */
  port: number;
  /** IP peers use to reach us; the advertised port is the bound port. */
  advertiseAddr: string;
  /** Unresolved SHOAL_JOIN entries. */
  seeds: string[];
  profile: ProfileName;
  protocol: ProtocolConfig;
  /** Shared secret for packet authentication, or undefined. */
  key: string | undefined;
  meta: MemberMeta;
  /** First delay between join attempts; doubles up to joinRetryMaxMs. */
  joinRetryInitialMs: number;
  joinRetryMaxMs: number;
  /**
   * After joining, re-resolve the seeds this often and exchange state with any seed address
   * that is not a live member we know. This mends splits that outlived deadRetentionMs (both
   * sides forgot each other, so neither reconnects) at the cost of one DNS lookup per interval.
   * 0 disables it.
   */
  seedSweepIntervalMs: number;
}

export interface EnvDefaults {
  nodeName: string;
  httpPort: number;
  dataPort: number;
  version: string;
}

const NAME_RE = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;
const HOST_RE = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function fail(variable: string, found: string | undefined, expected: string): never {
  throw new Error(`${variable}: expected ${expected}, got ${JSON.stringify(found)}`);
}

function readPort(env: NodeJS.ProcessEnv, variable: string, dflt: number): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return dflt;
  if (!/^\d{1,5}$/.test(raw.trim()) || Number(raw) > 65535) fail(variable, raw, 'a port number 0-65535');
  return Number(raw);
}

function readIp(env: NodeJS.ProcessEnv, variable: string, dflt: () => string): string {
  const raw = env[variable]?.trim();
  if (!raw) return dflt();
  if (!isIP(raw)) fail(variable, raw, 'an IPv4 or IPv6 address');
  return raw;
}

/** The first non-internal IPv4 address of this host, else 127.0.0.1. */
export function defaultAdvertiseAddr(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** Split and check SHOAL_JOIN (resolution happens later, on every join attempt). */
export function parseSeeds(raw: string | undefined, variable = 'SHOAL_JOIN'): string[] {
  if (!raw) return [];
  const entries = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const entry of entries) {
    let host: string;
    try {
      ({ host } = parseHostPort(entry));
    } catch (err) {
      fail(variable, entry, `host:port, host, or an IP (${(err as Error).message})`);
    }
    if (!isIP(host) && !HOST_RE.test(host)) fail(variable, entry, 'a DNS name or IP address, optionally with :port');
  }
  return entries;
}

export function membershipConfigFromEnv(env: NodeJS.ProcessEnv, defaults: EnvDefaults): MembershipConfig {
  const nodeName = defaults.nodeName;
  if (!NAME_RE.test(nodeName)) fail('node name (SHOAL_NODE_NAME)', nodeName, '1-128 characters of letters, digits, ".", "_" or "-"');
  const profileRaw = (env.SHOAL_GOSSIP_PROFILE ?? '').trim() || 'lan';
  if (profileRaw !== 'lan' && profileRaw !== 'fast') fail('SHOAL_GOSSIP_PROFILE', profileRaw, '"lan" or "fast"');
  const profile: ProfileName = profileRaw;
  // The operator sets SHOAL_CLUSTER (the VectorCluster's name): two clusters sharing a network
  // then drop each other's packets without any extra setting, as the RPC handshake does.
  const clusterName = (env.SHOAL_CLUSTER_NAME ?? '').trim() || (env.SHOAL_CLUSTER ?? '').trim() || 'shoal';
  if (!NAME_RE.test(clusterName) || clusterName.length > 64) fail('SHOAL_CLUSTER_NAME', clusterName, '1-64 characters of letters, digits, ".", "_" or "-"');
  const key = env.SHOAL_GOSSIP_KEY === undefined || env.SHOAL_GOSSIP_KEY === '' ? undefined : env.SHOAL_GOSSIP_KEY;
  if (key !== undefined && utf8Size(key) < 16) fail('SHOAL_GOSSIP_KEY', '<hidden>', 'a secret of at least 16 bytes');
  const zone = (env.SHOAL_ZONE ?? '').trim();
  if (utf8Size(zone) > 64) fail('SHOAL_ZONE', zone, 'at most 64 bytes');
  const port = readPort(env, 'SHOAL_GOSSIP_PORT', 7000);
  const bindAddr = readIp(env, 'SHOAL_GOSSIP_BIND', () => '0.0.0.0');
  const advertiseAddr = readIp(env, 'SHOAL_ADVERTISE_ADDR', defaultAdvertiseAddr);
  const seeds = parseSeeds(env.SHOAL_JOIN);
  const meta: MemberMeta = {
    httpAddr: formatAddr(advertiseAddr, defaults.httpPort),
    dataAddr: formatAddr(advertiseAddr, defaults.dataPort),
    version: defaults.version,
  };
  if (zone) meta.zone = zone;
  try {
    encodeMeta(meta as Record<string, string>);
  } catch (err) {
    fail('node metadata (version, zone)', defaults.version, `values that fit in 512 bytes: ${(err as Error).message}`);
  }
  const protocol = { ...PROFILES[profile] };
  const joinRetryInitialMs = profile === 'fast' ? 250 : 1_000;
  const joinRetryMaxMs = profile === 'fast' ? 5_000 : 30_000;
  const seedSweepIntervalMs = profile === 'fast' ? 5_000 : 30_000;
  return { nodeName, clusterName, bindAddr, port, advertiseAddr, seeds, profile, protocol, key, meta, joinRetryInitialMs, joinRetryMaxMs, seedSweepIntervalMs };
}
