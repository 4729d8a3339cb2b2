import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLoadOptions } from '../../../src/cli/loadtest-options.js';
import { MdlError } from '../../../src/errors.js';

describe('loadtest --profile: open-loop stages from a traffic profile', () => {
  const url = 'http://127.0.0.1:9/';

  it('a shape becomes stages that jump to its start rate and step where it steps', async () => {
    const o = await buildLoadOptions({ url, profile: 'step,from=300,to=20,at=1m,duration=3m', arrival: 'poisson' });
    assert.deepEqual(o.mode, {
      kind: 'stages',
      arrival: 'poisson',
      stages: [
        { durationMs: 0, targetPerSecond: 300 },
        { durationMs: 60_000, targetPerSecond: 300 },
        { durationMs: 0, targetPerSecond: 20 },
        { durationMs: 120_000, targetPerSecond: 20 },
      ],
    });
  });

  it('a JSONL file of rows, and its bad row named by file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdl-profile-'));
    try {
      const file = join(dir, 'trace.jsonl');
      writeFileSync(file, '{"seconds":0,"rps":5}\n{"seconds":10,"rps":15}\n');
      const o = await buildLoadOptions({ url, profile: file });
      assert.deepEqual(o.mode.kind === 'stages' && o.mode.stages, [{ durationMs: 0, targetPerSecond: 5 }, { durationMs: 10_000, targetPerSecond: 15 }]);
      writeFileSync(file, '{"seconds":0,"rps":5}\n{"seconds":10,"rps":-1}\n');
      await assert.rejects(buildLoadOptions({ url, profile: file }), (e: unknown) => e instanceof MdlError && e.exitCode === 2 && e.where === `${file}:2`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cannot be combined with --stages or --duration', async () => {
    await assert.rejects(buildLoadOptions({ url, profile: 'steady,rate=5,duration=1m', stages: '10s:5' }), /--stages and --profile cannot be used together/);
    await assert.rejects(buildLoadOptions({ url, profile: 'steady,rate=5,duration=1m', duration: '10s' }), /--duration cannot be used with --profile/);
  });
});
