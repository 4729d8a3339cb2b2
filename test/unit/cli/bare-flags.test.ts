import assert from 'node:assert/strict';
import { expandBareFlags } from '../../../src/cli/bare-flags.js';

describe('expandBareFlags: a bare --dry-run means --dry-run=client', () => {
  const bare = { 'dry-run': { value: 'client', options: ['none', 'client', 'server'] } };

  it('gives a bare flag its default value, at the end or before another flag', () => {
    assert.deepEqual(expandBareFlags(['--dry-run'], bare), ['--dry-run=client']);
    assert.deepEqual(expandBareFlags(['--dry-run', '--json'], bare), ['--dry-run=client', '--json']);
    assert.deepEqual(expandBareFlags(['-n', 'ml', '--dry-run', '--name', 'x'], bare), ['-n', 'ml', '--dry-run=client', '--name', 'x']);
  });

  it('keeps a value given with = or as the next word', () => {
    assert.deepEqual(expandBareFlags(['--dry-run=server'], bare), ['--dry-run=server']);
    assert.deepEqual(expandBareFlags(['--dry-run', 'server', '--json'], bare), ['--dry-run', 'server', '--json']);
    assert.deepEqual(expandBareFlags(['--dry-run', 'none'], bare), ['--dry-run', 'none']);
  });

  it('leaves other flags and everything after -- alone', () => {
    assert.deepEqual(expandBareFlags(['--prune', '--', '--dry-run'], bare), ['--prune', '--', '--dry-run']);
    assert.deepEqual(expandBareFlags(['--dry-runs'], bare), ['--dry-runs']);
  });
});
