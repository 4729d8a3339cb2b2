import assert from 'node:assert/strict';
import { proxyFor, redactProxy } from '../../../src/net/proxy-env.js';

describe('proxyFor: HTTP_PROXY / HTTPS_PROXY / NO_PROXY', () => {
  const P = 'http://proxy.corp:3128';

  it('uses no proxy when the environment names none', () => {
    assert.equal(proxyFor('http://10.0.0.5:8080/predict', {}), undefined);
    assert.equal(proxyFor('https://api.example.com:6443', { NO_PROXY: 'x' }), undefined);
  });

  it('picks HTTP_PROXY for http:// and HTTPS_PROXY for https://, never HTTP_PROXY for TLS', () => {
    assert.equal(proxyFor('http://10.0.0.5/', { HTTP_PROXY: P }), P);
    assert.equal(proxyFor('https://10.0.0.5/', { HTTP_PROXY: P }), undefined);
    assert.equal(proxyFor('https://10.0.0.5/', { HTTPS_PROXY: 'http://tls-proxy:8080' }), 'http://tls-proxy:8080');
    assert.equal(proxyFor('http://10.0.0.5/', { HTTPS_PROXY: 'http://tls-proxy:8080' }), undefined);
  });

  it('reads the lower-case variable first, as curl does, and ignores empty ones', () => {
    assert.equal(proxyFor('http://h/', { http_proxy: 'http://lower:1', HTTP_PROXY: 'http://upper:2' }), 'http://lower:1');
    assert.equal(proxyFor('http://h/', { http_proxy: '', HTTP_PROXY: 'http://upper:2' }), 'http://upper:2');
    assert.equal(proxyFor('http://h/', { HTTP_PROXY: P, no_proxy: 'h', NO_PROXY: '' }), undefined);
  });

  it('proxies loopback like any host unless NO_PROXY lists it', () => {
    assert.equal(proxyFor('http://127.0.0.1:8080/', { HTTP_PROXY: P }), P);
    const env = { HTTP_PROXY: P, HTTPS_PROXY: P, NO_PROXY: '127.0.0.1,localhost' };
    assert.equal(proxyFor('http://127.0.0.1:8080/', env), undefined);
    assert.equal(proxyFor('https://localhost:6443/', env), undefined);
    assert.equal(proxyFor('http://127.0.0.2:8080/', env), P);
    assert.equal(proxyFor('http://[::1]:8080/', { HTTP_PROXY: P, NO_PROXY: '::1' }), undefined);
    assert.equal(proxyFor('http://[::1]:8080/', { HTTP_PROXY: P, NO_PROXY: '[::1]:8080' }), undefined);
    assert.equal(proxyFor('http://[::1]:9090/', { HTTP_PROXY: P, NO_PROXY: '[::1]:8080' }), P);
  });

  it('matches domains and their subdomains; *.domain matches subdomains only', () => {
    const env = { HTTPS_PROXY: P, NO_PROXY: 'svc.cluster.local, .corp.example *.internal' };
    assert.equal(proxyFor('https://svc.cluster.local/', env), undefined);
    assert.equal(proxyFor('https://api.svc.cluster.local/', env), undefined);
    assert.equal(proxyFor('https://corp.example/', env), undefined);
    assert.equal(proxyFor('https://k8s.corp.example/', env), undefined);
    assert.equal(proxyFor('https://a.internal/', env), undefined);
    assert.equal(proxyFor('https://internal/', env), P);
    assert.equal(proxyFor('https://notsvc.cluster.local.evil.com/', env), P);
    assert.equal(proxyFor('https://xcorp.example/', env), P);
    assert.equal(proxyFor('https://API.SVC.CLUSTER.LOCAL./', env), undefined, 'case and a trailing dot do not matter');
  });

  it('a port in NO_PROXY bypasses that port only; * bypasses everything', () => {
    const env = { HTTP_PROXY: P, NO_PROXY: 'models.local:8080' };
    assert.equal(proxyFor('http://models.local:8080/', env), undefined);
    assert.equal(proxyFor('http://models.local:9000/', env), P);
    assert.equal(proxyFor('http://models.local/', { HTTP_PROXY: P, NO_PROXY: 'models.local:80' }), undefined, 'the default port counts');
    assert.equal(proxyFor('http://anything/', { HTTP_PROXY: P, NO_PROXY: 'a.b,*' }), undefined);
  });

  it('redacts the credentials of a proxy URL for messages', () => {
    assert.equal(redactProxy('http://user:secret@proxy:3128'), 'http://proxy:3128/');
    assert.equal(redactProxy('http://proxy:3128'), 'http://proxy:3128');
  });
});
