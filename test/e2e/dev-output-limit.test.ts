import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/replica-server.mjs', import.meta.url));
const LINES = 4000;

describe('mdl dev with a chatty replica (built CLI)', function () {
  this.timeout(40_000);

  it(`shows at most --log-rate lines a second of ${LINES} at once, notes the rest, and keeps every line in the log file`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdl-dev-chatty-'));
    const spec = join(dir, 'mdl.config.yaml');
    writeFileSync(spec, [
      'name: chat', 'runtime: http', 'health:', '  readiness: { path: /health }',
      'scaling: { minReplicas: 1, maxReplicas: 1 }',
      `local: { command: "node ${FIXTURE} --port {port} --chatty ${LINES}" }`, '',
    ].join('\n'));
    const logDir = join(dir, 'logs');
    const child = spawn(process.execPath, ['bin/run.js', 'dev', '-c', spec, '--log-rate', '10', '--log-dir', logDir], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' },
    });
    let err = '';
    let out = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    // Ready (the URL is printed), then a little over two seconds, so that the burst's windows have closed.
    while (!/^http:\/\/127\.0\.0\.1:\d+$/m.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /^http:\/\/127\.0\.0\.1:\d+$/m, err);
    await new Promise((r) => setTimeout(r, 2500));
    child.kill('SIGINT');
    assert.equal(await exited, 130, err);

    // The replica prints one "listening" line, then the burst.
    const notes = [...err.matchAll(/^\[chat-1\] … (\d+) lines suppressed \(full output: (.+)\)$/gm)];
    const shown = err.split('\n').filter((l) => l.startsWith('[chat-1] ') && !l.startsWith('[chat-1] … '));
    assert.ok(shown.length >= 10 && shown.length <= 30, `${shown.length} lines shown (10 a second)`);
    assert.ok(notes.length >= 1, err.slice(0, 2000));
    assert.equal(shown.length + notes.reduce((n, m) => n + Number(m[1]), 0), LINES + 1, 'shown + suppressed = every line');
    assert.equal(notes[0]![2], join(logDir, 'chat-1.log'));
    const log = readFileSync(join(logDir, 'chat-1.log'), 'utf8').split('\n').filter((l) => l.startsWith('access '));
    assert.equal(log.length, LINES, 'the log file has every line');
    assert.equal(log.at(-1), `access ${LINES} GET /work 200`);
    assert.match(err, new RegExp(`replica output in ${logDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/<replica>\\.log; at most 10 lines/s`));
  });
});
