/**
 * kubectl's habits against a real control plane, on what `mdl render` produces from `mdl init`:
 * --dry-run=server on deploy and delete (the API server validates, stores and removes nothing),
 * status -o yaml|json|name, --kubeconfig over KUBECONFIG, and the kube client through HTTPS_PROXY.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { kubeconfigPath } from '../support/cluster/cluster.js';
import { startCountingProxy, type CountingProxy } from '../fixtures/counting-proxy.js';
import { proxyEnvOnly } from '../support/proxy-env.js';
import { admin, get, mdl, uniqueNamespace, type CliRun } from './support.js';

describe('kubectl habits against a real control plane', function () {
  const ns = uniqueNamespace('mdl-kubectl');
  const dir = mkdtempSync(path.join(tmpdir(), 'mdl-kubectl-'));
  // --kubeconfig must win: KUBECONFIG points nowhere.
  const env = { ...proxyEnvOnly({}), KUBECONFIG: path.join(dir, 'nowhere.yaml') };
  const spec = path.join(dir, 'mdl.config.yaml');
  const inDir = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliRun> =>
    mdl([...args, '--config', spec, '--kubeconfig', kubeconfigPath, '--namespace', ns], { ...env, ...extra }).done;
  let proxy: CountingProxy;

  before(async () => {
    proxy = await startCountingProxy();
    const init = await mdl(['init', '--name', 'iris', '--config', spec], env).done;
    assert.equal(init.code, 0, init.stderr);
    const client = await admin();
    await client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
  });
  after(() => proxy.close());

  it('deploy --dry-run=server: the API server validates every rendered object and stores none', async () => {
    const r = await inDir(['deploy', '--dry-run=server', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { dryRun: string; objects: { ref: string; action: string }[] };
    assert.equal(doc.dryRun, 'server');
    assert.deepEqual(doc.objects.map((o) => `${o.ref} ${o.action}`), [
      'PodDisruptionBudget/iris created', 'Service/iris created', 'Deployment/iris created', 'HorizontalPodAutoscaler/iris created',
    ]);
    const client = await admin();
    assert.equal(await get(client, `/apis/apps/v1/namespaces/${ns}/deployments/iris`), undefined, 'nothing stored');
    assert.equal(await get(client, `/api/v1/namespaces/${ns}/secrets/mdl-applyset-iris`), undefined, 'no ApplySet parent either');
  });

  it('deploy with --kubeconfig, then status -o name|yaml|json read the live objects', async () => {
    const d = await inDir(['deploy', '--timeout', '120s']);
    assert.equal(d.code, 0, d.stderr);
    const names = await inDir(['status', '-o', 'name']);
    assert.equal(names.code, 0, names.stderr);
    const lines = names.stdout.trim().split('\n');
    assert.equal(lines[0], 'deployment.apps/iris');
    assert.ok(lines.slice(1, -1).length >= 1 && lines.slice(1, -1).every((l) => /^pod\/iris-[\w-]+$/.test(l)), names.stdout);
    assert.equal(lines.at(-1), 'horizontalpodautoscaler.autoscaling/iris');
    const yaml = parse((await inDir(['status', '-o', 'yaml'])).stdout) as { name: string; namespace: string; deployments: { name: string }[] };
    const json = JSON.parse((await inDir(['status', '-o', 'json'])).stdout) as typeof yaml;
    for (const doc of [yaml, json]) {
      assert.equal(doc.name, 'iris');
      assert.equal(doc.namespace, ns);
      assert.deepEqual(doc.deployments.map((x) => x.name), ['iris']);
    }
  });

  it('the kube client goes through HTTPS_PROXY (CONNECT to the API server), and NO_PROXY takes it direct', async () => {
    const via = await inDir(['status', '-o', 'name'], { HTTPS_PROXY: proxy.url });
    assert.equal(via.code, 0, via.stderr);
    assert.match(via.stdout, /^deployment\.apps\/iris$/m);
    const server = new URL(parse((await import('node:fs')).readFileSync(kubeconfigPath, 'utf8')).clusters[0].cluster.server as string);
    assert.ok(proxy.tunnels.length >= 1 && proxy.tunnels.every((t) => t === server.host), proxy.tunnels.join(' '));
    const tunnels = proxy.tunnels.length;
    const direct = await inDir(['status', '-o', 'name'], { HTTPS_PROXY: proxy.url, NO_PROXY: `${server.hostname},localhost` });
    assert.equal(direct.code, 0, direct.stderr);
    assert.equal(proxy.tunnels.length, tunnels, 'NO_PROXY: no tunnel');
  });

  it('delete --dry-run=server and a bare --dry-run list the members and remove nothing; delete --yes removes them', async () => {
    const members = ['PodDisruptionBudget/iris', 'Service/iris', 'Deployment/iris', 'HorizontalPodAutoscaler/iris'];
    const client = await admin();
    for (const flag of ['--dry-run=server', '--dry-run']) {
      const r = await inDir(['delete', flag, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { deleted: string[]; dryRun: string };
      assert.deepEqual([...doc.deleted].sort(), [...members].sort(), flag);
      assert.equal(doc.dryRun, flag === '--dry-run' ? 'client' : 'server');
      assert.ok(await get(client, `/apis/apps/v1/namespaces/${ns}/deployments/iris`), `${flag}: the Deployment is still there`);
      assert.ok(await get(client, `/api/v1/namespaces/${ns}/secrets/mdl-applyset-iris`), `${flag}: the ApplySet parent is still there`);
    }
    const text = await inDir(['delete', '--dry-run=server']);
    assert.match(text.stderr, /Deployment\/iris would be deleted \(server dry run\)/);
    const gone = await inDir(['delete', '--yes']);
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal(await get(client, `/apis/apps/v1/namespaces/${ns}/deployments/iris`), undefined);
  });
});
