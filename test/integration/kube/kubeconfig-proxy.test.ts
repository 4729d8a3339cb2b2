import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient } from '../../../src/kube/client.js';
import { resolveKubeTarget } from '../../../src/kube/context.js';
import { ExitCode, MdlError } from '../../../src/errors.js';
import { startCountingProxy, type CountingProxy } from '../../fixtures/counting-proxy.js';
import { withProxyEnv } from '../../support/proxy-env.js';

/** A kubeconfig with one context "edge" on server, namespace ml, and optionally a proxy-url. */
function kubeconfigFile(dir: string, name: string, server: string, proxyUrl?: string): string {
  const file = join(dir, name);
  writeFileSync(file, [
    'apiVersion: v1', 'kind: Config', 'current-context: edge',
    'clusters:', '- name: edge', '  cluster:', `    server: ${server}`, '    insecure-skip-tls-verify: true',
    ...(proxyUrl ? [`    proxy-url: ${proxyUrl}`] : []),
    'users:', '- name: edge-user', '  user:', '    token: t0ken',
    'contexts:', '- name: edge', '  context:', '    cluster: edge', '    user: edge-user', '    namespace: ml', '',
  ].join('\n'));
  return file;
}

describe('kube client: --kubeconfig and HTTPS_PROXY / NO_PROXY / proxy-url (an HTTPS endpoint and a proxy on 127.0.0.1)', function () {
  this.timeout(20_000);
  const dir = mkdtempSync(join(tmpdir(), 'mdl-kubeconfig-'));
  let api: Server;
  let server: string;
  let proxy: CountingProxy;
  const seen: { path: string; auth: string | undefined }[] = [];
  before(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    api = createHttpsServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (req, res) => {
      seen.push({ path: req.url ?? '', auth: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ major: '1', minor: '36', gitVersion: 'v1.36.3' }));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    server = `https://127.0.0.1:${(api.address() as { port: number }).port}`;
    proxy = await startCountingProxy();
  });
  after(async () => {
    await proxy.close();
    api.closeAllConnections();
    await new Promise((r) => api.close(r));
  });
  beforeEach(() => {
    proxy.tunnels.length = 0;
    proxy.forwarded.length = 0;
    seen.length = 0;
  });

  it('--kubeconfig reads that file instead of KUBECONFIG: its context, server and namespace', async () => {
    const file = kubeconfigFile(dir, 'edge.yaml', server);
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = join(dir, 'does-not-exist.yaml');
    try {
      const target = await withProxyEnv({}, () => resolveKubeTarget({ kubeconfig: file }));
      assert.equal(target.context, 'edge');
      assert.equal(target.server, server);
      assert.equal(target.namespace, 'ml');
      assert.equal(target.source, `--kubeconfig ${file}`);
      assert.equal(target.proxy, undefined);
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });

  it('a --kubeconfig file that does not exist is bad input (exit 2) naming the flag', async () => {
    await assert.rejects(resolveKubeTarget({ kubeconfig: join(dir, 'missing.yaml') }), (error: unknown) => {
      assert.ok(error instanceof MdlError);
      assert.equal(error.exitCode, ExitCode.badInput);
      assert.equal(error.where, '--kubeconfig');
      assert.match(error.message, /missing\.yaml does not exist/);
      return true;
    });
  });

  it('HTTPS_PROXY: requests tunnel through the proxy with CONNECT, credentials still sent', async () => {
    const file = kubeconfigFile(dir, 'edge.yaml', server);
    const body = await withProxyEnv({ HTTPS_PROXY: proxy.url }, async () => {
      const target = await resolveKubeTarget({ kubeconfig: file });
      assert.equal(target.proxy, proxy.url);
      return new KubeClient(target).request<{ gitVersion: string }>('GET', '/version');
    });
    assert.equal(body.gitVersion, 'v1.36.3');
    assert.deepEqual(proxy.tunnels, [new URL(server).host]);
    assert.deepEqual(seen, [{ path: '/version', auth: 'Bearer t0ken' }]);
  });

  it('NO_PROXY naming the server goes direct; HTTP_PROXY alone is not used for an https:// server', async () => {
    const file = kubeconfigFile(dir, 'edge.yaml', server);
    for (const env of [{ HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1,localhost' }, { HTTP_PROXY: proxy.url }]) {
      const body = await withProxyEnv(env, async () => {
        const target = await resolveKubeTarget({ kubeconfig: file });
        assert.equal(target.proxy, undefined, JSON.stringify(env));
        return new KubeClient(target).request<{ gitVersion: string }>('GET', '/version');
      });
      assert.equal(body.gitVersion, 'v1.36.3');
    }
    assert.deepEqual(proxy.tunnels, []);
    assert.equal(seen.length, 2);
  });

  it("the cluster's proxy-url is used without any environment variable, and wins over NO_PROXY", async () => {
    const file = kubeconfigFile(dir, 'edge-proxied.yaml', server, proxy.url);
    const body = await withProxyEnv({ NO_PROXY: '*' }, async () => new KubeClient(await resolveKubeTarget({ kubeconfig: file })).request<{ gitVersion: string }>('GET', '/version'));
    assert.equal(body.gitVersion, 'v1.36.3');
    assert.deepEqual(proxy.tunnels, [new URL(server).host]);
  });

  it('a proxy that is down is exit 3, naming the server and the proxy', async () => {
    const down = await startCountingProxy();
    await down.close();
    const file = kubeconfigFile(dir, 'edge.yaml', server);
    await withProxyEnv({ HTTPS_PROXY: down.url }, async () => {
      const client = new KubeClient(await resolveKubeTarget({ kubeconfig: file }));
      await assert.rejects(client.request('GET', '/version'), (error: unknown) => {
        assert.ok(error instanceof MdlError);
        assert.equal(error.exitCode, ExitCode.cluster);
        assert.match(error.message, new RegExp(`at ${server} through the proxy ${down.url}`));
        assert.match(error.hint ?? '', /HTTPS_PROXY/);
        return true;
      });
    });
    assert.equal(seen.length, 0);
  });
});
