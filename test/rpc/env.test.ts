// Configuration from the environment: defaults, fallbacks, and errors that name the variable.
import { expect } from 'chai';
import { rpcConfigFromEnv } from '../../node/src/rpc/env.js';
import { DEFAULT_CONFIG, distributedConfigFromEnv } from '../../node/src/coordinator/distributed/config.js';

describe('rpc and replication: environment', () => {
  it('defaults the data port, bind address and cluster name, and follows gossip where it should', () => {
    expect(rpcConfigFromEnv({})).to.deep.include({ port: 7001, bindAddr: '0.0.0.0', cluster: 'shoal', secret: undefined, callTimeoutMs: 10_000, connectionsPerPeer: 2 });
    expect(rpcConfigFromEnv({ SHOAL_GOSSIP_BIND: '127.0.0.1', SHOAL_CLUSTER: 'prod' })).to.deep.include({ bindAddr: '127.0.0.1', cluster: 'prod' });
    expect(rpcConfigFromEnv({ SHOAL_DATA_BIND: '::1', SHOAL_GOSSIP_BIND: '127.0.0.1', SHOAL_CLUSTER_NAME: 'a', SHOAL_CLUSTER: 'b' })).to.deep.include({ bindAddr: '::1', cluster: 'a' });
    expect(rpcConfigFromEnv({ SHOAL_DATA_PORT: '0', SHOAL_GOSSIP_KEY: 'sixteen-bytes-at-least' })).to.deep.include({ port: 0, secret: 'sixteen-bytes-at-least' });
  });

  it('refuses bad values, naming the variable', () => {
    expect(() => rpcConfigFromEnv({ SHOAL_DATA_PORT: '70000' })).to.throw(/SHOAL_DATA_PORT: expected an integer from 0 to 65535, got "70000"/);
    expect(() => rpcConfigFromEnv({ SHOAL_DATA_BIND: 'localhost' })).to.throw(/SHOAL_DATA_BIND: expected an IPv4 or IPv6 address/);
    expect(() => rpcConfigFromEnv({ SHOAL_GOSSIP_KEY: 'short' })).to.throw(/SHOAL_GOSSIP_KEY: expected a secret of at least 16 bytes/);
    expect(() => distributedConfigFromEnv({ SHOAL_WRITE_TIMEOUT_MS: 'soon' })).to.throw(/SHOAL_WRITE_TIMEOUT_MS: expected milliseconds from 10 to 600000, got "soon"/);
  });

  it('reads the coordinator timings, keeping defaults for the rest', () => {
    const c = distributedConfigFromEnv({ SHOAL_HINT_WINDOW_MS: '0', SHOAL_ANTI_ENTROPY_INTERVAL_MS: '2000', SHOAL_READ_TIMEOUT_MS: '1500' });
    expect(c).to.deep.equal({ ...DEFAULT_CONFIG, hintWindowMs: 0, antiEntropyIntervalMs: 2000, readTimeoutMs: 1500 });
  });
});
