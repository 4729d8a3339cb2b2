// oclif plugins declared in package.json "oclif.plugins": shell completion (@oclif/plugin-autocomplete)
// and "did you mean" for a mistyped command (@oclif/plugin-not-found), run through the built CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Tmux, waitFor } from '../support/tmux.js';

const RUN = resolve('bin/run.js');
const SPEC = resolve('examples/sentiment/mdl.config.yaml');

describe('shell completion and command suggestions (built CLI)', function () {
  this.timeout(60_000);
  let cache: string;
  /** mdl with its cache (where the completion scripts are written) in a folder of the test's own. */
  const mdl = (args: string[]) =>
    spawnSync(process.execPath, [RUN, ...args], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cache, CI: 'true', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  before(() => (cache = mkdtempSync(join(tmpdir(), 'mdl-ac-'))));
  after(() => rmSync(cache, { recursive: true, force: true }));

  it('mdl autocomplete bash prints the set-up; the script it installs completes commands and flags in bash', () => {
    const help = mdl(['autocomplete', 'bash']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /mdl autocomplete script bash/);

    const script = mdl(['autocomplete', 'script', 'bash']);
    assert.equal(script.status, 0, script.stderr);
    const setup = join(cache, 'mdl', 'autocomplete', 'bash_setup');
    assert.match(script.stdout, new RegExp(`MDL_AC_BASH_SETUP_PATH=${setup.replace(/[/.]/g, '\\$&')}`));
    assert.ok(existsSync(setup), 'the set-up file the script sources');
    // What a user's shell does: source the set-up, then ask the completion function for "mdl ren<TAB>"
    // and "mdl tune --ch<TAB>".
    const complete = (words: string[]) =>
      spawnSync('bash', ['-c', `source '${setup}'; COMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _mdl_autocomplete; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
    const command = complete(['mdl', 'ren']);
    assert.equal(command.status, 0, command.stderr);
    assert.deepEqual(command.stdout.trim().split('\n'), ['render']);
    const flag = complete(['mdl', 'tune', '--ch']);
    assert.deepEqual(flag.stdout.trim().split('\n'), ['--check']);
    assert.match(readFileSync(join(cache, 'mdl', 'autocomplete', 'functions', 'bash', 'mdl.bash'), 'utf8'), /^render --json /m);
  });

  it('a mistyped command in a script: says it is not an mdl command and exits 127, as a shell does', () => {
    const r = mdl(['rendr', '-c', SPEC]);
    assert.equal(r.status, 127);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /rendr is not a mdl command/);
    assert.match(r.stderr, /Run mdl help for a list of available commands/);
  });

  it('a mistyped command at a terminal: asks "Did you mean render?" and runs it on Enter', async () => {
    const tmux = new Tmux();
    const dir = mkdtempSync(join(tmpdir(), 'mdl-typo-'));
    const exitFile = join(dir, 'exit');
    // The prompt needs stdout on the terminal too (it is drawn there); the shell stays to be read back.
    const command = `NO_COLOR=1 XDG_CACHE_HOME='${cache}' '${process.execPath}' '${RUN}' rendr -c '${SPEC}'; echo $? > '${exitFile}'; sleep 30`;
    try {
      tmux.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'dash', '-x', '100', '-y', '20', command);
      await waitFor('the suggestion', 20_000, () => (/Did you mean render\?/.test(tmux.capture()) ? true : undefined), () => tmux.capture());
      assert.match(tmux.capture(), /rendr is not a mdl command/);
      tmux.tmux('send-keys', '-t', 'dash', 'Enter');
      const code = await waitFor('mdl to exit', 20_000, () => (existsSync(exitFile) && readFileSync(exitFile, 'utf8').trim() !== '' ? readFileSync(exitFile, 'utf8').trim() : undefined), () => tmux.capture());
      assert.equal(code, '0', tmux.capture());
      const manifests = tmux.capture(2000);
      assert.match(manifests, /^kind: Deployment$/m);
      assert.match(manifests, /^kind: HorizontalPodAutoscaler$/m);
    } finally {
      tmux.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
