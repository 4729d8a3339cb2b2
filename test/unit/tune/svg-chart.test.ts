import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeXml, niceTicks, renderLineChart } from '../../../src/report/html/svg-chart.js';

describe('report/html/svg-chart', () => {
  it('ticks cover the data and are evenly spaced', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), (min, span) => {
        const t = niceTicks(min, min + span);
        assert.ok(t[0]! <= min + 1e-9 && t.at(-1)! >= min + span - 1e-9 * (min + span));
        const steps = t.slice(1).map((v, i) => v - t[i]!);
        assert.ok(steps.every((s) => Math.abs(s - steps[0]!) <= 1e-6 * Math.max(1, Math.abs(steps[0]!))));
      }),
    );
  });
  it('escapes text and draws one polyline per series', () => {
    const svg = renderLineChart({
      title: 'a <b> & "c"',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        { name: 's1', color: '#000', points: [[0, 1], [1, 2]] },
        { name: 's2', color: '#f00', right: true, step: true, points: [[0, 3], [1, 4]] },
      ],
      hLines: [{ value: 1.5, label: 'SLO', color: '#f00' }],
    });
    assert.equal((svg.match(/<polyline/g) ?? []).length, 2);
    assert.ok(svg.includes(escapeXml('a <b> & "c"')));
    assert.ok(!svg.includes('<b>'));
  });
});
