import assert from 'node:assert/strict';
import { OutputLimiter } from '../../../src/local/output-limit.js';
import { plainReporter } from '../../../src/local/plain-reporter.js';

describe("mdl dev's replica output limit", () => {
  const limiter = () => new OutputLimiter({ perSecond: 3, note: (r, n) => `${r}: ${n} suppressed` });

  it('shows the first N lines of a second per replica and notes the rest when the next second starts', () => {
    const l = limiter();
    const shown = Array.from({ length: 10 }, (_, i) => l.offer('a-1', `line ${i}`, 100 + i)).flat();
    assert.deepEqual(shown, ['line 0', 'line 1', 'line 2']);
    assert.deepEqual(l.offer('a-1', 'late', 1100), ['a-1: 7 suppressed', 'late']);
  });

  it('counts each replica on its own', () => {
    const l = limiter();
    for (let i = 0; i < 5; i++) l.offer('a-1', 'x', 0);
    assert.deepEqual(l.offer('a-2', 'y', 10), ['y']);
    assert.deepEqual(l.flush(1000).sort(), ['a-1: 2 suppressed']);
  });

  it('flush reports a burst followed by silence once, and nothing for a window still open or without loss', () => {
    const l = limiter();
    for (let i = 0; i < 6; i++) l.offer('a-1', 'x', 0);
    l.offer('a-2', 'y', 0);
    assert.deepEqual(l.flush(999), []);
    assert.deepEqual(l.flush(1000), ['a-1: 3 suppressed']);
    assert.deepEqual(l.flush(5000), []);
  });

  it('0 lines a second shows none and still counts them', () => {
    const l = new OutputLimiter({ perSecond: 0, note: (r, n) => `${r} ${n}` });
    assert.deepEqual(l.offer('a-1', 'x', 0), []);
    assert.deepEqual(l.offer('a-1', 'x', 1), []);
    assert.deepEqual(l.flush(1001), ['a-1 2']);
  });

  it('the plain reporter prefixes, limits, and names the log file in its note', () => {
    const out: string[] = [];
    let t = 0;
    const report = plainReporter((line) => out.push(line), { linesPerSecond: 2, logPath: (r) => `/logs/${r}.log`, now: () => t });
    for (let i = 0; i < 50; i++) report({ type: 'replica-output', replica: 'fx-1', stream: 'stdout', line: `hit ${i}` });
    t = 1500;
    report({ type: 'status', status: { totals: { requestsTotal: 0 }, replicas: [] } as never });
    assert.deepEqual(out, ['[fx-1] hit 0', '[fx-1] hit 1', '[fx-1] … 48 lines suppressed (full output: /logs/fx-1.log)']);
  });

  it('without a limit every line is shown, as before', () => {
    const out: string[] = [];
    const report = plainReporter((line) => out.push(line));
    for (let i = 0; i < 30; i++) report({ type: 'replica-output', replica: 'fx-1', stream: 'stdout', line: 'x' });
    assert.equal(out.length, 30);
  });
});
