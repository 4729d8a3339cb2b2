/**
 * kubectl's habits in the built CLI: -o yaml|json|name and --out-dir on render, --kubeconfig, a bare
 * --dry-run (client: nothing sent to any API server), status -o, and loadtest through HTTP_PROXY.
 * What needs a real API server (server dry runs, status -o against live objects, the kube client through a
 * proxy end to end) is in test/cluster/kubectl-habits.test.ts. Needs `npm run build`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startCapacityServer, type CapacityServer } from '../fixtures/capacity-server.js';
import { startCountingProxy, type CountingProxy } from '../fixtures/counting-proxy.js';
import { proxyEnvOnly } from '../support/proxy-env.js';

const ROOT = join(import.meta.dirname, '../..');
const RUN = join(ROOT, 'bin', 'run.js');
const DEV_SPEC = join(import.meta.dirname, '../fixtures/dev-spec/mdl.config.yaml');

function mdl(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RUN, ...args], { cwd, env: { ...proxyEnvOnly({}), CI: 'true', DEBUG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A kubeconfig whose one context points at server, in namespace ns. */
function kubeconfig(dir: string, server: string, ns: string): string {
  const file = join(dir, 'edge.kubeconfig');
  writeFileSync(file, [
    'apiVersion: v1', 'kind: Config', 'current-context: edge',
    'clusters:', '- name: edge', '  cluster:', `    server: ${server}`, '    insecure-skip-tls-verify: true',
    'users:', '- name: u', '  user:', '    token: t',
    'contexts:', '- name: edge', '  context:', '    cluster: edge', '    user: u', `    namespace: ${ns}`, '',
  ].join('\n'));
  return file;
}

describe('kubectl habits (built CLI)', function () {
  this.timeout(60_000);
  let dir: string;
  /** An HTTP server standing in for an API server address: it counts every request that reaches it. */
  let api: Server;
  let apiUrl: string;
  let apiHits = 0;
  before(async () => {
    assert.ok(existsSync(join(ROOT, 'dist', 'commands', 'render.js')), 'run `npm run build` first');
    api = createServer((_req, res) => {
      apiHits++;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
  });
  after(() => new Promise((r) => api.close(r)));
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mdl-e2e-kubectl-'));
    const init = await mdl(dir, ['init', '--name', 'iris']);
    assert.equal(init.code, 0, init.stderr);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('render -o name prints kubectl names; -o json a List; the default stays YAML documents', async () => {
    const names = await mdl(dir, ['render', '-o', 'name']);
    assert.equal(names.code, 0, names.stderr);
    assert.equal(names.stdout, 'poddisruptionbudget.policy/iris\nservice/iris\ndeployment.apps/iris\nhorizontalpodautoscaler.autoscaling/iris\n');
    const json = await mdl(dir, ['render', '--output', 'json']);
    const list = JSON.parse(json.stdout) as { kind: string; items: { kind: string }[] };
    assert.equal(list.kind, 'List');
    assert.deepEqual(list.items.map((o) => o.kind), ['PodDisruptionBudget', 'Service', 'Deployment', 'HorizontalPodAutoscaler']);
    const yaml = await mdl(dir, ['render']);
    assert.deepEqual(parseAllDocuments(yaml.stdout).map((d) => (d.toJS() as { kind: string }).kind), list.items.map((o) => o.kind));
    assert.equal((await mdl(dir, ['render', '--format', 'json'])).stdout, json.stdout, '--format is the old name of -o');
  });

  it('render --out-dir writes one file per object; the old --output DIR is refused with the new flag named', async () => {
    const out = await mdl(dir, ['render', '--out-dir', 'k8s']);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, '');
    assert.deepEqual(readdirSync(join(dir, 'k8s')).sort(), ['deployment-iris.yaml', 'horizontalpodautoscaler-iris.yaml', 'poddisruptionbudget-iris.yaml', 'service-iris.yaml']);
    const old = await mdl(dir, ['render', '--output', 'k8s/']);
    assert.equal(old.code, 2);
    assert.match(old.stderr, /--output k8s\/ is not an output format \(yaml, json or name\)/);
    assert.match(old.stderr, /use --out-dir k8s\//);
    const names = await mdl(dir, ['render', '-o', 'name', '--out-dir', 'x']);
    assert.equal(names.code, 2);
    assert.match(names.stderr, /-o name prints names only/);
  });

  it('a bare deploy --dry-run is the client dry run: objects in the --kubeconfig context namespace, nothing sent', async () => {
    const kc = kubeconfig(dir, apiUrl, 'edge-ns');
    for (const args of [['--dry-run'], ['--dry-run=client'], ['--dry-run', 'client']]) {
      const r = await mdl(dir, ['deploy', ...args, '--kubeconfig', kc]);
      assert.equal(r.code, 0, r.stderr);
      const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind: string; metadata: { namespace: string; labels: Record<string, string> } });
      assert.deepEqual(docs.map((d) => d.kind), ['PodDisruptionBudget', 'Service', 'Deployment', 'HorizontalPodAutoscaler'], args.join(' '));
      assert.ok(docs.every((d) => d.metadata.namespace === 'edge-ns'), 'namespace from the --kubeconfig context');
      assert.ok(docs.every((d) => d.metadata.labels['applyset.kubernetes.io/part-of']?.startsWith('applyset-')));
      assert.match(r.stderr, /Deployment\/iris would be applied in edge-ns \(client dry run\)/);
    }
    assert.equal(apiHits, 0, 'a client dry run contacts no API server');
    const json = await mdl(dir, ['deploy', '--dry-run', '--json', '--kubeconfig', kc, '-n', 'other']);
    assert.equal(json.code, 0, json.stderr);
    assert.ok((JSON.parse(json.stdout) as { objects: { metadata: { namespace: string } }[] }).objects.every((o) => o.metadata.namespace === 'other'));
  });

  it('a client dry run validates --manifests: an invalid object is exit 2 naming it; a missing --kubeconfig is exit 2', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: iris\nspec:\n  replicas: lots\n');
    const r = await mdl(dir, ['deploy', '--dry-run', '--manifests', bad, '-n', 'ml']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Deployment\/iris in .*bad\.yaml is not a valid Deployment/);
    assert.match(r.stderr, /at --manifests/);
    const missing = await mdl(dir, ['deploy', '--dry-run', '--kubeconfig', join(dir, 'nope.yaml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /The kubeconfig file .*nope\.yaml does not exist/);
    const value = await mdl(dir, ['deploy', '--dry-run=maybe']);
    assert.equal(value.code, 2);
    assert.match(value.stderr, /none, client, server/);
  });

  it('--kubeconfig is used by status, delete, diff and tune --restore: the server of that file is the one named when unreachable', async () => {
    const kc = kubeconfig(dir, 'https://127.0.0.1:1', 'ml');
    const status = await mdl(dir, ['status', '--kubeconfig', kc, '-o', 'yaml']);
    assert.equal(status.code, 3, status.stderr);
    assert.match(status.stderr, /Cannot reach the cluster of context "edge" at https:\/\/127\.0\.0\.1:1: ECONNREFUSED/);
    // A dry run changes nothing, so it needs no --yes off a terminal.
    const del = await mdl(dir, ['delete', '--dry-run', '--kubeconfig', kc]);
    assert.equal(del.code, 3, del.stderr);
    assert.doesNotMatch(del.stderr, /without confirmation/);
    const refused = await mdl(dir, ['delete', '--kubeconfig', kc]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--dry-run to see what would be deleted/);
    // The one flag definition is on every command that talks to a cluster.
    for (const args of [['diff'], ['tune', '--restore', '--name', 'iris']]) {
      const r = await mdl(dir, [...args, '--kubeconfig', kc]);
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /context "edge" at https:\/\/127\.0\.0\.1:1/, args.join(' '));
    }
    const badFormat = await mdl(dir, ['status', '-o', 'wide']);
    assert.equal(badFormat.code, 2);
  });

  describe('loadtest through HTTP_PROXY', () => {
    let server: CapacityServer;
    let proxy: CountingProxy;
    before(async () => {
      server = await startCapacityServer({ slots: 10, serviceMs: 2 });
      proxy = await startCountingProxy();
    });
    after(async () => {
      await server.close();
      await proxy.close();
    });

    it('reaches the target through the proxy and says so; NO_PROXY bypasses it', async () => {
      const args = ['loadtest', `${server.url}/`, '--concurrency', '2', '--requests', '20'];
      const via = await mdl(dir, [...args, '--json'], { HTTP_PROXY: proxy.url });
      assert.equal(via.code, 0, via.stderr);
      const doc = JSON.parse(via.stdout) as { requests: { completed: number }; target: { proxy?: string } };
      assert.equal(doc.requests.completed, 20);
      assert.equal(doc.target.proxy, proxy.url);
      assert.ok(proxy.forwarded.length >= 20, `forwarded ${proxy.forwarded.length}`);
      const text = await mdl(dir, args, { HTTP_PROXY: proxy.url });
      assert.match(text.stdout + text.stderr, /through the proxy http:\/\/127\.0\.0\.1:\d+/);

      const before = proxy.forwarded.length;
      const direct = await mdl(dir, [...args, '--json'], { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1,localhost' });
      assert.equal(direct.code, 0, direct.stderr);
      assert.equal((JSON.parse(direct.stdout) as { requests: { completed: number } }).requests.completed, 20);
      assert.equal(proxy.forwarded.length, before, 'NO_PROXY: nothing went through the proxy');
    });

    it('a proxy that is down stops the run loudly (exit 99), naming the proxy rather than the server', async () => {
      const down = await startCountingProxy();
      await down.close();
      const r = await mdl(dir, ['loadtest', `${server.url}/`, '--rate', '50', '--duration', '2s'], { HTTP_PROXY: down.url });
      assert.equal(r.code, 99, r.stderr);
      assert.match(r.stderr, new RegExp(`through the proxy ${down.url.replace(/[.]/g, '\\.')} failed .*connect_refused`));
      assert.match(r.stderr, /is it up\? NO_PROXY lists hosts to reach directly/);
    });

    it('loadtest --local never sends through the proxy: mdl started that target on 127.0.0.1', async () => {
      const before = proxy.forwarded.length;
      const r = await mdl(dir, ['loadtest', '--local', '-c', DEV_SPEC, '--rate', '10', '--duration', '1s', '--json'], { HTTP_PROXY: proxy.url });
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { requests: { completed: number }; target: { proxy?: string } };
      assert.equal(doc.requests.completed, 10);
      assert.equal(doc.target.proxy, undefined);
      assert.equal(proxy.forwarded.length, before);
    });
  });
});
