/**
 * The stop-signal helper's bookkeeping, with signals emitted to the process's listeners (the e2e test
 * test/e2e/signals.test.ts sends real ones to the built CLI).
 */
import assert from 'node:assert/strict';
import { handleStopSignals, untilSignal } from '../../../src/cli/stop-signals.js';

describe('stop signals (src/cli/stop-signals.ts)', () => {
  it('the first SIGTERM or SIGINT stops once; later ones go to onRepeat; dispose removes the handlers', () => {
    const before = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') };
    const stopped: string[] = [];
    const repeated: string[] = [];
    const stops = handleStopSignals({ onStop: (s) => stopped.push(s), onRepeat: (s) => repeated.push(s) });
    assert.equal(process.listenerCount('SIGTERM'), before.term + 1);
    assert.equal(stops.signal.aborted, false);
    process.emit('SIGTERM', 'SIGTERM');
    assert.equal(stops.signal.aborted, true);
    assert.equal(stops.received, 'SIGTERM');
    process.emit('SIGINT', 'SIGINT');
    stops.stop();
    assert.deepEqual(stopped, ['SIGTERM']);
    assert.deepEqual(repeated, ['SIGINT']);
    stops.dispose();
    assert.deepEqual({ int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') }, before);
  });

  it('stop() (q in a dashboard) counts as the first stop', () => {
    const repeated: string[] = [];
    const stops = handleStopSignals({ onRepeat: (s) => repeated.push(s) });
    try {
      stops.stop();
      assert.equal(stops.received, 'request');
      assert.equal(stops.signal.aborted, true);
      process.emit('SIGINT', 'SIGINT');
      assert.deepEqual(repeated, ['SIGINT']);
    } finally {
      stops.dispose();
    }
  });
});

describe('untilSignal (one poll\'s deadline)', () => {
  it('aborts when the time passes, or at once with the stop; never on its own without a deadline', async () => {
    const stop = new AbortController();
    const timed = untilSignal(stop.signal, Date.now() + 50);
    assert.equal(timed.aborted, false);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(timed.aborted, true);
    const open = untilSignal(stop.signal, Number.POSITIVE_INFINITY);
    const bounded = untilSignal(stop.signal, Date.now() + 60_000);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(open.aborted, false);
    stop.abort();
    assert.equal(open.aborted, true);
    assert.equal(bounded.aborted, true);
  });
});
