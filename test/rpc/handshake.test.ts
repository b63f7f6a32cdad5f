// The handshake as pure functions: both sides prove the secret, names and cluster are bound,
// and every mismatch is refused with a reason that says what to fix.
import { expect } from 'chai';
import { answerHello, checkAuth, checkWelcome, deriveKey, makeHello, HandshakeError } from '../../node/src/rpc/handshake.js';

const SECRET = 'correct horse battery staple';

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(HandshakeError);
    return (e as HandshakeError).reason;
  }
  throw new Error('expected a HandshakeError');
}

describe('rpc: handshake', () => {
  const key = deriveKey(SECRET);
  const expect1 = { cluster: 'c1', peer: 'pod-1', node: 'pod-0', key };

  it('completes with the same secret, each side checking the other', () => {
    const hello = makeHello('c1', 'pod-1', key);
    const auth = answerHello(hello, expect1);
    expect(auth.mac).to.match(/^[0-9a-f]{64}$/);
    const welcome = checkAuth(auth, hello, key);
    expect(() => checkWelcome(welcome, hello, auth, key)).to.not.throw();
  });

  it('derives an RPC key distinct from the raw secret and uses fresh nonces', () => {
    expect(key!.toString('utf8')).to.not.equal(SECRET);
    expect(makeHello('c1', 'p', key).nonce).to.not.equal(makeHello('c1', 'p', key).nonce);
    expect(deriveKey(undefined)).to.equal(undefined);
    expect(deriveKey('')).to.equal(undefined);
  });

  it('refuses a client with another secret, and a server that cannot prove the secret', () => {
    const hello = makeHello('c1', 'pod-1', key);
    const auth = answerHello(hello, { ...expect1, key: deriveKey('another secret, long enough') });
    expect(reasonOf(() => checkAuth(auth, hello, key))).to.equal('auth');
    const good = answerHello(hello, expect1);
    expect(reasonOf(() => checkWelcome({ mac: 'f'.repeat(64) }, hello, good, key))).to.equal('auth');
    expect(reasonOf(() => checkWelcome({}, hello, good, key))).to.equal('auth');
  });

  it('refuses a replayed Auth: the MAC covers the server nonce of this connection', () => {
    const first = makeHello('c1', 'pod-1', key);
    const auth = answerHello(first, expect1);
    const second = makeHello('c1', 'pod-1', key);
    expect(reasonOf(() => checkAuth(auth, second, key))).to.equal('auth');
  });

  it('refuses another cluster, another pod behind the address, and key downgrades', () => {
    expect(reasonOf(() => answerHello(makeHello('c2', 'pod-1', key), expect1))).to.equal('cluster');
    expect(reasonOf(() => answerHello(makeHello('c1', 'pod-7', key), expect1))).to.equal('wrong-peer');
    expect(reasonOf(() => answerHello(makeHello('c1', 'pod-1', undefined), expect1))).to.equal('auth');
    expect(reasonOf(() => answerHello(makeHello('c1', 'pod-1', key), { ...expect1, key: undefined }))).to.equal('auth');
    expect(reasonOf(() => answerHello({ hello: true }, expect1))).to.equal('malformed');
    const hello = makeHello('c1', 'pod-1', undefined);
    const auth = answerHello(hello, { ...expect1, key: undefined });
    expect(reasonOf(() => checkAuth({ ...auth, cluster: 'c2' }, hello, undefined))).to.equal('cluster');
    expect(reasonOf(() => checkAuth({ ...auth, v: 9 }, hello, undefined))).to.equal('version');
  });

  it('without a secret, still checks the cluster and pod names', () => {
    const hello = makeHello('c1', 'pod-1', undefined);
    const auth = answerHello(hello, { ...expect1, key: undefined });
    expect(auth.mac).to.equal(undefined);
    expect(checkAuth(auth, hello, undefined)).to.deep.equal({});
  });
});
