import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { advertiseLocalTarget, isMdlLocalTarget } from '../../../src/local/registry.js';

describe('local runtimes mdl started, and only those', () => {
  it('knows a URL while its runtime advertises it, and forgets it after', () => {
    const url = 'http://127.0.0.1:48123';
    assert.equal(isMdlLocalTarget(url), false);
    const stop = advertiseLocalTarget(url);
    try {
      assert.equal(isMdlLocalTarget(`${url}/predict`), true, 'any path on that runtime');
      assert.equal(isMdlLocalTarget('http://127.0.0.1:48124/predict'), false, 'another port');
      assert.equal(isMdlLocalTarget('http://10.0.0.1:48123/predict'), false, 'not this machine');
    } finally {
      stop();
    }
    assert.equal(isMdlLocalTarget(url), false);
  });

  it('ignores the entry of a runtime whose process is gone', () => {
    const code = `import('${new URL('../../../src/local/registry.ts', import.meta.url).href}').then((m) => m.advertiseLocalTarget('http://127.0.0.1:48125'))`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(isMdlLocalTarget('http://127.0.0.1:48125/x'), false);
  });
});
