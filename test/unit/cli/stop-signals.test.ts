/**
 * The stop-signal helper's bookkeeping, with signals emitted to the process's listeners (the e2e test
 * test/e2e/signals.test.ts sends real ones to the built CLI).
 */
import assert from 'node:assert/strict';
import { handleStopSignals } from '../../../src/cli/stop-signals.js';

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
