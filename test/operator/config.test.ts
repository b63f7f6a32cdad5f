// Operator configuration from environment variables: defaults, overrides, and errors that name
// the variable.
import { expect } from 'chai';
import { loadOperatorConfig, ConfigError } from '../../operator/src/index.js';

describe('operator: configuration', () => {
  it('defaults to all namespaces, leader election on, port 8081', () => {
    const c = loadOperatorConfig({ SHOAL_OPERATOR_POD_NAME: 'op-1', SHOAL_OPERATOR_POD_NAMESPACE: 'shoal-system' });
    expect(c).to.deep.include({ namespace: undefined, identity: 'op-1', httpPort: 8081, workers: 2, resyncMs: 600_000, logLevel: 'info' });
    expect(c.leaderElection).to.deep.equal({
      leaseName: 'shoal-operator', leaseNamespace: 'shoal-system', identity: 'op-1', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000,
    });
  });

  it('takes overrides', () => {
    const c = loadOperatorConfig({
      SHOAL_OPERATOR_NAMESPACE: 'team-a', SHOAL_OPERATOR_POD_NAME: 'p', SHOAL_OPERATOR_LEASE_NAMESPACE: 'team-a', SHOAL_OPERATOR_LEASE_NAME: 'l',
      SHOAL_OPERATOR_HTTP_PORT: '0', SHOAL_OPERATOR_LEASE_DURATION_SECONDS: '30', SHOAL_OPERATOR_RENEW_DEADLINE_SECONDS: '20', SHOAL_LOG_LEVEL: 'debug',
    });
    expect(c).to.deep.include({ namespace: 'team-a', httpPort: 0, logLevel: 'debug' });
    expect(c.leaderElection).to.include({ leaseName: 'l', leaseNamespace: 'team-a', leaseDurationMs: 30_000, renewDeadlineMs: 20_000 });
    expect(loadOperatorConfig({ SHOAL_OPERATOR_LEADER_ELECTION: 'false' }).leaderElection).to.equal(false);
  });

  it('names the variable and the expected value on bad input', () => {
    expect(() => loadOperatorConfig({ SHOAL_OPERATOR_HTTP_PORT: 'http' })).to.throw(ConfigError, 'SHOAL_OPERATOR_HTTP_PORT must be an integer from 0 to 65535, got "http"');
    expect(() => loadOperatorConfig({ SHOAL_OPERATOR_RENEW_DEADLINE_SECONDS: '20' })).to.throw(ConfigError, 'must be less than SHOAL_OPERATOR_LEASE_DURATION_SECONDS');
    expect(() => loadOperatorConfig({ SHOAL_OPERATOR_LEADER_ELECTION: 'yes' })).to.throw(ConfigError, 'SHOAL_OPERATOR_LEADER_ELECTION must be true or false');
  });
});
