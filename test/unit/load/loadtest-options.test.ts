import assert from 'node:assert/strict';
import { buildLoadOptions, parseHeaders } from '../../../src/cli/loadtest-options.js';
import { MdlError } from '../../../src/errors.js';

const rejects = (p: Promise<unknown>, where: RegExp) =>
  assert.rejects(p, (e: unknown) => e instanceof MdlError && e.exitCode === 2 && where.test(e.where ?? ''));

describe('loadtest flags → engine options', () => {
  it('defaults to 10/s open loop for 30 s', async () => {
    const o = await buildLoadOptions({ url: 'http://127.0.0.1:1/' });
    assert.deepEqual(o.mode, { kind: 'rate', ratePerSecond: 10, arrival: 'constant' });
    assert.equal(o.durationMs, 30_000);
  });

  it('parses stages, concurrency, thresholds and headers', async () => {
    const o = await buildLoadOptions({ url: 'http://h/', stages: '1m:100,30s:0', arrival: 'poisson', threshold: ['p95<300ms'], header: ['Authorization: Bearer x'] });
    assert.equal(o.mode.kind, 'stages');
    assert.equal(o.thresholds![0]!.limit, 300);
    assert.deepEqual(o.headers, { authorization: 'Bearer x' });
    const c = await buildLoadOptions({ url: 'http://h/', concurrency: 4, requests: 100 });
    assert.deepEqual(c.mode, { kind: 'concurrency', concurrency: 4 });
    assert.equal(c.durationMs, undefined);
  });

  it('takes URL, payload and slo from the spec when flags do not say', async () => {
    const o = await buildLoadOptions({}, { url: 'http://spec/', slo: { p95: '250ms' } });
    assert.equal(o.url, 'http://spec/');
    assert.equal(o.thresholds![0]!.source, 'spec');
  });

  it('rejects bad flags with exit 2 and the flag named', async () => {
    await rejects(buildLoadOptions({}), /URL/);
    await rejects(buildLoadOptions({ url: 'http://h/', rate: '5', concurrency: 2 }), /--rate, --concurrency/);
    await rejects(buildLoadOptions({ url: 'http://h/', rate: 'fast' }), /--rate/);
    await rejects(buildLoadOptions({ url: 'http://h/', stages: '1m:10', duration: '1m' }), /--duration/);
    await rejects(buildLoadOptions({ url: 'http://h/', threshold: ['p97<1s'] }), /--threshold/);
    await rejects(buildLoadOptions({ url: 'http://h/', body: '{nope' }), /--body/);
    await rejects(buildLoadOptions({ url: 'http://h/', payload: '/nonexistent/file.jsonl' }), /nonexistent/);
    await rejects(buildLoadOptions({ url: 'http://h/', concurrency: 0 }), /--concurrency/);
    assert.throws(() => parseHeaders(['novalue']), MdlError);
  });
});

describe('loadtest defaults from the spec', () => {
  it('joins url and path, turns the slo into thresholds and inline payloads into a body', async () => {
    const { specDefaults } = await import('../../../src/cli/loadtest-options.js');
    const d = specDefaults({
      loadtest: { url: 'http://127.0.0.1:9/', protocol: 'kserve-v2', path: '/v2/models/m/infer', method: 'POST', model: 'm', headers: { 'x-team': 'a' }, payload: { kind: 'inline', value: { inputs: [] } } },
      slo: { latency: { p95Ms: 300 }, errorRate: 0.01 },
    });
    assert.equal(d.url, 'http://127.0.0.1:9/v2/models/m/infer');
    assert.equal(d.body, '{"inputs":[]}');
    const o = await buildLoadOptions({}, d);
    assert.equal(o.protocol, 'kserve-v2');
    assert.deepEqual(o.thresholds!.map((t) => [t.expression, t.limit, t.source]), [['p95: 300ms', 300, 'spec'], ['errorRate: 1%', 0.01, 'spec']]);
    assert.equal(o.body, '{"inputs":[]}');
    assert.deepEqual(o.headers, { 'x-team': 'a' });
  });
});
