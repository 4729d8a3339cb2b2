// The one TuneResult reader (src/tune/read-result.ts). The v1 fixtures are real `mdl tune --json` output
// of the schemaVersion-1 mdl, kept as written; each v2 twin is the same run with achievedPerSecond renamed
// to completedPerSecond and schemaVersion 2 (a v1 run recorded no sentPerSecond).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MdlError } from '../../../src/errors.js';
import { tuneResultJson } from '../../../src/tune/result.js';
import { parseTuneResult, readTuneResultFile, upgradeTuneResultV1 } from '../../../src/tune/read-result.js';
import { runTune } from '../../../src/tune/run-tune.js';
import { curveMeasure } from '../../support/queue-model.js';
import { sampleTuneOptions } from '../../support/tune-fixtures.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url)), 'utf8'));
const CHECK_V1 = fixture('tune-check/tune-result-v1.json') as Record<string, unknown>;
const CHECK_V2 = fixture('tune-check/tune-result.json');

/** The exit-2 error parseTuneResult throws for `doc`, checked for its message and where. */
function refuses(doc: unknown, message: RegExp, where: string): void {
  assert.throws(
    () => parseTuneResult(doc, 'f.json'),
    (e: unknown) => e instanceof MdlError && e.exitCode === 2 && message.test(e.message) && e.where === where && /mdl tune/.test(e.hint ?? ''),
    `${String(message)} at ${where}`,
  );
}

describe('TuneResult reader (src/tune/read-result.ts)', () => {
  it('reads a version-1 file as its version-2 twin: achievedPerSecond is completedPerSecond', () => {
    const v1 = parseTuneResult(CHECK_V1, 'v1.json');
    assert.deepEqual(v1, parseTuneResult(CHECK_V2, 'v2.json'));
    assert.equal(v1.schemaVersion, 2);
    assert.deepEqual(v1.search.curve.map((p) => p.completedPerSecond), [20, 160, 165, 164, 171.33333333333334, 175, 185.5]);
    assert.equal(v1.search.curve.some((p) => 'achievedPerSecond' in p), false);
    assert.equal(v1.search.axis, 'rate');
    assert.deepEqual(v1.coldStartMs, { value: 961, source: 'measured', note: 'local runtime: start → ready 670 ms, ready → first response 291 ms' });
    assert.equal(v1.slo.percentile, 'p95');
    assert.equal(v1.recommendation?.target.value, 148.5);
    assert.deepEqual(parseTuneResult(fixture('tune-result-v1.json'), 'a'), parseTuneResult(fixture('tune-result.json'), 'a'));
  });

  it('renames the rate of holds and of the saturation probe in a version-1 file too', () => {
    const up = upgradeTuneResultV1({
      schemaVersion: 1,
      search: { curve: [{ level: 1, achievedPerSecond: 3 }], confirmation: { level: 1, achievedPerSecond: 4 }, unconfirmed: [{ level: 2, achievedPerSecond: 5 }], saturationProbe: { concurrency: 8, achievedPerSecond: 6 } },
    });
    assert.deepEqual(up, {
      schemaVersion: 2,
      search: { curve: [{ level: 1, completedPerSecond: 3 }], confirmation: { level: 1, completedPerSecond: 4 }, unconfirmed: [{ level: 2, completedPerSecond: 5 }], saturationProbe: { concurrency: 8, completedPerSecond: 6 } },
    });
    assert.deepEqual(upgradeTuneResultV1({ schemaVersion: 1, search: { curve: [], confirmation: null } }), { schemaVersion: 2, search: { curve: [], confirmation: null } });
  });

  it('refuses an unknown schemaVersion, naming the file and the versions it reads', () => {
    refuses({ ...CHECK_V1, schemaVersion: 3 }, /^f\.json has TuneResult schemaVersion 3; this mdl reads versions 1 and 2$/, 'f.json schemaVersion');
    refuses({ ...CHECK_V1, schemaVersion: '2' }, /schemaVersion "2"/, 'f.json schemaVersion');
    refuses({ ...CHECK_V1, schemaVersion: undefined }, /it has no schemaVersion/, 'f.json schemaVersion');
  });

  it('refuses what is not a TuneResult, naming the JSON path', () => {
    const curve = (CHECK_V2 as { search: { curve: Array<Record<string, unknown>> } }).search.curve;
    const v2 = CHECK_V2 as Record<string, unknown>;
    const search = v2.search as Record<string, unknown>;
    refuses([1, 2], /it is not a JSON object/, 'f.json');
    refuses({ schemaVersion: 2, kind: 'load', summary: {} }, /it is a "load" document/, 'f.json kind');
    refuses({ schemaVersion: 2 }, /read: missing required key "search"$/, 'f.json search');
    refuses({ ...v2, search: { ...search, axis: undefined } }, /read: search: missing required key "axis"$/, 'f.json search.axis');
    refuses({ ...v2, search: { ...search, axis: 'time' } }, /search\.axis: expected one of concurrency, rate, got the string "time"/, 'f.json search.axis');
    refuses({ ...v2, search: { ...search, curve: [{ ...curve[0], level: 'x' }] } }, /search\.curve\[0\]\.level: expected a number/, 'f.json search.curve[0].level');
    const { completedPerSecond: _c, ...noRate } = curve[3]!;
    refuses({ ...v2, search: { ...search, curve: [curve[0], curve[1], curve[2], noRate] } }, /search\.curve\[3\]: missing required key "completedPerSecond"/, 'f.json search.curve[3].completedPerSecond');
    refuses({ ...v2, slo: null }, /^f\.json is not a TuneResult mdl can read: slo: /, 'f.json slo');
    // A version-1 file is told in its own names.
    const v1Curve = (CHECK_V1.search as { curve: Array<Record<string, unknown>> }).curve;
    const { achievedPerSecond: _a, ...noV1Rate } = v1Curve[1]!;
    refuses({ ...CHECK_V1, search: { ...(CHECK_V1.search as object), curve: [v1Curve[0], noV1Rate] } }, /missing required key "achievedPerSecond"/, 'f.json search.curve[1].achievedPerSecond');
  });

  it('gives a step printed without latency (no answers) the window-long latency the search assumed', () => {
    const v2 = CHECK_V2 as { search: { curve: Array<Record<string, unknown>> } };
    const silent = { ...v2.search.curve[6], latencyMs: null, answered: 0, windows: 3, loadSeconds: 6 };
    const read = parseTuneResult({ ...v2, search: { ...v2.search, curve: [...v2.search.curve.slice(0, 6), silent] } }, 'f.json');
    assert.deepEqual(read.search.curve[6]!.latencyMs, { mean: 2000, p50: 2000, p90: 2000, p95: 2000, p99: 2000, max: 2000 });
    assert.equal(read.search.curve[6]!.answered, 0);
  });

  it('reads a file relative to the directory given, and names the flag when it cannot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdl-read-result-'));
    try {
      writeFileSync(join(dir, 'old.json'), JSON.stringify(CHECK_V1));
      writeFileSync(join(dir, 'broken.json'), '{"schemaVersion": 2, ');
      assert.deepEqual(await readTuneResultFile('old.json', dir, '--from'), parseTuneResult(CHECK_V2, 'x'));
      await assert.rejects(readTuneResultFile('nope.json', dir, '--from'), (e: unknown) => e instanceof MdlError && e.exitCode === 2 && /cannot read the TuneResult nope\.json: ENOENT/.test(e.message) && e.where === '--from');
      await assert.rejects(readTuneResultFile('broken.json', dir, '--check'), (e: unknown) => e instanceof MdlError && e.exitCode === 2 && /broken\.json is not JSON/.test(e.message) && e.where === '--check');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mdl tune --json writes schemaVersion 2, with completedPerSecond and sentPerSecond per step, and reads it back', async () => {
    // Open loop over a server that completes at most 320/s: each step sends its level per second; above 320
    // it completes less than it sent.
    const result = await runTune({
      ...sampleTuneOptions(),
      url: 'http://127.0.0.1:8080/predict',
      runtime: 'http',
      axis: 'rate',
      slo: { percentile: 'p95', latencyMs: 150, errorRate: 0.01, source: 'flag' },
      search: { windowMs: 2000 },
      measure: curveMeasure({ percentileMs: (x) => (x < 300 ? 60 : 60 + (x - 300) * 20), serviceMs: 50, saturationPerSecond: 320, seed: 3 }),
    });
    const doc = JSON.parse(JSON.stringify(tuneResultJson(result))) as { schemaVersion: number; search: { curve: Array<Record<string, number>> } };
    assert.equal(doc.schemaVersion, 2);
    assert.ok(doc.search.curve.length >= 3);
    for (const p of doc.search.curve) {
      assert.equal('achievedPerSecond' in p, false);
      assert.ok(Math.abs(p.sentPerSecond! - p.level!) < 1e-9, `sent ${p.sentPerSecond}/s at level ${p.level}`);
      assert.ok(Math.abs(p.completedPerSecond! - Math.min(p.level!, 320)) < 1e-9, `completed ${p.completedPerSecond}/s at level ${p.level}`);
    }
    assert.ok(doc.search.curve.some((p) => p.level! > 320), 'a step beyond saturation');
    assert.deepEqual(parseTuneResult(doc, 'tune.json').search.curve, result.search.curve);
  });
});
