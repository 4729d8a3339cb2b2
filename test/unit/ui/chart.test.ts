import assert from 'node:assert/strict';
import { lineChart, niceCeil, progressBar, runs, sparkline } from '../../../src/ui/chart.js';

describe('ui text charts', () => {
  it('draws a sparkline of the newest values, right-aligned, blank where missing', () => {
    assert.equal(sparkline([0, 4, 8], 5), '  ▁▅█');
    assert.equal(sparkline([1, 2, 3, 4, 8], 2), '▅█');
    assert.equal(sparkline([8, undefined, 8], 3, 16), '▅ ▅');
    assert.equal(sparkline([], 3), '   ');
  });

  it('draws a progress bar of the given width', () => {
    assert.equal(progressBar(0.5, 10), '█████░░░░░');
    assert.equal(progressBar(2, 4), '████');
    assert.equal(progressBar(Number.NaN, 3), '░░░');
  });

  it('puts the reference line at its height and lets data draw over it', () => {
    const c = lineChart([{ values: [0, 50, 100], mark: '•' }], { width: 4, height: 5, ref: 50 });
    const text = c.rows.map((r) => r.map((x) => x.ch).join(''));
    // top = niceCeil(max(100, 55)) = 100: 100 on row 0, 50 on row 2 (over the line), 0 on row 4.
    assert.equal(c.top, 100);
    assert.deepEqual(text, ['   •', '    ', '──•─', '    ', ' •  ']);
    assert.deepEqual(runs(c.rows[2]!).map((r) => [r.text, r.by]), [['──', 'ref'], ['•', 0], ['─', 'ref']]);
  });

  it('rounds axis tops up to a round number', () => {
    assert.deepEqual([0, 0.7, 3, 21, 240, 251, 512, 999].map(niceCeil).map((v) => Number(v.toPrecision(6))), [0, 0.8, 3, 25, 250, 300, 600, 1000]);
  });
});

describe('ui line chart scale', () => {
  it('leaves a reference far above the data off the scale and says so', () => {
    const c = lineChart([{ values: [5, 10], mark: '•' }], { width: 2, height: 3, ref: 500 });
    assert.equal(c.refAbove, true);
    assert.equal(c.top, 10);
    assert.ok(c.rows.every((r) => r.every((x) => x.by !== 'ref')));
    assert.equal(lineChart([{ values: [5, 10], mark: '•' }], { width: 2, height: 3, ref: 25 }).refAbove, false);
  });
});
