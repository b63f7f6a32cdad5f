// Environment variables: defaults, and a failure naming the variable for every bad value.
import { expect } from 'chai';
import { loadConfig, ConfigError } from '../../node/src/config.js';

describe('node config', () => {
  it('has container-friendly defaults', () => {
    const c = loadConfig({ SHOAL_NODE_NAME: 'pod-0' }, '/work');
    expect(c).to.include({ httpPort: 8080, httpHost: '0.0.0.0', nodeName: 'pod-0', control: 'standalone', logLevel: 'info', dataDir: '/work/.data/pod-0' });
    expect(c.apiKeys).to.deep.equal([]);
    expect(c.maxBodyBytes).to.equal(64 * 1024 * 1024);
    expect(c.workers).to.equal(undefined);
  });

  it('reads every variable', () => {
    const c = loadConfig({
      SHOAL_HTTP_PORT: '9000', SHOAL_HTTP_HOST: '127.0.0.1', SHOAL_DATA_DIR: 'd', SHOAL_NODE_NAME: 'n', SHOAL_API_KEYS: ' a , b,,',
      SHOAL_MAX_BODY_BYTES: '2048', SHOAL_CONTROL: 'kube', SHOAL_WORKERS: '3', SHOAL_SNAPSHOT_INTERVAL_MS: '0', SHOAL_LOG_LEVEL: 'debug',
      SHOAL_DATA_PORT: '9001', SHOAL_CLUSTER: 'quickstart', SHOAL_NAMESPACE: 'ns', SHOAL_GOSSIP_PORT: '9002',
    }, '/x');
    expect(c).to.deep.include({ httpPort: 9000, httpHost: '127.0.0.1', dataDir: '/x/d', nodeName: 'n', apiKeys: ['a', 'b'], maxBodyBytes: 2048, control: 'kube', workers: 3, snapshotIntervalMs: 0, logLevel: 'debug', dataPort: 9001 });
    expect(c.kube).to.include({ cluster: 'quickstart', namespace: 'ns', nodeName: 'n' });
    expect(c.gossip?.nodeName).to.equal('n');
  });

  it('runs gossip only when peers are configured or in kube mode', () => {
    expect(loadConfig({ SHOAL_NODE_NAME: 'n' }).gossip).to.equal(undefined);
    expect(loadConfig({ SHOAL_NODE_NAME: 'n', SHOAL_JOIN: '127.0.0.1:7000' }).gossip?.nodeName).to.equal('n');
    expect(() => loadConfig({ SHOAL_NODE_NAME: 'n', SHOAL_JOIN: '127.0.0.1:7000', SHOAL_GOSSIP_PROFILE: 'slow' })).to.throw(ConfigError, 'SHOAL_GOSSIP_PROFILE');
  });

  const bad: Array<[string, string]> = [
    ['SHOAL_HTTP_PORT', '80x'], ['SHOAL_HTTP_PORT', '70000'], ['SHOAL_MAX_BODY_BYTES', '-1'], ['SHOAL_CONTROL', 'etcd'],
    ['SHOAL_WORKERS', '0'], ['SHOAL_SNAPSHOT_INTERVAL_MS', '1.5'], ['SHOAL_LOG_LEVEL', 'verbose'], ['SHOAL_NODE_NAME', 'a b'], ['SHOAL_API_KEYS', ' , '],
    ['SHOAL_DATA_PORT', 'x'],
  ];
  for (const [name, value] of bad) {
    it(`rejects ${name}=${JSON.stringify(value)} naming the variable`, () => {
      expect(() => loadConfig({ SHOAL_NODE_NAME: 'n', [name]: value })).to.throw(ConfigError, name);
    });
  }
});
