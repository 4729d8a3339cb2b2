/**
 * The process-level handlers (src/cli/bug-report.ts) in a real Node process: a promise nobody handles that
 * rejects, or an exception thrown from a timer, ends the process with the bug exit code and one paragraph,
 * the stack only when asked for; a user error that gets there keeps its own code and message.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const module = pathToFileURL(join(process.cwd(), 'src/cli/bug-report.ts')).href;
const errors = pathToFileURL(join(process.cwd(), 'src/errors.ts')).href;

function run(body: string, env: NodeJS.ProcessEnv = {}) {
  const script = `import { installCrashHandlers, setBugExitCode } from ${JSON.stringify(module)};
import { MdlError } from ${JSON.stringify(errors)};
installCrashHandlers();
${body}
setTimeout(() => process.stdout.write('still running'), 2000);`;
  const env0 = { ...process.env, ...env };
  delete env0.DEBUG;
  if (env.MDL_DEBUG === undefined) delete env0.MDL_DEBUG;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: env0, timeout: 20_000 });
}

describe('process-level crash handlers', function () {
  this.timeout(30_000);

  it('an unhandled rejection exits 1 with one paragraph and no stack', () => {
    const r = run(`void Promise.reject(new Error('lost the watch socket'));`);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      'Error: lost the watch socket\nThis is a bug in mdl; please report it with the command you ran.\n(Set MDL_DEBUG=1 or pass --debug to see the stack trace.)\n',
    );
  });

  it("an exception thrown from a timer exits with the running command's bug code; MDL_DEBUG=1 adds the stack", () => {
    const r = run(`setBugExitCode(7); setTimeout(() => { throw new TypeError('x is undefined'); }, 10);`, { MDL_DEBUG: '1' });
    assert.equal(r.status, 7, r.stderr);
    assert.match(r.stderr, /^Error: x is undefined\nThis is a bug in mdl/);
    assert.match(r.stderr, /TypeError: x is undefined\n\s+at /);
  });

  it('a user error that reaches the handler keeps its exit code and message', () => {
    const r = run(`void Promise.reject(new MdlError('the replica command exited before becoming ready', { where: 'local.command', hint: 'Check the command.', exitCode: 2 }));`);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, 'Error: the replica command exited before becoming ready\n  at local.command\n  Check the command.\n');
  });
});
