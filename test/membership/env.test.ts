// Configuration from the environment, seed resolution, the join retry loop, and the
// /v1/nodes vocabulary.
import { expect } from 'chai';
import { parseHostPort } from '../../node/src/membership/addr.js';
import { FAST, LAN } from '../../node/src/membership/config.js';
import { JoinLoop, resolveSeeds } from '../../node/src/membership/join.js';
import { membershipConfigFromEnv, nodeStatus, weaviateNodes } from '../../node/src/membership/index.js';

const defaults = { nodeName: 'shoal-0', httpPort: 8080, dataPort: 7001, version: '0.1.0' };
const quiet = { debug() {}, info() {}, warn() {} };

describe('membershipConfigFromEnv', () => {
  it('applies the documented defaults', () => {
    const c = membershipConfigFromEnv({ SHOAL_ADVERTISE_ADDR: '10.1.2.3' }, defaults);
    expect(c).to.deep.include({
      nodeName: 'shoal-0', clusterName: 'shoal', bindAddr: '0.0.0.0', port: 7000, advertiseAddr: '10.1.2.3',
      seeds: [], profile: 'lan', key: undefined,
    });
    expect(c.protocol).to.deep.equal(LAN);
    expect(c.meta).to.deep.equal({ httpAddr: '10.1.2.3:8080', dataAddr: '10.1.2.3:7001', version: '0.1.0' });
  });

  it('defaults the advertised address to a non-internal IPv4 or loopback', () => {
    const c = membershipConfigFromEnv({}, defaults);
    expect(c.advertiseAddr).to.match(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('reads every variable', () => {
    const c = membershipConfigFromEnv({
      SHOAL_JOIN: 'shoal-headless.ns.svc.cluster.local, 10.0.0.5:7100,[fd00::1]:7000,', SHOAL_GOSSIP_PORT: '7100',
      SHOAL_GOSSIP_BIND: '127.0.0.1', SHOAL_ADVERTISE_ADDR: '127.0.0.1', SHOAL_GOSSIP_PROFILE: 'fast',
      SHOAL_GOSSIP_KEY: '0123456789abcdef', SHOAL_CLUSTER_NAME: 'blue', SHOAL_ZONE: 'eu-west-1a',
    }, defaults);
    expect(c.seeds).to.deep.equal(['shoal-headless.ns.svc.cluster.local', '10.0.0.5:7100', '[fd00::1]:7000']);
    expect(c).to.deep.include({ port: 7100, bindAddr: '127.0.0.1', profile: 'fast', key: '0123456789abcdef', clusterName: 'blue' });
    expect(c.protocol).to.deep.equal(FAST);
    expect(c.meta.zone).to.equal('eu-west-1a');
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ['SHOAL_GOSSIP_PORT', { SHOAL_GOSSIP_PORT: 'seven' }, /SHOAL_GOSSIP_PORT: expected a port number/],
    ['SHOAL_GOSSIP_PORT', { SHOAL_GOSSIP_PORT: '70000' }, /SHOAL_GOSSIP_PORT/],
    ['SHOAL_GOSSIP_BIND', { SHOAL_GOSSIP_BIND: 'localhost' }, /SHOAL_GOSSIP_BIND: expected an IPv4 or IPv6 address, got "localhost"/],
    ['SHOAL_ADVERTISE_ADDR', { SHOAL_ADVERTISE_ADDR: '10.0.0' }, /SHOAL_ADVERTISE_ADDR/],
    ['SHOAL_GOSSIP_PROFILE', { SHOAL_GOSSIP_PROFILE: 'wan' }, /SHOAL_GOSSIP_PROFILE: expected "lan" or "fast", got "wan"/],
    ['SHOAL_GOSSIP_KEY', { SHOAL_GOSSIP_KEY: 'short' }, /SHOAL_GOSSIP_KEY: expected a secret of at least 16 bytes/],
    ['SHOAL_CLUSTER_NAME', { SHOAL_CLUSTER_NAME: 'has space' }, /SHOAL_CLUSTER_NAME/],
    ['SHOAL_JOIN', { SHOAL_JOIN: 'host:notaport' }, /SHOAL_JOIN: expected host:port/],
    ['SHOAL_JOIN', { SHOAL_JOIN: 'bad_host!:7000' }, /SHOAL_JOIN: expected a DNS name or IP/],
    ['SHOAL_ZONE', { SHOAL_ZONE: 'z'.repeat(65) }, /SHOAL_ZONE/],
  ];
  for (const [variable, env, message] of bad) {
    it(`rejects an invalid ${variable} (${JSON.stringify(Object.values(env)[0]).slice(0, 20)}), naming it`, () => {
      expect(() => membershipConfigFromEnv({ SHOAL_ADVERTISE_ADDR: '10.0.0.1', ...env }, defaults)).to.throw(message);
    });
  }

  it('does not reveal the key in its error', () => {
    let message = '';
    try {
      membershipConfigFromEnv({ SHOAL_GOSSIP_KEY: 'secret' }, defaults);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.include('<hidden>').and.not.include('"secret"');
  });
});

describe('seeds', () => {
  it('parses host:port, bare hosts, IPv6 with and without port', () => {
    expect(parseHostPort('a.b:7')).to.deep.equal({ host: 'a.b', port: 7 });
    expect(parseHostPort('a.b')).to.deep.equal({ host: 'a.b', port: undefined });
    expect(parseHostPort('[fd00::1]:9')).to.deep.equal({ host: 'fd00::1', port: 9 });
    expect(parseHostPort('fd00::1')).to.deep.equal({ host: 'fd00::1', port: undefined });
  });

  it('resolves every A record of a name (with the gossip port when none is given), keeps IPs, skips failures', async () => {
    const lookup = async (host: string) => {
      if (host === 'shoal-headless') return ['10.0.0.1', '10.0.0.2', 'fd00::3'];
      throw new Error('ENOTFOUND');
    };
    const got = await resolveSeeds(['shoal-headless', 'shoal-headless:7100', '10.9.9.9', 'missing'], 7000, lookup, 4);
    expect(got).to.deep.equal(['10.0.0.1:7000', '10.0.0.1:7100', '10.0.0.2:7000', '10.0.0.2:7100', '10.9.9.9:7000']);
    const v6 = await resolveSeeds(['shoal-headless'], 7000, lookup, 6);
    expect(v6).to.include('[fd00::3]:7000');
  });

  it('retries with backoff until a seed answers, re-resolving each time', async () => {
    let resolves = 0;
    const attempts: string[][] = [];
    const loop = new JoinLoop({
      resolve: async () => (++resolves < 3 ? [] : [`10.0.0.${resolves}:7000`]),
      attempt: async (addrs) => {
        attempts.push(addrs);
        return attempts.length >= 2;
      },
      joined: () => false, initialBackoffMs: 5, maxBackoffMs: 20, log: quiet,
    });
    loop.start();
    await loop.done;
    expect(resolves).to.equal(4);
    expect(attempts).to.deep.equal([['10.0.0.3:7000'], ['10.0.0.4:7000']]);
  });

  it('stops retrying once a peer has reached us', async () => {
    let joined = false;
    let attempts = 0;
    const loop = new JoinLoop({
      resolve: async () => ['10.0.0.1:7000'],
      attempt: async () => {
        attempts++;
        joined = attempts === 2;
        return false;
      },
      joined: () => joined, initialBackoffMs: 5, maxBackoffMs: 5, log: quiet,
    });
    loop.start();
    await loop.done;
    expect(attempts).to.equal(2);
  });
});

describe('/v1/nodes vocabulary', () => {
  it('maps alive, suspect, dead and left to HEALTHY, UNHEALTHY, UNAVAILABLE', () => {
    expect(nodeStatus('alive')).to.equal('HEALTHY');
    expect(nodeStatus('suspect')).to.equal('UNHEALTHY');
    expect(nodeStatus('dead')).to.equal('UNAVAILABLE');
    expect(nodeStatus('left')).to.equal('UNAVAILABLE');
  });

  it('lists members sorted by name with their version', () => {
    const nodes = weaviateNodes([
      { name: 'b', state: 'suspect', meta: { version: '2' } },
      { name: 'a', state: 'alive', meta: { version: '1' } },
      { name: 'c', state: 'left', meta: {} },
    ]);
    expect(nodes).to.deep.equal([
      { name: 'a', status: 'HEALTHY', version: '1' },
      { name: 'b', status: 'UNHEALTHY', version: '2' },
      { name: 'c', status: 'UNAVAILABLE', version: '' },
    ]);
  });
});
