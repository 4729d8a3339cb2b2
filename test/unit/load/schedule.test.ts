import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ArrivalSchedule, parseStages, seededRandom } from '../../../src/load/schedule.js';
import { parseDurationMs, parseRatePerSecond } from '../../../src/units.js';

function all(s: ArrivalSchedule, limit = 1_000_000): number[] {
  const out: number[] = [];
  for (let t = s.next(); t !== undefined && out.length < limit; t = s.next()) out.push(t);
  return out;
}

describe('ArrivalSchedule', () => {
  it('spaces a constant rate evenly and ends with the duration', () => {
    const times = all(new ArrivalSchedule({ kind: 'rate', ratePerSecond: 100, arrival: 'constant' }, { warmupMs: 0, durationMs: 2000 }));
    assert.equal(times.length, 200);
    assert.equal(times[0], 0);
    assert.ok(Math.abs(times[1]! - 10) < 1e-9);
    assert.ok(times.at(-1)! < 2000);
  });

  it('sends warm-up requests before the measured part at the same rate', () => {
    const s = new ArrivalSchedule({ kind: 'rate', ratePerSecond: 50, arrival: 'constant' }, { warmupMs: 1000, durationMs: 2000 });
    const times = all(s);
    assert.equal(s.totalMs, 3000);
    assert.equal(times.filter((t) => t < 1000).length, 50);
    assert.equal(times.filter((t) => t >= 1000).length, 100);
  });

  it('ramps linearly between stages: the count in each stage is the area under the rate', () => {
    const stages = parseStages('10s:100,10s:100,10s:0', parseDurationMs, parseRatePerSecond);
    const s = new ArrivalSchedule({ kind: 'stages', stages, arrival: 'constant' }, { warmupMs: 0, durationMs: 0 });
    const times = all(s);
    const inRange = (a: number, b: number) => times.filter((t) => t >= a && t < b).length;
    assert.ok(Math.abs(inRange(0, 10_000) - 500) <= 1, `ramp up ${inRange(0, 10_000)}`);
    assert.ok(Math.abs(inRange(10_000, 20_000) - 1000) <= 1);
    assert.ok(Math.abs(inRange(20_000, 30_000) - 500) <= 1, `ramp down ${inRange(20_000, 30_000)}`);
    // Ramp up: the second half of the first stage holds three times the first half.
    assert.ok(Math.abs(inRange(5000, 10_000) / inRange(0, 5000) - 3) < 0.05);
    assert.equal(s.rateAt(5000), 50);
    assert.equal(s.stageIndexAt(15_000), 1);
  });

  it('Poisson arrivals have the target mean and exponential gaps (coefficient of variation ≈ 1)', () => {
    const s = new ArrivalSchedule({ kind: 'rate', ratePerSecond: 1000, arrival: 'poisson' }, { warmupMs: 0, durationMs: 20_000, seed: 42 });
    const times = all(s);
    assert.ok(Math.abs(times.length - 20_000) < 3 * Math.sqrt(20_000), `count ${times.length}`);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length);
    assert.ok(Math.abs(mean - 1) < 0.05, `mean gap ${mean}`);
    assert.ok(Math.abs(sd / mean - 1) < 0.05, `cv ${sd / mean}`);
  });

  it('is repeatable with a seed and differs between seeds', () => {
    const mk = (seed: number) => all(new ArrivalSchedule({ kind: 'rate', ratePerSecond: 100, arrival: 'poisson' }, { warmupMs: 0, durationMs: 1000, seed }));
    assert.deepEqual(mk(3), mk(3));
    assert.notDeepEqual(mk(3), mk(4));
  });

  it('send times never go backwards and stay inside the schedule (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ d: fc.integer({ min: 100, max: 3000 }), r: fc.integer({ min: 0, max: 500 }) }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('constant' as const, 'poisson' as const),
        (raw, arrival) => {
          const stages = raw.map((x) => ({ durationMs: x.d, targetPerSecond: x.r }));
          const s = new ArrivalSchedule({ kind: 'stages', stages, arrival }, { warmupMs: 0, durationMs: 0, seed: 9 });
          const times = all(s, 20_000);
          for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= times[i - 1]!);
          for (const t of times) assert.ok(t >= 0 && t < s.totalMs);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('parses stages and rejects malformed ones', () => {
    assert.deepEqual(parseStages('30s:10,2m:200,30s:0', parseDurationMs, parseRatePerSecond), [
      { durationMs: 30_000, targetPerSecond: 10 },
      { durationMs: 120_000, targetPerSecond: 200 },
      { durationMs: 30_000, targetPerSecond: 0 },
    ]);
    assert.throws(() => parseStages('30s', parseDurationMs, parseRatePerSecond), /duration:rate/);
    assert.throws(() => parseStages('', parseDurationMs, parseRatePerSecond), /no stages/);
  });

  it('seededRandom stays in [0, 1)', () => {
    const r = seededRandom(1);
    for (let i = 0; i < 1000; i++) {
      const x = r();
      assert.ok(x >= 0 && x < 1);
    }
  });
});
