/**
 * The dashboard's cost: the generator's maximum closed-loop throughput with the live dashboard against
 * --no-ui, both run by the built CLI in a 100×30 tmux pane (a real terminal for both, so the only
 * difference is the dashboard), alternating, against nginx with one worker. Besides requests per second
 * (which swings with whatever else the machine runs), requests per CPU-second of the mdl process: what
 * the dashboard takes from the generator, less sensitive to a shared machine.
 *   npm run build && node --import tsx test/bench/dashboard.ts [--seconds 10] [--concurrency 50] [--rounds 3]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startNginx } from './nginx.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, concurrency: { type: 'string', default: '50' }, rounds: { type: 'string', default: '3' } } });
const ROOT = resolve(import.meta.dirname, '../..');
const RUN = join(ROOT, 'bin/run.js');
const socket = `mdl-bench-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });

interface Run {
  perSecond: number;
  perCpuSecond: number;
}

async function once(ui: boolean, url: string, dir: string, i: number): Promise<Run> {
  const out = join(dir, `run-${i}.ndjson`);
  const exit = join(dir, `run-${i}.exit`);
  const cpu = join(dir, `run-${i}.cpu`);
  const mdl = `'${process.execPath}' '${RUN}' loadtest ${url} --concurrency ${values.concurrency} --duration ${values.seconds}s --out '${out}' ${ui ? '--ui' : '--no-ui'}`;
  // bash's time keyword: user and system CPU seconds of mdl, written to a file; mdl's own stderr stays on the pane.
  const cmd = `bash -c "TIMEFORMAT='%U %S'; { time ${mdl.replaceAll('"', '\\"')} 2>&1; } 2> '${cpu}'; echo \\$? > '${exit}'"`;
  tmux('new-session', '-d', '-s', `b${i}`, '-x', '100', '-y', '30', `${cmd}; sleep 5`);
  const until = Date.now() + (Number(values.seconds) + 60) * 1000;
  while (!existsSync(exit) && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  const result = JSON.parse(lines[lines.length - 1]!) as { kind: string; throughput: { completedPerSecond: number }; requests: { completed: number } };
  if (result.kind !== 'result') throw new Error(`run ${i} did not finish: ${readFileSync(exit, 'utf8')}`);
  const [user, sys] = readFileSync(cpu, 'utf8').trim().split(/\s+/).map(Number);
  return { perSecond: result.throughput.completedPerSecond, perCpuSecond: result.requests.completed / (user! + sys!) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const server = await startNginx();
if (!server) throw new Error('nginx is not installed (apt-get install nginx)');
const dir = mkdtempSync(join(tmpdir(), 'mdl-bench-dash-'));
const runs: Record<'ui' | 'noUi', Run[]> = { ui: [], noUi: [] };
try {
  let i = 0;
  for (let round = 0; round < Number(values.rounds); round++) {
    // Alternate which goes first, so a drift in the machine's load hits both alike.
    const order = round % 2 === 0 ? [true, false] : [false, true];
    for (const ui of order) {
      const r = await once(ui, server.url, dir, i++);
      (ui ? runs.ui : runs.noUi).push(r);
      process.stdout.write(`round ${round + 1} ${ui ? 'dashboard' : '--no-ui  '} ${r.perSecond.toFixed(0)} req/s · ${r.perCpuSecond.toFixed(0)} req/CPU-s\n`);
    }
  }
} finally {
  try {
    tmux('kill-server');
  } catch {
    // No session left.
  }
  server.stop();
  rmSync(dir, { recursive: true, force: true });
}
for (const key of ['perSecond', 'perCpuSecond'] as const) {
  const ui = median(runs.ui.map((r) => r[key]));
  const noUi = median(runs.noUi.map((r) => r[key]));
  const unit = key === 'perSecond' ? 'req/s' : 'req/CPU-s';
  process.stdout.write(`median ${unit}: dashboard ${ui.toFixed(0)} · --no-ui ${noUi.toFixed(0)} · ratio ${(ui / noUi).toFixed(3)}\n`);
}
