// Connection authentication: a challenge-response handshake, pure functions only.
//
//   server -> Hello   {v, cluster, node, nonce: Ns, auth: 'hmac-sha256' | 'none'}
//   client -> Auth    {v, cluster, node, peer, nonce: Nc, mac: HMAC(k, client|cluster|Ns|Nc|node|peer)}
//   server -> Welcome {mac: HMAC(k, server|cluster|Ns|Nc|node|peer)}
//
// k = HMAC-SHA256(SHOAL_GOSSIP_KEY, "shoal-rpc/1"): a key of its own, derived from the cluster's
// shared secret, so that a MAC made for gossip can never be replayed here. Both nonces are fresh
// random 32 bytes, so neither side can replay an old handshake, and the client checks the
// server's MAC, so a pod without the secret cannot pose as a replica either. The cluster name
// and both pod names are bound into the MACs. Without a key the handshake still checks the
// cluster name (and the server's pod name), which keeps two clusters apart by mistake but not by
// malice: set SHOAL_GOSSIP_KEY in production. Frames after the handshake are not MAC'd or
// encrypted (run inside the cluster network, or under a mesh that provides TLS).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = 1;

export type AuthMode = 'hmac-sha256' | 'none';

export interface Hello {
  v: number;
  cluster: string;
  node: string;
  nonce: string;
  auth: AuthMode;
}

export interface AuthMessage {
  v: number;
  cluster: string;
  /** The client pod's name. */
  node: string;
  /** The pod the client means to reach (must be the server's name). */
  peer: string;
  nonce: string;
  mac?: string;
}

export interface Welcome {
  mac?: string;
}

/** A handshake that failed, with the reason counted in metrics. */
export class HandshakeError extends Error {
  override name = 'HandshakeError';
  constructor(readonly reason: 'auth' | 'cluster' | 'version' | 'wrong-peer' | 'malformed', message: string) {
    super(message);
  }
}

/** The RPC key derived from the cluster secret; undefined without a secret. */
export function deriveKey(secret: string | undefined): Buffer | undefined {
  if (secret === undefined || secret === '') return undefined;
  return createHmac('sha256', secret).update('shoal-rpc/1').digest();
}

export function newNonce(): string {
  return randomBytes(32).toString('hex');
}

function mac(key: Buffer, role: 'client' | 'server', cluster: string, serverNonce: string, clientNonce: string, node: string, peer: string): string {
  return createHmac('sha256', key).update([role, cluster, serverNonce, clientNonce, node, peer].join('\n')).digest('hex');
}

function sameMac(expected: string, found: unknown): boolean {
  if (typeof found !== 'string' || found.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected, 'utf8'), Buffer.from(found, 'utf8'));
}

export function makeHello(cluster: string, node: string, key: Buffer | undefined): Hello {
  return { v: PROTOCOL_VERSION, cluster, node, nonce: newNonce(), auth: key ? 'hmac-sha256' : 'none' };
}

function isHello(h: unknown): h is Hello {
  const o = h as Hello;
  return typeof o === 'object' && o !== null && typeof o.v === 'number' && typeof o.cluster === 'string' && typeof o.node === 'string' && typeof o.nonce === 'string' && (o.auth === 'hmac-sha256' || o.auth === 'none');
}

/** Client side: check the server's Hello and answer it. */
export function answerHello(hello: unknown, expect: { cluster: string; peer: string; node: string; key: Buffer | undefined }): AuthMessage {
  if (!isHello(hello)) throw new HandshakeError('malformed', 'the peer did not start with a valid Hello frame (is this a Shoal data port?)');
  if (hello.v !== PROTOCOL_VERSION) throw new HandshakeError('version', `peer speaks RPC protocol ${hello.v}, this pod ${PROTOCOL_VERSION}`);
  if (hello.cluster !== expect.cluster) throw new HandshakeError('cluster', `peer belongs to cluster ${JSON.stringify(hello.cluster)}, expected ${JSON.stringify(expect.cluster)}`);
  if (hello.node !== expect.peer) throw new HandshakeError('wrong-peer', `reached pod ${JSON.stringify(hello.node)} at this address, expected ${JSON.stringify(expect.peer)} (stale address?)`);
  if (hello.auth === 'none' && expect.key) throw new HandshakeError('auth', `peer ${hello.node} has no cluster secret but this pod has one: set the same SHOAL_GOSSIP_KEY on every pod`);
  if (hello.auth !== 'none' && !expect.key) throw new HandshakeError('auth', `peer ${hello.node} requires the cluster secret: set SHOAL_GOSSIP_KEY on this pod`);
  const nonce = newNonce();
  const msg: AuthMessage = { v: PROTOCOL_VERSION, cluster: expect.cluster, node: expect.node, peer: expect.peer, nonce };
  if (expect.key) msg.mac = mac(expect.key, 'client', expect.cluster, hello.nonce, nonce, expect.node, expect.peer);
  return msg;
}

/** Server side: check the client's Auth against our Hello; returns the Welcome to send. */
export function checkAuth(auth: unknown, hello: Hello, key: Buffer | undefined): Welcome {
  const a = auth as AuthMessage;
  if (typeof a !== 'object' || a === null || typeof a.nonce !== 'string' || typeof a.node !== 'string' || typeof a.peer !== 'string' || typeof a.cluster !== 'string')
    throw new HandshakeError('malformed', 'Auth frame lacks cluster, node, peer or nonce');
  if (a.v !== PROTOCOL_VERSION) throw new HandshakeError('version', `client speaks RPC protocol ${String(a.v)}, this pod ${PROTOCOL_VERSION}`);
  if (a.cluster !== hello.cluster) throw new HandshakeError('cluster', `client belongs to cluster ${JSON.stringify(a.cluster)}, this pod to ${JSON.stringify(hello.cluster)}`);
  if (a.peer !== hello.node) throw new HandshakeError('wrong-peer', `client meant to reach ${JSON.stringify(a.peer)}, this is ${JSON.stringify(hello.node)}`);
  if (!key) return {};
  if (!sameMac(mac(key, 'client', hello.cluster, hello.nonce, a.nonce, a.node, a.peer), a.mac))
    throw new HandshakeError('auth', `client ${JSON.stringify(a.node)} failed authentication: its SHOAL_GOSSIP_KEY differs from this pod's`);
  return { mac: mac(key, 'server', hello.cluster, hello.nonce, a.nonce, a.node, a.peer) };
}

/** Client side: check the server's proof. */
export function checkWelcome(welcome: unknown, hello: Hello, auth: AuthMessage, key: Buffer | undefined): void {
  if (!key) return;
  const w = welcome as Welcome;
  const expected = mac(key, 'server', hello.cluster, hello.nonce, auth.nonce, auth.node, auth.peer);
  if (typeof w !== 'object' || w === null || !sameMac(expected, w.mac))
    throw new HandshakeError('auth', `peer ${hello.node} could not prove it holds the cluster secret: its SHOAL_GOSSIP_KEY differs from this pod's`);
}
