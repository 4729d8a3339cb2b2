import assert from 'node:assert/strict';
import { MdlError } from '../../../src/errors.js';
import { ExitCode } from '../../../src/errors.js';
import {
  parseProfileFile,
  parseProfileShape,
  profileCount,
  profileDurationS,
  profileFromTraffic,
  profileRate,
  profileToSeries,
  profileToStages,
  rampStartS,
} from '../../../src/autoscale/profile.js';
import { ArrivalSchedule } from '../../../src/load/schedule.js';

function badInputAt(where: RegExp, message: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof MdlError, `expected an MdlError, got ${String(e)}`);
    assert.equal(e.exitCode, ExitCode.badInput);
    assert.match(e.where ?? '', where);
    assert.match(e.message, message);
    assert.ok(e.hint && e.hint.length > 10, 'says what to write instead');
    return true;
  };
}

describe('traffic profiles (src/autoscale/profile.ts)', () => {
  it("the spec's traffic: baseline, ramp, hold, ramp down, baseline — the issue's spike", () => {
    const p = profileFromTraffic({ baselinePerSecond: 20, peakPerSecond: 300, rampSeconds: 15 });
    assert.deepEqual(
      p.points.map((x) => [x.atS, x.ratePerSecond]),
      [[0, 20], [30, 20], [45, 300], [135, 300], [150, 20], [180, 20]],
    );
    assert.equal(profileDurationS(p), 180);
    assert.equal(rampStartS(p), 30);
    assert.equal(profileRate(p, 37.5), 160);
    // 30·20 + 15·160 + 90·300 + 15·160 + 30·20
    assert.equal(profileCount(p, 0, 180), 600 + 2400 + 27000 + 2400 + 600);
  });

  it('a step makes two points at one time; the rate after it is the new one', () => {
    const p = parseProfileShape('step,from=300,to=20,at=1m,duration=3m');
    assert.deepEqual(p.points.map((x) => [x.atS, x.ratePerSecond]), [[0, 300], [60, 300], [60, 20], [180, 20]]);
    assert.equal(profileRate(p, 59.9), 300);
    assert.equal(profileRate(p, 60), 20);
    assert.equal(rampStartS(p), null, 'a step down has no ramp up');
    assert.equal(profileCount(p, 0, 180), 60 * 300 + 120 * 20);
  });

  it('spike and ramp shapes become their corner points', () => {
    const s = parseProfileShape('spike,baseline=20,peak=300,at=30s,rise=15s,hold=90s,duration=3m');
    assert.deepEqual(s.points.map((x) => [x.atS, x.ratePerSecond]), [[0, 20], [30, 20], [45, 300], [135, 300], [150, 20], [180, 20]]);
    const r = parseProfileShape('ramp,from=10,to=110,over=100s,duration=200s');
    assert.deepEqual(r.points.map((x) => [x.atS, x.ratePerSecond]), [[0, 10], [100, 110], [200, 110]]);
  });

  it('a diurnal shape with a short duration is one day compressed into it', () => {
    const p = parseProfileShape('diurnal,baseline=20,peak=200,duration=4m,peakHour=12');
    assert.equal(profileDurationS(p), 240);
    // Trough at the ends, peak at the middle (hour 12 of the compressed day).
    assert.ok(Math.abs(profileRate(p, 0) - 20) < 1e-9);
    assert.ok(Math.abs(profileRate(p, 120) - 200) < 1e-9);
    assert.ok(Math.abs(profileRate(p, 240) - 20) < 1e-9);
    assert.ok(p.points.length >= 96);
  });

  it('the simulator series holds each step’s mean rate, so the requests match', () => {
    const p = profileFromTraffic({ baselinePerSecond: 20, peakPerSecond: 300, rampSeconds: 15 });
    const series = profileToSeries(p, 5000);
    assert.equal(series.ratesPerSecond.length, 36);
    const total = [...series.ratesPerSecond].reduce((a, r) => a + r * 5, 0);
    assert.ok(Math.abs(total - 33000) < 1e-6);
    assert.equal(series.ratesPerSecond[0], 20);
    assert.equal(series.ratesPerSecond[10], 300);
  });

  it('the load stages send what the profile says: a step, a ramp, the start rate at once', () => {
    const p = parseProfileFile('seconds,rps\n0,10\n10,10\n10,50\n20,50\n30,0\n', 'steps.csv');
    const stages = profileToStages(p);
    assert.deepEqual(stages, [
      { durationMs: 0, targetPerSecond: 10 },
      { durationMs: 10_000, targetPerSecond: 10 },
      { durationMs: 0, targetPerSecond: 50 },
      { durationMs: 10_000, targetPerSecond: 50 },
      { durationMs: 10_000, targetPerSecond: 0 },
    ]);
    const schedule = new ArrivalSchedule({ kind: 'stages', stages, arrival: 'constant' }, { warmupMs: 0, durationMs: 0 });
    assert.equal(schedule.totalMs, 30_000);
    assert.equal(schedule.rateAt(5000), 10);
    assert.equal(schedule.rateAt(15_000), 50);
    let sends = 0;
    while (schedule.next() !== undefined) sends++;
    // 100 + 500 + 250 (the ramp down) requests.
    assert.ok(Math.abs(sends - 850) <= 1, `sent ${sends}`);
  });

  it('reads JSONL rows and shifts times to start at 0', () => {
    const p = parseProfileFile('{"seconds": 100, "rps": 5}\n\n{"seconds": 160, "rps": 25}\n', 'trace.jsonl');
    assert.deepEqual(p.points, [{ atS: 0, ratePerSecond: 5 }, { atS: 60, ratePerSecond: 25 }]);
    assert.equal(p.source, 'trace.jsonl');
  });

  it('bad rows: exit 2 naming the file and line and what to write', () => {
    assert.throws(() => parseProfileFile('0,10\n5,-3\n', 'p.csv'), badInputAt(/^p\.csv:2$/, /negative/));
    assert.throws(() => parseProfileFile('0,10\n5,lots\n', 'p.csv'), badInputAt(/^p\.csv:2$/, /not a rate/));
    assert.throws(() => parseProfileFile('0,10\n5\n', 'p.csv'), badInputAt(/^p\.csv:2$/, /time,rate/));
    assert.throws(() => parseProfileFile('0,10\n5,1\n3,1\n', 'p.csv'), badInputAt(/^p\.csv:3$/, /does not come after/));
    assert.throws(() => parseProfileFile('{"seconds":0,"rps":1}\n{"seconds":5,"rps":-1}\n', 'p.jsonl'), badInputAt(/^p\.jsonl:2$/, /negative/));
    assert.throws(() => parseProfileFile('{"seconds":0,"rps":1}\n{"seconds":5,"rps":"x"}\n', 'p.jsonl'), badInputAt(/^p\.jsonl:2$/, /not a number/));
    assert.throws(() => parseProfileFile('{"seconds":0,"rps":1}\n{"s":5}\n', 'p.jsonl'), badInputAt(/^p\.jsonl:2$/, /needs a time/));
    assert.throws(() => parseProfileFile('{"seconds":0,"rps":1}\nnope\n', 'p.jsonl'), badInputAt(/^p\.jsonl:2$/, /not a JSON object/));
    assert.throws(() => parseProfileFile('# nothing\n', 'empty.csv'), badInputAt(/^empty\.csv$/, /no rows/));
    assert.throws(() => parseProfileFile('0,10\n', 'one.csv'), badInputAt(/^one\.csv$/, /spans no time/));
  });

  it('an unknown shape: exit 2 listing the shapes', () => {
    assert.throws(() => parseProfileShape('sawtooth,peak=3'), badInputAt(/^--profile$/, /unknown traffic profile "sawtooth"/));
    assert.throws(() => parseProfileShape('step,from=1,to=2,duration=0s'), badInputAt(/^--profile$/, /duration/));
  });
});
