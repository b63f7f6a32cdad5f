// The RPC transport on real loopback sockets: calls, multiplexing, deadlines, authentication,
// hostile input, and reconnecting after the peer comes back.
import { expect } from 'chai';
import { ShoalError } from '../../node/src/coordinator/errors.js';
import { RpcClient, type RpcClientOptions } from '../../node/src/rpc/client.js';
import { RpcError } from '../../node/src/rpc/errors.js';
import { FrameType, encodeFrame } from '../../node/src/rpc/frame.js';
import type { RpcServer, Handler } from '../../node/src/rpc/server.js';
import { waitFor } from '../support/wait.js';
import { RawPeer, counter, startServer } from './helpers.js';

const SECRET = 'a-cluster-secret-of-32-bytes-xx';

function deferred() {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { release, done };
}

async function rejection(p: Promise<unknown>): Promise<RpcError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(RpcError);
    return e as RpcError;
  }
  throw new Error('expected the call to fail');
}

describe('rpc: transport', function () {
  const servers: RpcServer[] = [];
  const clients: RpcClient[] = [];
  const raws: RawPeer[] = [];
  let gate = deferred();

  const handlers: Record<string, Handler> = {
    echo: (p, blobs) => ({ result: p, blobs }),
    hang: async (p) => {
      await gate.done;
      return { result: p };
    },
    delayed: async (p) => {
      await new Promise((r) => setTimeout(r, (p as { ms: number }).ms));
      return { result: p };
    },
    missing: () => {
      throw new ShoalError('not-found', 'no such thing');
    },
    boom: () => {
      throw new Error('kaput');
    },
  };

  async function server(opts: Parameters<typeof startServer>[1] = {}) {
    const s = await startServer(handlers, opts);
    servers.push(s);
    return s;
  }

  function client(opts: Partial<RpcClientOptions> = {}) {
    const c = new RpcClient({ node: 'caller', cluster: 'test', secret: undefined, backoff: { initialMs: 20, maxMs: 200 }, ...opts });
    clients.push(c);
    return c;
  }

  async function raw(port: number) {
    const r = await RawPeer.open(port);
    raws.push(r);
    return r;
  }

  const peerOf = (s: RpcServer) => ({ name: 'server', addr: `127.0.0.1:${s.port}` });

  beforeEach(() => (gate = deferred()));
  afterEach(async () => {
    gate.release();
    for (const r of raws.splice(0)) r.close();
    for (const c of clients.splice(0)) c.close();
    for (const s of servers.splice(0)) await s.close();
  });

  it('calls a method and gets its result and blobs back', async () => {
    const s = await server();
    const c = client();
    const vec = new Float32Array([0.1, 0.2, 0.3]);
    const reply = await c.call(peerOf(s), 'echo', { hello: 'world' }, [new Uint8Array(vec.buffer)]);
    expect(reply.result).to.deep.equal({ hello: 'world' });
    expect(Array.from(new Float32Array(Uint8Array.from(reply.blobs[0]).buffer))).to.deep.equal(Array.from(vec));
  });

  it('multiplexes calls on one connection and matches answers that arrive out of order', async () => {
    const s = await server();
    const c = client({ connectionsPerPeer: 1 });
    const calls = [60, 5, 30, 0, 45].map((ms, i) => c.call(peerOf(s), 'delayed', { ms, i }));
    const results = await Promise.all(calls);
    expect(results.map((r) => (r.result as { i: number }).i)).to.deep.equal([0, 1, 2, 3, 4]);
  });

  it('fails a call that outlives its deadline, and the connection keeps working', async () => {
    const s = await server();
    const c = client({ connectionsPerPeer: 1 });
    const err = await rejection(c.call(peerOf(s), 'hang', {}, [], { timeoutMs: 100 }));
    expect(err.reason).to.equal('timeout');
    expect(err.message).to.match(/hang on server: no answer within 100 ms/);
    gate.release(); // the late answer arrives and must be ignored
    expect((await c.call(peerOf(s), 'echo', 1)).result).to.equal(1);
    expect(await counter('shoal_rpc_client_errors_total', { peer: 'server', reason: 'timeout' })).to.be.greaterThan(0);
  });

  it('carries the remote error kind back; unknown methods are bad requests, not dropped connections', async () => {
    const s = await server();
    const c = client();
    const notFound = await rejection(c.call(peerOf(s), 'missing', {}));
    expect([notFound.reason, notFound.remoteKind]).to.deep.equal(['remote', 'not-found']);
    expect(notFound.message).to.match(/no such thing/);
    const internal = await rejection(c.call(peerOf(s), 'boom', {}));
    expect([internal.reason, internal.remoteKind]).to.deep.equal(['remote', 'internal']);
    const unknown = await rejection(c.call(peerOf(s), 'nope', {}));
    expect([unknown.reason, unknown.remoteKind]).to.deep.equal(['remote', 'invalid']);
    expect((await c.call(peerOf(s), 'echo', 2)).result).to.equal(2);
  });

  it('authenticates with the shared secret and refuses a client with another one', async () => {
    const s = await server({ secret: SECRET });
    const good = client({ secret: SECRET });
    expect((await good.call(peerOf(s), 'echo', 'ok')).result).to.equal('ok');
    const before = await counter('shoal_rpc_server_dropped_connections_total', { reason: 'auth' });
    const bad = client({ secret: 'another-secret-also-long-enough' });
    const err = await rejection(bad.call(peerOf(s), 'echo', 'no'));
    expect(err.reason).to.equal('auth');
    expect(err.message).to.match(/SHOAL_GOSSIP_KEY differs/);
    expect(await counter('shoal_rpc_server_dropped_connections_total', { reason: 'auth' })).to.equal(before + 1);
    const none = await rejection(client().call(peerOf(s), 'echo', 'no'));
    expect(none.message).to.match(/requires the cluster secret/);
  });

  it('refuses a peer of another cluster, and a pod other than the one named', async () => {
    const s = await server();
    const other = await rejection(client({ cluster: 'elsewhere' }).call(peerOf(s), 'echo', 1));
    expect(other.reason).to.equal('auth');
    expect(other.message).to.match(/cluster "test", expected "elsewhere"/);
    const wrong = await rejection(client().call({ name: 'pod-9', addr: peerOf(s).addr }, 'echo', 1));
    expect(wrong.message).to.match(/reached pod "server" at this address, expected "pod-9"/);
  });

  it('drops connections that send garbage, oversized frames, requests before auth, or nothing', async () => {
    const s = await server({ maxFrameBytes: 4096, handshakeTimeoutMs: 150 });
    const c = client();
    const reasons = ['malformed', 'oversized', 'unauthenticated', 'handshake-timeout'];
    const before = await Promise.all(reasons.map((reason) => counter('shoal_rpc_server_dropped_connections_total', { reason })));

    const garbage = await raw(s.port);
    garbage.socket.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    const early = await raw(s.port);
    early.socket.write(encodeFrame(FrameType.Request, 1, { m: 'echo', p: 1 }));
    const silent = await raw(s.port);
    const authed = await raw(s.port);
    await authed.handshake();
    authed.socket.write(Buffer.from([0, 0, 0x40, 0, 4, 0, 0, 0, 1])); // announces 16 KiB > 4 KiB
    const afterAuth = await raw(s.port);
    await afterAuth.handshake();
    afterAuth.socket.write(Buffer.from([0, 0, 0, 8, 4, 0, 0, 0, 1, 0xff, 0xff, 0xff]));

    await waitFor(() => [garbage, early, silent, authed, afterAuth].every((r) => r.closed), { what: 'the server to close every bad connection' });
    const after = await Promise.all(reasons.map((reason) => counter('shoal_rpc_server_dropped_connections_total', { reason })));
    // HTTP's "GET " reads as a length of 1.2 GB: oversized, like the announced 16 KiB frame.
    expect(after.map((n, i) => n - before[i])).to.deep.equal([1, 2, 1, 1]);
    // The server is unharmed.
    expect((await c.call(peerOf(s), 'echo', 'still here')).result).to.equal('still here');
  });

  it('an oversized call fails with closed, and the next call reconnects', async () => {
    const s = await server({ maxFrameBytes: 4096 });
    const c = client({ connectionsPerPeer: 1 });
    const err = await rejection(c.call(peerOf(s), 'echo', {}, [new Uint8Array(8192)]));
    expect(err.reason).to.equal('closed');
    expect(err.message).to.match(/exceeds the limit of 4096/);
    expect((await c.call(peerOf(s), 'echo', 'again')).result).to.equal('again');
  });

  it('fails fast while the peer is down and reconnects when it is back', async () => {
    const s = await server();
    const port = s.port;
    const c = client({ connectionsPerPeer: 1 });
    expect((await c.call(peerOf(s), 'echo', 1)).result).to.equal(1);

    const hung = c.call(peerOf(s), 'hang', {});
    await s.close();
    servers.splice(servers.indexOf(s), 1);
    expect((await rejection(hung)).reason).to.equal('closed');
    const down = await rejection(c.call({ name: 'server', addr: `127.0.0.1:${port}` }, 'echo', 2));
    expect(down.reason).to.equal('connect');

    await server({ port });
    const answer = await waitFor(async () => (await c.call({ name: 'server', addr: `127.0.0.1:${port}` }, 'echo', 3)).result, { what: 'a call to succeed after the restart', timeoutMs: 10_000 });
    expect(answer).to.equal(3);
  });

  it('follows a peer to its new address', async () => {
    const a = await server();
    const b = await server();
    const c = client();
    expect((await c.call({ name: 'server', addr: `127.0.0.1:${a.port}` }, 'echo', 'a')).result).to.equal('a');
    expect((await c.call({ name: 'server', addr: `127.0.0.1:${b.port}` }, 'echo', 'b')).result).to.equal('b');
  });
});
