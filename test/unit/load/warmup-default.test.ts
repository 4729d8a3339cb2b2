import assert from 'node:assert/strict';
import { buildLoadOptions } from '../../../src/cli/loadtest-options.js';
import { MdlError } from '../../../src/errors.js';
import type { LoadResult } from '../../../src/load/types.js';
import { engineMeasure, type RunLoadFn } from '../../../src/tune/engine-measure.js';

describe('warm-up: one default for loadtest and tune', () => {
  it('loadtest warms up 1 s unless --warmup says otherwise; --warmup 0 disables it', async () => {
    assert.equal((await buildLoadOptions({ url: 'http://127.0.0.1:1/' })).warmupMs, 1000);
    assert.equal((await buildLoadOptions({ url: 'http://127.0.0.1:1/', warmup: '0' })).warmupMs, 0);
    assert.equal((await buildLoadOptions({ url: 'http://127.0.0.1:1/', warmup: '0s' })).warmupMs, 0);
    assert.equal((await buildLoadOptions({ url: 'http://127.0.0.1:1/', warmup: '2.5s' })).warmupMs, 2500);
    await assert.rejects(buildLoadOptions({ url: 'http://127.0.0.1:1/', warmup: 'soon' }), (e: unknown) => e instanceof MdlError && e.exitCode === 2 && e.where === '--warmup');
  });

  it("tune's steps warm up exactly as long as a plain loadtest does", async () => {
    const asked: Array<number | undefined> = [];
    const runLoad: RunLoadFn = async (options) => {
      asked.push(options.warmupMs);
      return {} as LoadResult;
    };
    const control = { axis: 'rate' as const, windowMs: 1000, maxWindows: 1, shouldStop: () => true };
    await engineMeasure({ url: 'http://127.0.0.1:1/', runLoad })(10, control);
    await engineMeasure({ url: 'http://127.0.0.1:1/', runLoad, warmupMs: 0 })(10, control);
    const loadtestDefault = (await buildLoadOptions({ url: 'http://127.0.0.1:1/' })).warmupMs;
    assert.deepEqual(asked, [loadtestDefault, 0]);
  });
});
