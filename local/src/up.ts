// `shoal up`: the whole of Shoal on one machine. The embedded API server (persisted under the
// data folder), the CRDs, the operator (the real one, as a child process with a kubeconfig),
// and the pod runner (one real node process per StatefulSet pod), then the user's manifests.
// Everything stops cleanly on SIGINT/SIGTERM; a second `shoal up` on the same folder resumes.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer, ApiServer } from './apiserver/index.js';
import { startPodRunner, PodRunner } from './podrunner/index.js';
import { Supervisor } from './podrunner/supervisor.js';
import { allocatePorts } from './podrunner/ports.js';
import { readManifests, applyManifests } from './manifests.js';
import { consoleLog, Log } from './log.js';

/** The package root (two levels above dist/local/). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface UpOptions {
  files: string[];
  dataDir: string;
  /** API server port (0 = any free port). */
  apiPort: number;
  /** Extra environment for every pod (e.g. SHOAL_GOSSIP_PROFILE). */
  podEnv?: Record<string, string>;
  quiet?: boolean;
}

export interface LocalCluster {
  api: ApiServer;
  runner: PodRunner;
  operator: Supervisor;
  operatorHttp: string;
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  stop(): Promise<void>;
}

export async function up(opts: UpOptions): Promise<LocalCluster> {
  const log: Log = consoleLog('shoal', opts.quiet);
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const api = await startApiServer({ dataDir: join(dataDir, 'apiserver'), port: opts.apiPort, kubeconfigPath: join(dataDir, 'kubeconfig') });
  log('API server listening', { url: api.url });
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  await applyManifests(kc, readManifests([join(PACKAGE_ROOT, 'crds')]), 'shoal-up');

  const opPort = (await allocatePorts()).http;
  const operator = new Supervisor({
    command: process.execPath,
    args: [join(DIST, 'operator', 'main.js')],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      KUBECONFIG: api.kubeconfigPath,
      SHOAL_OPERATOR_POD_NAME: 'shoal-operator-local',
      SHOAL_OPERATOR_HTTP_HOST: '127.0.0.1',
      SHOAL_OPERATOR_HTTP_PORT: String(opPort),
      SHOAL_LOG_LEVEL: process.env.SHOAL_LOG_LEVEL ?? 'info',
    },
    logFile: join(dataDir, 'logs', 'operator.log'),
  });
  operator.start();
  log('operator started', { http: `http://127.0.0.1:${opPort}`, log: join(dataDir, 'logs', 'operator.log') });

  const runner = await startPodRunner({
    kubeconfigPath: api.kubeconfigPath,
    workDir: dataDir,
    nodeEntry: join(DIST, 'node', 'main.js'),
    log: consoleLog('pods', opts.quiet),
    extraEnv: { SHOAL_GOSSIP_PROFILE: 'fast', ...opts.podEnv },
  });
  if (opts.files.length) await applyManifests(kc, readManifests(opts.files), 'shoal-up');

  const stop = async () => {
    await runner.stop();
    await operator.stop();
    await api.close();
  };
  return { api, runner, operator, operatorHttp: `http://127.0.0.1:${opPort}`, kubeconfigPath: api.kubeconfigPath, kubeConfig: kc, stop };
}
