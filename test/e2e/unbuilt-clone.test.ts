import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve('.');

describe('mdl in a clone that was never built', () => {
  let work: string;
  before(() => {
    // The launcher and what it reads before the bundle, without dist/: a clone after npm ci.
    work = mkdtempSync(join(tmpdir(), 'mdl-unbuilt-'));
    mkdirSync(join(work, 'bin'));
    for (const f of ['bin/run.js', 'bin/node-version.js', 'package.json']) cpSync(join(ROOT, f), join(work, f));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('says to run npm run build and exits 2, with no stack trace', () => {
    const r = spawnSync(process.execPath, [join(work, 'bin/run.js'), 'render'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /mdl is not built: dist\/cli\.js is missing/);
    assert.match(r.stderr, /npm run build/);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  });
});
