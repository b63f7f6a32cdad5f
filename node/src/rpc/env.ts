// RPC configuration from the environment. Invalid values throw an Error naming the variable,
// what was found and what is expected.
//
//   SHOAL_DATA_PORT            TCP port of the internal RPC (default 7001; 0 picks a free one)
//   SHOAL_DATA_BIND            address to listen on (default SHOAL_GOSSIP_BIND, else 0.0.0.0)
//   SHOAL_GOSSIP_KEY           cluster secret; when set every data-port connection must prove it
//                              holds it (HMAC-SHA256 challenge-response, both ways)
//   SHOAL_CLUSTER_NAME         cluster name bound into the handshake (default: SHOAL_CLUSTER, which
//                              the operator sets to the VectorCluster's name, else "shoal"); every
//                              pod of a cluster gets the same environment, so they agree
//   SHOAL_RPC_TIMEOUT_MS       default deadline of a call to another pod (default 10000)
//   SHOAL_RPC_CONNECTIONS      connections per peer pod (default 2)
//   SHOAL_RPC_MAX_FRAME_BYTES  largest frame accepted (default 134217728 = 128 MiB)
import { isIP } from 'node:net';
import { DEFAULT_MAX_FRAME_BYTES } from './frame.js';

export interface RpcConfig {
  port: number;
  bindAddr: string;
  cluster: string;
  secret: string | undefined;
  callTimeoutMs: number;
  connectionsPerPeer: number;
  maxFrameBytes: number;
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return dflt;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`${name}: expected an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

export function rpcConfigFromEnv(env: Env = process.env): RpcConfig {
  const bindAddr = (env.SHOAL_DATA_BIND ?? '').trim() || (env.SHOAL_GOSSIP_BIND ?? '').trim() || '0.0.0.0';
  if (!isIP(bindAddr)) throw new Error(`SHOAL_DATA_BIND: expected an IPv4 or IPv6 address, got ${JSON.stringify(bindAddr)}`);
  const secret = env.SHOAL_GOSSIP_KEY === undefined || env.SHOAL_GOSSIP_KEY === '' ? undefined : env.SHOAL_GOSSIP_KEY;
  if (secret !== undefined && Buffer.byteLength(secret) < 16) throw new Error('SHOAL_GOSSIP_KEY: expected a secret of at least 16 bytes, got a shorter one');
  return {
    port: integer(env, 'SHOAL_DATA_PORT', 7001, 0, 65535),
    bindAddr,
    cluster: (env.SHOAL_CLUSTER_NAME ?? '').trim() || (env.SHOAL_CLUSTER ?? '').trim() || 'shoal',
    secret,
    callTimeoutMs: integer(env, 'SHOAL_RPC_TIMEOUT_MS', 10_000, 10, 600_000),
    connectionsPerPeer: integer(env, 'SHOAL_RPC_CONNECTIONS', 2, 1, 64),
    maxFrameBytes: integer(env, 'SHOAL_RPC_MAX_FRAME_BYTES', DEFAULT_MAX_FRAME_BYTES, 64 * 1024, 2 ** 31),
  };
}
