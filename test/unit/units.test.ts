import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  UnitError,
  formatDuration,
  parseDurationMs,
  parsePercent,
  parseQuantity,
  parseRatePerSecond,
} from '../../src/units.js';

describe('units', () => {
  it('parses durations with explicit units', () => {
    assert.equal(parseDurationMs('300ms'), 300);
    assert.equal(parseDurationMs('1.5s'), 1500);
    assert.equal(parseDurationMs('5m'), 300_000);
    assert.equal(parseDurationMs('1h30m'), 5_400_000);
    assert.throws(() => parseDurationMs('5'), UnitError);
    assert.throws(() => parseDurationMs(5), UnitError);
    assert.throws(() => parseDurationMs('5 minutes'), UnitError);
    assert.throws(() => parseDurationMs(''), UnitError);
  });

  it('formats what it parses back to the same duration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200_000 }), (seconds) => {
        assert.equal(parseDurationMs(formatDuration(seconds * 1000)), seconds * 1000);
      }),
    );
  });

  it('parses rates per second', () => {
    assert.equal(parseRatePerSecond('20rps'), 20);
    assert.equal(parseRatePerSecond('20/s'), 20);
    assert.equal(parseRatePerSecond('1200/min'), 20);
    assert.equal(parseRatePerSecond('7'), 7);
    assert.throws(() => parseRatePerSecond('fast'), UnitError);
  });

  it('parses percentages as fractions', () => {
    assert.equal(parsePercent('1%'), 0.01);
    assert.equal(parsePercent('0.5%'), 0.005);
    assert.throws(() => parsePercent('1'), UnitError);
    assert.throws(() => parsePercent('150%'), UnitError);
  });

  it('parses Kubernetes quantities', () => {
    assert.equal(parseQuantity('500m'), 0.5);
    assert.equal(parseQuantity('2'), 2);
    assert.equal(parseQuantity('4Gi'), 4 * 2 ** 30);
    assert.equal(parseQuantity('1k'), 1000);
    assert.equal(parseQuantity('1e3'), 1000);
    assert.throws(() => parseQuantity('4GB'), UnitError);
  });
});
