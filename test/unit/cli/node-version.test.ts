import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
// @ts-expect-error -- plain JavaScript run before anything else loads (bin/run.js); it has no types.
import { supports } from '../../../bin/node-version.js';

const check = supports as (range: string, version: string) => boolean;

describe('the Node.js version check of bin/run.js (package.json engines)', () => {
  it('takes "^X.Y.Z" as that major from X.Y.Z, and ">=X" as X and newer', () => {
    const range = '^22.19.0 || >=24';
    const verdicts = Object.fromEntries(['20.20.2', '22.0.0', '22.18.9', '22.19.0', '22.23.3', '23.11.0', '24.0.0', '25.1.0'].map((v) => [v, check(range, v)]));
    assert.deepEqual(verdicts, {
      '20.20.2': false,
      '22.0.0': false,
      '22.18.9': false,
      '22.19.0': true,
      '22.23.3': true,
      '23.11.0': false,
      '24.0.0': true,
      '25.1.0': true,
    });
  });

  it('reads the range package.json declares, and rejects a form it does not know', () => {
    const { engines } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };
    assert.equal(check(engines.node, process.versions.node), true, `this test runs on ${process.version}`);
    assert.throws(() => check('~22.1', '22.1.0'), /cannot read the engines range "~22.1"/);
  });
});
