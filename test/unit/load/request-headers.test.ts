import assert from 'node:assert/strict';
import { MdlError } from '../../../src/errors.js';
import { expandHeaderValue, resolveRequestHeaders, withheldWarning } from '../../../src/load/request-headers.js';
import { buildLoadOptions } from '../../../src/cli/loadtest-options.js';

const PROD = 'https://models.example.com/predict';
const SPEC_HEADERS = { Authorization: 'Bearer prod', 'X-Team': 'ml' };

describe('load/request-headers: which headers go where', () => {
  it("sends the spec's headers to the spec's own origin, whatever the path", () => {
    const r = resolveRequestHeaders({ targetUrl: 'https://models.example.com/other?x=1', specUrl: PROD, specHeaders: SPEC_HEADERS, env: {} });
    assert.deepEqual(r.headers, { authorization: 'Bearer prod', 'x-team': 'ml' });
    assert.equal(r.withheld, undefined);
  });

  it('withholds them from another host, port or scheme, and from any URL when the spec has none', () => {
    for (const targetUrl of ['https://evil.example.com/predict', 'https://models.example.com:8443/predict', 'http://models.example.com/predict']) {
      const r = resolveRequestHeaders({ targetUrl, specUrl: PROD, specHeaders: SPEC_HEADERS, env: {} });
      assert.deepEqual(r.headers, {}, targetUrl);
      assert.deepEqual(r.withheld, { names: ['authorization', 'x-team'], targetOrigin: new URL(targetUrl).origin, specOrigin: 'https://models.example.com' });
    }
    const none = resolveRequestHeaders({ targetUrl: 'http://127.0.0.1:8080/', specHeaders: SPEC_HEADERS, env: {} });
    assert.deepEqual(none.headers, {});
    assert.equal(none.withheld?.specOrigin, undefined);
    assert.match(withheldWarning(none.withheld!), /the spec has no loadtest\.url to scope them to\. Pass --spec-headers/);
  });

  it('--spec-headers sends them anyway; --header values go everywhere and win over the spec', () => {
    const r = resolveRequestHeaders({ targetUrl: 'http://127.0.0.1:9/', specUrl: PROD, specHeaders: SPEC_HEADERS, flagHeaders: { 'x-team': 'cli' }, sendSpecHeaders: true, env: {} });
    assert.deepEqual(r.headers, { authorization: 'Bearer prod', 'x-team': 'cli' });
    const flagsOnly = resolveRequestHeaders({ targetUrl: 'http://127.0.0.1:9/', specUrl: PROD, specHeaders: SPEC_HEADERS, flagHeaders: { authorization: 'Bearer cli' }, env: {} });
    assert.deepEqual(flagsOnly.headers, { authorization: 'Bearer cli' });
    // Only what was actually held back is reported: authorization came from --header.
    assert.deepEqual(flagsOnly.withheld?.names, ['x-team']);
  });

  it('expands ${VAR} from the environment; $${ is a literal ${', () => {
    assert.equal(expandHeaderValue('Bearer ${TOKEN}', { TOKEN: 'abc' }, 'authorization', '--header'), 'Bearer abc');
    assert.equal(expandHeaderValue('${A}-${B_2}', { A: '1', B_2: '' }, 'x', '--header'), '1-');
    assert.equal(expandHeaderValue('cost $${HOME} and $5', { HOME: '/root' }, 'x', '--header'), 'cost ${HOME} and $5');
  });

  it('an unset or malformed reference is exit 2 naming the header, the variable and where', () => {
    const unset = (() => {
      try {
        resolveRequestHeaders({ targetUrl: PROD, specUrl: PROD, specHeaders: { Authorization: 'Bearer ${PROD_TOKEN}' }, env: {} });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    assert.ok(unset instanceof MdlError);
    assert.equal(unset.exitCode, 2);
    assert.match(unset.message, /header "authorization" uses \$\{PROD_TOKEN\}, but the environment variable PROD_TOKEN is not set/);
    assert.equal(unset.where, 'loadtest.headers.authorization in the spec');
    assert.throws(() => expandHeaderValue('${1BAD}', {}, 'x', '--header'), (e: MdlError) => e.exitCode === 2 && /not an environment variable reference/.test(e.message));
    // A withheld header is not expanded, so its unset variable does not stop a run against another origin.
    assert.deepEqual(resolveRequestHeaders({ targetUrl: 'http://127.0.0.1:9/', specUrl: PROD, specHeaders: { Authorization: '${PROD_TOKEN}' }, env: {} }).headers, {});
  });

  it('buildLoadOptions applies the scope, warns once through its context, and reads ${VAR} from its env', async () => {
    const warnings: string[] = [];
    const spec = { url: PROD, headers: SPEC_HEADERS };
    const other = await buildLoadOptions({ url: 'http://127.0.0.1:9/x', header: ['X-Run: ${RUN}'] }, spec, { env: { RUN: '7' }, warn: (m) => warnings.push(m) });
    assert.deepEqual(other.headers, { 'x-run': '7' });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /not sending the spec's loadtest\.headers \(authorization, x-team\) to http:\/\/127\.0\.0\.1:9: they belong to https:\/\/models\.example\.com/);
    const own = await buildLoadOptions({}, spec, { env: {}, warn: (m) => warnings.push(m) });
    assert.deepEqual(own.headers, { authorization: 'Bearer prod', 'x-team': 'ml' });
    assert.equal(warnings.length, 1);
  });
});
