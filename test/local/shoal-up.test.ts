// `shoal up` as a user runs it: the real command in a child process, then the real kubectl
// against its kubeconfig: apply the quickstart, see the printer columns, scale the cluster up,
// and stop everything with SIGTERM (no node process left behind).
import { expect } from 'chai';
import { spawn, execFile, ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitFor } from '../support/wait.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '..', '..', '..');
const CLI = resolve(here, '..', '..', 'local', 'cli.js');
const KUBECTL = join(ROOT, '.tools', 'kubectl', 'kubectl');
const run = promisify(execFile);

describe('shoal up with the real kubectl', function () {
  this.timeout(240_000);
  let dir: string;
  let up: ChildProcess;
  let output = '';

  const kubectl = async (...args: string[]) =>
    (await run(KUBECTL, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'kube-cache'), ...args], { env: { ...process.env, HOME: dir } })).stdout;
  const jsonOf = async (...args: string[]) => JSON.parse(await kubectl(...args, '-o', 'json'));

  before(async function () {
    if (!existsSync(KUBECTL)) throw new Error(`${KUBECTL} is missing: run scripts/ensure-tools.sh (make test does)`);
    dir = mkdtempSync(join(tmpdir(), 'shoal-up-'));
    up = spawn(process.execPath, [CLI, 'up', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    up.stdout!.on('data', (b) => (output += b));
    up.stderr!.on('data', (b) => (output += b));
    await waitFor(() => output.includes('Shoal is running locally'), { timeoutMs: 60_000, what: 'shoal up to start' }).catch((e) => {
      throw new Error(`${(e as Error).message}; output: ${output}`);
    });
  });

  after(async () => {
    if (up && up.exitCode === null) {
      up.kill('SIGKILL');
    }
    // Pods of a killed `shoal up` would outlive it; the SIGTERM test below stops them properly.
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies the quickstart with kubectl and shows the printer columns', async () => {
    await kubectl('apply', '-f', join(ROOT, 'examples', 'quickstart.yaml'));
    await waitFor(async () => (await jsonOf('get', 'vectorcluster', 'quickstart')).status?.readyReplicas === 3, { timeoutMs: 90_000, what: '3 ready pods' });
    await waitFor(async () => (await jsonOf('get', 'vectorclass', 'article')).status?.phase === 'Ready', { timeoutMs: 60_000, what: 'the class to be Ready' });
    const table = await kubectl('get', 'vectorclasses');
    const [header, row] = table.trim().split('\n');
    expect(header.split(/\s{2,}/)).to.deep.equal(['NAME', 'CLUSTER', 'CLASS', 'SHARDS', 'REPLICATION', 'READY SHARDS', 'PHASE', 'AGE']);
    expect(row.split(/\s+/).slice(0, 7)).to.deep.equal(['article', 'quickstart', 'Article', '3', '2', '3', 'Ready']);
  });

  it('scales the cluster up with kubectl scale', async () => {
    await kubectl('scale', 'vectorcluster/quickstart', '--replicas=4');
    await waitFor(async () => (await jsonOf('get', 'vectorcluster', 'quickstart')).status?.readyReplicas === 4, { timeoutMs: 90_000, what: '4 ready pods' });
    const pods = (await jsonOf('get', 'pods')).items.map((p: { metadata: { name: string } }) => p.metadata.name).sort();
    expect(pods).to.deep.equal(['quickstart-0', 'quickstart-1', 'quickstart-2', 'quickstart-3']);
    const sts = await jsonOf('get', 'statefulset', 'quickstart');
    expect(sts.spec.replicas).to.equal(4);
  });

  it('stops the API server, the operator and every pod on SIGTERM', async () => {
    const pids = (await jsonOf('get', 'pods')).items.map((p: { metadata: { annotations: Record<string, string> } }) => Number(p.metadata.annotations['local.shoal.dev/pid']));
    expect(pids.every((p: number) => p > 0)).to.equal(true);
    const exited = new Promise<number | null>((r) => up.once('exit', (code) => r(code)));
    up.kill('SIGTERM');
    expect(await exited).to.equal(0);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(pids.filter(alive)).to.deep.equal([]);
  });
});
