// The operator process: config from the environment, the kubeconfig from the pod's service
// account (or KUBECONFIG), SIGTERM/SIGINT release the Lease and exit 0, lost leadership exits 1
// so Kubernetes restarts the pod as a fresh standby.
import { KubeConfig } from '@kubernetes/client-node';
import { startOperator, loadOperatorConfig, OPERATOR_ENVIRONMENT, ConfigError, createLogger } from './src/index.js';

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    process.stdout.write('shoal operator: reconciles VectorCluster and VectorClass resources.\n\nEnvironment:\n');
    for (const [name, what] of OPERATOR_ENVIRONMENT) process.stdout.write(`  ${name.padEnd(40)} ${what}\n`);
    return 0;
  }
  const config = loadOperatorConfig();
  const log = createLogger('operator', config.logLevel, { identity: config.identity });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const op = await startOperator({
    kubeConfig,
    namespace: config.namespace,
    identity: config.identity,
    leaderElection: config.leaderElection,
    http: { port: config.httpPort, host: config.httpHost },
    workers: config.workers,
    resyncMs: config.resyncMs,
    log,
  });
  log.info('operator started', { http: op.httpUrl, namespace: config.namespace ?? '(all)' });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    void op.stop();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  const reason = await op.exited;
  log.info('operator exited', { reason });
  return reason === 'stopped' ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof ConfigError ? e.message : e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(e instanceof ConfigError ? 2 : 1);
  },
);
