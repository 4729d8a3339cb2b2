import assert from 'node:assert/strict';
import { checkDuration, checkFraction, checkHttpUrl, checkRate, FlagValueError } from '../../../src/cli/flags.js';

function refusal(fn: () => unknown): FlagValueError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof FlagValueError, String(error));
    return error;
  }
  assert.fail('accepted');
}

describe('flags with units (src/cli/flags.ts)', () => {
  it('durations: the text is kept; bad text, 0 and values under the minimum are refused with an example', () => {
    assert.equal(checkDuration('--interval', '1h30m'), '1h30m');
    assert.equal(checkDuration('--warmup', '0s', { zero: true }), '0s');
    assert.equal(checkDuration('--warmup', '0', { zero: true }), '0', 'a bare 0 turns the warm-up off');
    assert.throws(() => checkDuration('--timeout', '0'), /is not a duration|must be above 0/);
    const bad = refusal(() => checkDuration('--interval', '2x'));
    assert.equal(bad.message, '--interval "2x" is not a duration');
    assert.equal(bad.hint, 'Expected a duration such as 300ms, 30s, 5m or 1h30m.');
    assert.equal(refusal(() => checkDuration('--timeout', '0ms')).detail, '"0ms" must be above 0');
    const short = refusal(() => checkDuration('--interval', '500ms', { minMs: 1000 }));
    assert.equal(short.detail, '"500ms" is too short: it must be at least 1s');
    assert.equal(short.hint, 'Expected at least 1s, e.g. 2s.');
    assert.equal(checkDuration('--interval', '1s', { minMs: 1000 }), '1s');
  });

  it('rates must be above 0', () => {
    assert.equal(checkRate('--rate', '1200/min'), '1200/min');
    assert.equal(refusal(() => checkRate('--rate', '0')).detail, '"0" must be above 0');
    assert.equal(refusal(() => checkRate('--rate', 'fast')).detail, '"fast" is not a rate');
  });

  it('shares take 50% or 0.5, up to 100%', () => {
    assert.equal(checkFraction('--max-error-rate', '100%'), '100%');
    assert.equal(checkFraction('--max-error-rate', '0.25'), '0.25');
    assert.equal(refusal(() => checkFraction('--max-error-rate', '150%')).detail, '"150%" is not a share between 0 and 100%');
    assert.equal(refusal(() => checkFraction('--max-error-rate', '2')).detail, '"2" is not a share between 0 and 100%');
  });

  it('endpoint URLs are absolute http(s) URLs', () => {
    assert.equal(checkHttpUrl('URL', 'https://example.com/v1/completions'), 'https://example.com/v1/completions');
    assert.equal(refusal(() => checkHttpUrl('URL', 'localhost:8080')).detail, '"localhost:8080" is not an http:// or https:// URL');
    assert.equal(refusal(() => checkHttpUrl('URL', '/predict')).detail, '"/predict" is not a URL');
  });
});
