import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad } from '../../../src/load/engine.js';
import { startCapacityServer, type CapacityServer } from '../../fixtures/capacity-server.js';
import { startCountingProxy, type CountingProxy } from '../../fixtures/counting-proxy.js';
import { withProxyEnv } from '../../support/proxy-env.js';


describe('load engine behind an HTTP proxy (HTTP_PROXY / HTTPS_PROXY / NO_PROXY)', function () {
  this.timeout(30_000);
  let server: CapacityServer;
  let proxy: CountingProxy;
  let tls: Server;
  let tlsUrl: string;
  let tlsServed = 0;
  before(async () => {
    server = await startCapacityServer({ slots: 20, serviceMs: 2 });
    proxy = await startCountingProxy();
    const dir = mkdtempSync(join(tmpdir(), 'mdl-proxy-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    tls = createHttpsServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (_req, res) => {
      tlsServed++;
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    tlsUrl = `https://127.0.0.1:${(tls.address() as { port: number }).port}/`;
  });
  after(async () => {
    await server.close();
    await proxy.close();
    tls.closeAllConnections();
    await new Promise((r) => tls.close(r));
  });
  beforeEach(() => {
    proxy.forwarded.length = 0;
    proxy.tunnels.length = 0;
  });

  it('http:// goes through HTTP_PROXY as a forward proxy: every request passes it and reaches the target', async () => {
    const servedBefore = server.stats.served;
    const r = await withProxyEnv({ HTTP_PROXY: proxy.url }, () =>
      runLoad({ url: `${server.url}/`, mode: { kind: 'concurrency', concurrency: 2 }, maxRequests: 30 }));
    assert.equal(r.requests.completed, 30);
    assert.equal(r.requests.failed, 0);
    assert.equal(proxy.forwarded.length, 30, 'each request was forwarded by the proxy');
    assert.ok(proxy.forwarded.every((h) => h === `127.0.0.1:${server.port}`), proxy.forwarded.join(' '));
    assert.equal(server.stats.served - servedBefore, 30);
    assert.equal(r.target.proxy, proxy.url);
  });

  it('NO_PROXY=127.0.0.1,localhost bypasses the proxy', async () => {
    const r = await withProxyEnv({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1,localhost' }, () =>
      runLoad({ url: `${server.url}/`, mode: { kind: 'concurrency', concurrency: 2 }, maxRequests: 20 }));
    assert.equal(r.requests.completed, 20);
    assert.deepEqual(proxy.forwarded, []);
    assert.deepEqual(proxy.tunnels, []);
    assert.equal(r.target.proxy, undefined);
  });

  it('direct (a target mdl started itself) connects directly whatever the environment says', async () => {
    const r = await withProxyEnv({ HTTP_PROXY: proxy.url }, () =>
      runLoad({ url: `${server.url}/`, mode: { kind: 'concurrency', concurrency: 1 }, maxRequests: 10, direct: true }));
    assert.equal(r.requests.completed, 10);
    assert.deepEqual(proxy.forwarded, []);
    assert.equal(r.target.proxy, undefined);
  });

  it('https:// tunnels through HTTPS_PROXY with CONNECT; HTTP_PROXY alone leaves it direct', async () => {
    const before = tlsServed;
    const r = await withProxyEnv({ HTTPS_PROXY: proxy.url }, () =>
      runLoad({ url: tlsUrl, mode: { kind: 'concurrency', concurrency: 1 }, maxRequests: 10, insecure: true }));
    assert.equal(r.requests.completed, 10, JSON.stringify(r.errors));
    assert.equal(tlsServed - before, 10);
    assert.deepEqual(proxy.tunnels, [`127.0.0.1:${new URL(tlsUrl).port}`], 'one kept-alive tunnel for one connection');
    assert.deepEqual(proxy.forwarded, []);

    const direct = await withProxyEnv({ HTTP_PROXY: proxy.url }, () =>
      runLoad({ url: tlsUrl, mode: { kind: 'concurrency', concurrency: 1 }, maxRequests: 5, insecure: true }));
    assert.equal(direct.requests.completed, 5);
    assert.equal(proxy.tunnels.length, 1, 'no new tunnel');
  });

  it('a proxy that is down fails the requests as refused connections, not as a hang', async () => {
    const down = await startCountingProxy();
    const url = down.url;
    await down.close();
    const r = await withProxyEnv({ HTTP_PROXY: url }, () =>
      runLoad({ url: `${server.url}/`, mode: { kind: 'concurrency', concurrency: 1 }, maxRequests: 3, timeoutMs: 5000 }));
    assert.equal(r.requests.completed, 0);
    assert.ok(r.requests.failed >= 1);
    assert.deepEqual(Object.keys(r.errors), ['connect_refused'], JSON.stringify(r.errors));
  });
});
