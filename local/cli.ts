#!/usr/bin/env node
// The `shoal` command. `shoal up -f FILE...` runs Shoal on this machine without Kubernetes: the
// embedded API server, the operator and one node process per pod, in the foreground.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { up, PACKAGE_ROOT } from './src/up.js';
import { readManifests } from './src/manifests.js';
import { importSample, until } from './src/sample.js';

const USAGE = `usage: shoal up -f FILE [-f FILE...] [--data-dir DIR] [--api-port PORT] [--sample N]

  -f, --filename   manifests to apply (VectorCluster, VectorClass, ...); files or folders
  --data-dir       where the API server, pods' data and logs live (default .data/local)
  --api-port       port of the embedded API server (default 0: any free port)
  --sample N       import N synthetic objects into every class once it is placed
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command !== 'up') {
    process.stderr.write(USAGE);
    process.exit(command === undefined || command === 'help' || command === '--help' ? 0 : 2);
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      filename: { type: 'string', short: 'f', multiple: true, default: [] },
      'data-dir': { type: 'string', default: '.data/local' },
      'api-port': { type: 'string', default: '0' },
      sample: { type: 'string', default: '0' },
    },
  });
  const apiPort = Number(values['api-port']);
  const sample = Number(values.sample);
  if (!Number.isInteger(apiPort) || apiPort < 0 || apiPort > 65535) throw new Error(`--api-port must be a port number, got ${values['api-port']}`);
  if (!Number.isInteger(sample) || sample < 0) throw new Error(`--sample must be a non-negative integer, got ${values.sample}`);

  const cluster = await up({ files: values.filename, dataDir: values['data-dir'], apiPort });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n[shoal] ${signal}: stopping pods, operator and API server...\n`);
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  // Wait for the pods of the clusters just applied (the operator creates their StatefulSets).
  const clusters = readManifests(values.filename).filter((o) => o.kind === 'VectorCluster').length;
  await until('every pod to be ready', 180_000, async () => {
    const sets = cluster.api.list('statefulsets.apps') as unknown as Array<{ spec?: { replicas?: number } }>;
    const want = sets.reduce((n, s) => n + (s.spec?.replicas ?? 1), 0);
    const pods = cluster.runner.list();
    return sets.length >= clusters && pods.length >= want && pods.every((p) => p.ready) ? true : undefined;
  }).catch((err) => process.stderr.write(`[shoal] warning: ${err.message}; see the pod logs\n`));
  const kubectl = join(PACKAGE_ROOT, '.tools', 'kubectl', 'kubectl');
  const queries = sample > 0 ? await importSample(cluster, sample) : [];
  const pods = cluster.runner.list().map((p) => `  ${p.namespace}/${p.name}  ${p.http}  (log: ${p.logFile})`);
  process.stdout.write(
    [
      '',
      'Shoal is running locally.',
      `  kubeconfig: ${cluster.kubeconfigPath}`,
      `  try:        KUBECONFIG=${cluster.kubeconfigPath} ${kubectl} get vectorclusters,vectorclasses,pods`,
      `  operator:   ${cluster.operatorHttp}/healthz  ${cluster.operatorHttp}/metrics`,
      'Pods:',
      ...pods,
      ...(queries.length ? ['Query the sample data:', ...queries.map((q) => `  ${q}`)] : []),
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`shoal: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
