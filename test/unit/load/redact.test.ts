import assert from 'node:assert/strict';
import { loadViewConfig } from '../../../src/cli/loadtest-view.js';
import { createRedactor, redactText, redactUrl, redactValue, secretsOf } from '../../../src/load/redact.js';

describe('load/redact', () => {
  it('hides URL user info anywhere in a text, keeping the user of user:password', () => {
    assert.equal(redactUrl('see https://alice:hunter2-pw@api.example.com:8443/v1?q=1 now'), 'see https://alice:redacted@api.example.com:8443/v1?q=1 now');
    assert.equal(redactUrl('http://ghp_token123@host/p and ftp://a:b@c/'), 'http://redacted@host/p and ftp://a:redacted@c/');
    assert.equal(redactUrl('mail me at a@b.c, or http://host/p@x'), 'mail me at a@b.c, or http://host/p@x');
    assert.equal(redactUrl('http://alice:pw@h/', true), 'http://alice:pw@h/');
  });

  it('finds the secrets of a run: passwords (raw and decoded), header values and their tokens, long enough to search for', () => {
    const secrets = secretsOf({ urls: ['http://u:p%40ss-word-1@h/'], headers: { authorization: 'Bearer tok-0123456789', accept: 'json' } });
    assert.deepEqual(new Set(secrets), new Set(['p%40ss-word-1', 'p@ss-word-1', 'Bearer tok-0123456789', 'tok-0123456789']));
  });

  it('redacts known secrets in free text and in every string of a result, keys included', () => {
    const secrets = secretsOf({ headers: { authorization: 'Bearer tok-0123456789' } });
    assert.equal(redactText('server said: bad token tok-0123456789', secrets), 'server said: bad token [redacted]');
    const value = { target: { url: 'http://u:pw-secret@h/' }, notes: ['echo tok-0123456789'], n: 3, nested: [{ 'tok-0123456789': true }] };
    assert.deepEqual(redactValue(value, secrets), { target: { url: 'http://u:redacted@h/' }, notes: ['echo [redacted]'], n: 3, nested: [{ '[redacted]': true }] });
    assert.deepEqual(redactValue(value, secrets, true), value);
  });

  it('a redactor carries one run’s secrets and --show-secrets', () => {
    const r = createRedactor({ urls: ['http://u:pw-secret-1@h/'], headers: { authorization: 'Bearer tok-0123456789' } });
    assert.equal(r.text('GET http://u:pw-secret-1@h/ with Bearer tok-0123456789'), 'GET http://u:redacted@h/ with [redacted]');
    assert.equal(r.url('http://u:pw-secret-1@h/'), 'http://u:redacted@h/');
    const shown = createRedactor({ urls: ['http://u:pw-secret-1@h/'], show: true });
    assert.equal(shown.text('http://u:pw-secret-1@h/'), 'http://u:pw-secret-1@h/');
  });

  it('the loadtest dashboard is handed the redacted URL unless --show-secrets', () => {
    const options = { url: 'http://u:pw-secret-1@127.0.0.1:8/p', mode: { kind: 'rate', ratePerSecond: 1, arrival: 'constant' } } as const;
    assert.equal(loadViewConfig(options).url, 'http://u:redacted@127.0.0.1:8/p');
    assert.equal(loadViewConfig({ ...options, showSecrets: true }).url, 'http://u:pw-secret-1@127.0.0.1:8/p');
  });
});
