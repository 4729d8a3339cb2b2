import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Config } from '@oclif/core';
import Diff from '../../../commands/diff.js';
import Version from '../../../commands/version.js';
import { MdlError, ExitCode } from '../../../src/errors.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

async function exitCodeOf(Cmd: typeof Version | typeof Diff, error: Error): Promise<number | undefined> {
  const config = await Config.load(root);
  const cmd = new Cmd([], config);
  const originalWrite = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    await cmd.catch(error);
  } catch (thrown) {
    return (thrown as { oclif?: { exit?: number } }).oclif?.exit;
  } finally {
    process.stderr.write = originalWrite;
  }
  return undefined;
}

describe('errors become exit codes', () => {
  it('a user error keeps its own code; a bug is 1', async () => {
    assert.equal(await exitCodeOf(Version, new MdlError('no such spec', { exitCode: ExitCode.cluster })), 3);
    assert.equal(await exitCodeOf(Version, new Error('boom')), 1);
  });

  it('mdl diff reports a bug above 1, since 1 means "there are changes"', async () => {
    assert.equal(await exitCodeOf(Diff, new Error('boom')), 2);
  });
});
