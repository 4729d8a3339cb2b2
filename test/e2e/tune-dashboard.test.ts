/**
 * `mdl tune` on a terminal: the built CLI in a 100×30 tmux pane against a loopback capacity fixture shows the
 * capacity-search panel and the load panels of the step being measured, live; q stops it with exit 130 and
 * what was measured.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startCapacityServer, type CapacityServer } from '../fixtures/capacity-server.js';
import { Tmux, waitFor } from '../support/tmux.js';

const ROOT = resolve(import.meta.dirname, '../..');
const RUN = join(ROOT, 'bin/run.js');

describe('e2e: the tune dashboard', function () {
  this.timeout(90_000);
  let server: CapacityServer;
  let dir: string;

  before(async () => {
    assert.ok(existsSync(join(ROOT, 'dist/commands/tune.js')), 'run `npm run build` first (npm test does)');
    server = await startCapacityServer({ slots: 4, serviceMs: 40 });
    dir = mkdtempSync(join(tmpdir(), 'mdl-tune-dash-'));
  });
  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the capacity search in a 100×30 terminal, and q ends it with exit 130 and the summary', async () => {
    const tmux = new Tmux();
    const exitFile = join(dir, 'exit');
    // The shell stays after mdl exits, so the final frame and the summary can be read back.
    const command = `cd '${dir}' && NO_COLOR=1 '${process.execPath}' '${RUN}' tune ${server.url}/ --slo 'p95<200ms' --window 1s 2>&1; echo $? > '${exitFile}'; sleep 30`;
    try {
      tmux.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'dash', '-x', '100', '-y', '30', command);
      const screen = await waitFor('a finished step in the panel', 40_000, () => {
        const s = tmux.capture();
        return /^[✓✗] +[\d.]+( conc|\/s) /m.test(s) ? s : undefined;
      }, () => tmux.capture());
      assert.ok(screen.split('\n').every((l) => [...l].length <= 100));
      assert.match(screen, /Capacity search SLO p95 < 200 ms, errors ≤ [\d.]+% · capacity [≥<] /);
      assert.match(screen, /searching (concurrency|rate) per replica for p95 < 200 ms/);
      assert.match(screen, /q stop/);
      // Today's plain step lines are not mixed into the dashboard.
      assert.doesNotMatch(screen, /bracket \[/);

      // The step being measured shows the load engine's panels.
      const live = await waitFor('the live load panels of a step', 20_000, () => {
        const s = tmux.capture();
        return /Throughput sent [\d.]+\/s( of [\d.]+\/s)? · completed [\d.]+\/s/.test(s) ? s : undefined;
      }, () => tmux.capture());
      assert.match(live, /measuring +[\d.]+\/s/);
      assert.match(live, /Latency ms .*SLO p95 200/);
      assert.ok(live.split('\n').every((l) => [...l].length <= 100));

      tmux.tmux('send-keys', '-t', 'dash', 'q');
      const code = await waitFor('mdl to exit', 30_000, () => (existsSync(exitFile) ? readFileSync(exitFile, 'utf8').trim() : undefined), () => tmux.capture());
      assert.equal(code, '130');
      // The summary is longer than the pane: read the scrollback too.
      const after = tmux.capture(500);
      // The final frame stays, the text summary follows it, the key hint is gone.
      assert.doesNotMatch(after, /q stop/);
      assert.match(after, /Capacity per replica/);
      assert.match(after, /Interrupted/);
      assert.ok(after.indexOf('Capacity search') < after.lastIndexOf('Capacity per replica'), 'summary after the final frame');
    } finally {
      tmux.kill();
    }
  });
});
