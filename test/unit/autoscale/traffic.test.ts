import assert from 'node:assert/strict';
import { generateTraffic, parseProfileSpec, parseTrafficCsv, profileRateAt, resampleTraffic } from '../../../src/autoscale/traffic.js';
import { MdlError } from '../../../src/errors.js';

describe('traffic CSV', () => {
  it('reads seconds or ISO times, a header, comments and rate units', () => {
    const pts = parseTrafficCsv('time,rate\n# warm\n0,10\n60,20rps\n120,1200/min\n');
    assert.deepEqual(pts, [
      { timeS: 0, ratePerSecond: 10 },
      { timeS: 60, ratePerSecond: 20 },
      { timeS: 120, ratePerSecond: 20 },
    ]);
    const iso = parseTrafficCsv('2026-01-01T00:00:00Z,5\n2026-01-01T00:01:00Z,7');
    assert.deepEqual(iso.map((p) => p.timeS), [0, 60]);
  });
  it('names the file and line of a bad row', () => {
    assert.throws(
      () => parseTrafficCsv('0,1\n30,2\n15,3', 'peak.csv'),
      (e: unknown) => e instanceof MdlError && e.where === 'peak.csv:3' && e.exitCode === 2,
    );
    assert.throws(() => parseTrafficCsv('0,fast', 'x.csv'), (e: unknown) => e instanceof MdlError && e.where === 'x.csv:1');
    assert.throws(() => parseTrafficCsv('', 'x.csv'), MdlError);
  });
  it('resamples by linear interpolation at step midpoints', () => {
    const s = resampleTraffic([{ timeS: 0, ratePerSecond: 0 }, { timeS: 60, ratePerSecond: 60 }], 15_000, 'x');
    assert.deepEqual(Array.from(s.ratesPerSecond), [7.5, 22.5, 37.5, 52.5, 60]);
  });
});

describe('traffic profiles', () => {
  it('parses shapes with units and defaults', () => {
    const p = parseProfileSpec('spike,baseline=20,peak=400,at=30m,rise=1m,hold=5m,duration=2h');
    assert.equal(p.atMs, 1_800_000);
    assert.equal(profileRateAt(p, 0), 20);
    assert.equal(profileRateAt(p, 1800 + 30), 210);
    assert.equal(profileRateAt(p, 1800 + 60 + 100), 400);
    assert.equal(profileRateAt(p, 3 * 3600), 20);
    const ramp = parseProfileSpec('ramp,from=10,to=110,over=100s,duration=200s');
    assert.equal(profileRateAt(ramp, 50), 60);
    assert.equal(profileRateAt(ramp, 150), 110);
    assert.equal(generateTraffic(parseProfileSpec('steady,rate=5,duration=1m'), 15_000).ratesPerSecond.length, 4);
  });
  it('rejects unknown shapes and settings with a hint', () => {
    assert.throws(() => parseProfileSpec('sawtooth,peak=1'), (e: unknown) => e instanceof MdlError && /unknown traffic profile/.test(e.message));
    assert.throws(() => parseProfileSpec('diurnal,peek=1'), (e: unknown) => e instanceof MdlError && /peek/.test(e.message));
    assert.throws(() => parseProfileSpec('diurnal'), (e: unknown) => e instanceof MdlError && /peak rate/.test(e.message));
    assert.throws(() => parseProfileSpec('diurnal,peak=1,duration=7'), MdlError);
  });
});
