// The local API server driven by the real kubectl (1.32) and helm (3.17) binaries, with HOME,
// KUBECONFIG and caches in temp dirs so the real home is never touched.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { stringify } from 'yaml';
import type { ApiServer } from '../../../local/src/apiserver/index.js';
import { eventually, startServer, widget, WIDGET_CRD } from './helpers.js';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'scripts', 'ensure-tools.sh'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (scripts/ensure-tools.sh) above the test file');
    dir = up;
  }
  return dir;
}

interface Run { code: number; stdout: string; stderr: string }

describe('local apiserver with the real kubectl and helm', function () {
  this.timeout(60000);
  const root = repoRoot();
  const kubectlBin = join(root, '.tools/kubectl/kubectl');
  const helmBin = join(root, '.tools/helm/helm');
  let server: ApiServer;
  let home: string;
  let env: NodeJS.ProcessEnv;

  before(() => { execFileSync(join(root, 'scripts/ensure-tools.sh'), { stdio: 'inherit' }); });
  beforeEach(async () => {
    ({ server } = await startServer());
    home = mkdtempSync(join(tmpdir(), 'shoal-tools-'));
    env = {
      PATH: process.env.PATH, HOME: home, KUBECONFIG: server.kubeconfigPath,
      HELM_CACHE_HOME: join(home, 'helm-cache'), HELM_CONFIG_HOME: join(home, 'helm-config'), HELM_DATA_HOME: join(home, 'helm-data'),
    };
  });
  afterEach(async () => { await server.close(); rmSync(home, { recursive: true, force: true }); });

  const run = (bin: string, args: string[], input?: string): Promise<Run> => new Promise((resolve) => {
    const child = execFile(bin, args, { env, timeout: 30000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
  const kubectl = (args: string[], input?: string): Promise<Run> => run(kubectlBin, ['--cache-dir', join(home, 'kube-cache'), ...args], input);
  const ok = async (p: Promise<Run>): Promise<string> => {
    const r = await p;
    if (r.code !== 0) throw new Error(`command failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const yaml = (o: unknown): string => stringify(o);

  it('applies a CRD and CRs client-side and server-side, prints columns, scales and deletes', async () => {
    await ok(kubectl(['apply', '-f', '-'], yaml(WIDGET_CRD)));
    await ok(kubectl(['apply', '-f', '-'], yaml(widget('w1', { dimensions: 3, replicas: 2 }))));
    await ok(kubectl(['apply', '-f', '-'], yaml(widget('w1', { dimensions: 3, replicas: 2, color: 'red' }))));
    expect(server.get('widgets', 'w1')?.spec).to.deep.include({ color: 'red', replicas: 2 });
    const table = await ok(kubectl(['get', 'widgets']));
    expect(table).to.match(/NAME\s+REPLICAS\s+PHASE\s+AGE/);
    expect(table).to.match(/w1\s+2\s+/);

    await ok(kubectl(['apply', '--server-side', '-f', '-'], yaml(widget('w2', { dimensions: 5, color: 'blue' }))));
    const conflict = await kubectl(['apply', '--server-side', '--field-manager', 'someone', '-f', '-'], yaml(widget('w2', { dimensions: 5, color: 'red' })));
    expect(conflict.code).to.not.equal(0);
    expect(conflict.stderr).to.contain('conflict with "kubectl"');
    await ok(kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager', 'someone', '-f', '-'], yaml(widget('w2', { dimensions: 5, color: 'red' }))));
    expect(server.get('widgets', 'w2')?.spec).to.deep.include({ color: 'red' });

    const invalid = await kubectl(['apply', '-f', '-'], yaml(widget('w1', { dimensions: 4, replicas: 2, color: 'red' })));
    expect(invalid.stderr).to.contain('dimensions is immutable');
    const unknown = await kubectl(['apply', '-f', '-'], yaml(widget('w3', { dimensions: 1, colour: 'red' })));
    expect(unknown.stderr).to.contain('unknown field "spec.colour"');

    await ok(kubectl(['scale', 'widget', 'w1', '--replicas=5']));
    expect(server.get('widgets', 'w1')?.spec).to.deep.include({ replicas: 5 });
    expect(await ok(kubectl(['describe', 'widget', 'w1']))).to.match(/Replicas:\s+5/);
    await ok(kubectl(['delete', 'widget', 'w1']));
    expect(server.get('widgets', 'w1')).to.equal(undefined);
  });

  it('streams changes to kubectl get -w', async () => {
    await ok(kubectl(['apply', '-f', '-'], yaml(WIDGET_CRD)));
    await ok(kubectl(['apply', '-f', '-'], yaml(widget('w1'))));
    const child = spawn(kubectlBin, ['--cache-dir', join(home, 'kube-cache'), 'get', 'widgets', '-w', '-o', 'name'], { env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    try {
      await eventually(() => out.includes('widget.example.com/w1'), 'initial list line');
      await ok(kubectl(['apply', '-f', '-'], yaml(widget('w2'))));
      await eventually(() => out.includes('widget.example.com/w2'), 'watch event line', 10000);
    } finally {
      child.kill();
    }
  });

  it('accepts protobuf bodies from kubectl create generators and strategic merge from kubectl apply', async () => {
    await ok(kubectl(['create', 'secret', 'generic', 's1', '--from-literal=password=hunter2']));
    expect(server.get('secrets', 's1')?.data).to.deep.equal({ password: Buffer.from('hunter2').toString('base64') });
    expect(server.get('secrets', 's1')?.type).to.equal('Opaque');
    await ok(kubectl(['create', 'configmap', 'c1', '--from-literal=a=b']));
    expect(server.get('configmaps', 'c1')?.data).to.deep.equal({ a: 'b' });
    await ok(kubectl(['create', 'namespace', 'team-a']));
    expect(server.get('namespaces', 'team-a')).to.not.equal(undefined);

    const deploy = (image: string, env2: { name: string; value: string }[]): unknown => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'team-a' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image, env: env2 }] } } },
    });
    await ok(kubectl(['apply', '-f', '-'], yaml(deploy('nginx:1', [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]))));
    await ok(kubectl(['apply', '-f', '-'], yaml(deploy('nginx:2', [{ name: 'A', value: '1' }]))));
    const c = (server.get('deployments.apps', 'web', 'team-a')?.spec as { template: { spec: { containers: { image: string; env: unknown[] }[] } } }).template.spec.containers[0];
    expect(c.image).to.equal('nginx:2');
    expect(c.env).to.deep.equal([{ name: 'A', value: '1' }]);
    await ok(kubectl(['delete', 'namespace', 'team-a']));
    expect(server.get('namespaces', 'team-a')).to.equal(undefined);
  });

  it('lets helm install, upgrade, list and uninstall a chart with a CRD', async () => {
    const chart = join(home, 'chart');
    mkdirSync(join(chart, 'templates'), { recursive: true });
    mkdirSync(join(chart, 'crds'), { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), yaml({ apiVersion: 'v2', name: 'demo', version: '0.1.0' }));
    writeFileSync(join(chart, 'values.yaml'), yaml({ replicas: 1, image: 'nginx:1' }));
    writeFileSync(join(chart, 'crds', 'widgets.yaml'), yaml(WIDGET_CRD));
    writeFileSync(join(chart, 'templates', 'all.yaml'), [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "{{ .Release.Name }}-cm"}\ndata: {image: "{{ .Values.image }}"}',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: "{{ .Release.Name }}-web"}\nspec:\n  replicas: {{ .Values.replicas }}\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: "{{ .Values.image }}"}]',
      'apiVersion: v1\nkind: Service\nmetadata: {name: "{{ .Release.Name }}-svc"}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: "{{ .Release.Name }}-widget"}\nspec: {dimensions: 3, replicas: {{ .Values.replicas }}}',
    ].join('\n---\n'));
    const helm = (args: string[]): Promise<Run> => run(helmBin, args);
    await ok(helm(['install', 'r1', chart, '-n', 'apps', '--create-namespace']));
    expect(server.get('customresourcedefinitions', 'widgets.example.com')).to.not.equal(undefined);
    expect(server.get('widgets', 'r1-widget', 'apps')?.spec).to.deep.include({ replicas: 1 });
    await ok(helm(['upgrade', 'r1', chart, '-n', 'apps', '--set', 'replicas=3', '--set', 'image=nginx:2']));
    expect((server.get('deployments.apps', 'r1-web', 'apps')?.spec as { replicas: number }).replicas).to.equal(3);
    expect(server.get('configmaps', 'r1-cm', 'apps')?.data).to.deep.equal({ image: 'nginx:2' });
    expect(server.get('widgets', 'r1-widget', 'apps')?.spec).to.deep.include({ replicas: 3 });
    expect(await ok(helm(['list', '-n', 'apps']))).to.match(/r1\s+apps\s+2\s+.*deployed/);
    await ok(helm(['uninstall', 'r1', '-n', 'apps']));
    expect(server.list('deployments.apps', { namespace: 'apps' })).to.have.length(0);
    expect(server.list('secrets', { namespace: 'apps', labelSelector: 'owner=helm' })).to.have.length(0);
  });
});
