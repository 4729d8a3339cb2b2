import assert from 'node:assert/strict';
import { pollWait } from '../../src/clock.js';

describe('pollWait', () => {
  it('resolves as soon as the signal aborts, long before its time', async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 10);
    await pollWait(60_000, controller.signal);
    assert.ok(performance.now() - started < 5000);
  });

  it('resolves (does not reject) on a signal already aborted, and after its time otherwise', async () => {
    const aborted = AbortSignal.abort();
    await pollWait(60_000, aborted);
    const started = performance.now();
    await pollWait(30, new AbortController().signal);
    assert.ok(performance.now() - started >= 25);
  });
});
