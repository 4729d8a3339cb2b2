/**
 * Benchmark: `mdl render` of the example spec, cold, whole process, against `node -e 0` on the same Node,
 * alternating runs, medians compared. Target: render ≤ 6× node -e 0 (issue 2).
 *
 *   npm run bench:render            (builds first; RUNS=15 by default, e.g. RUNS=21 npm run bench:render)
 *
 * Record the printed figures in test/bench/RESULTS.md with the machine's load at the time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const RUNS = Number(process.env.RUNS ?? 15);
const spec = join(ROOT, 'examples', 'sentiment', 'mdl.config.yaml');

// CPU time (user + system) is measured too, through GNU time when installed: on a shared machine the
// wall time includes waiting for a core, the CPU time does not.
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const cpuFile = join(tmpdir(), `mdl-bench-cpu-${process.pid}.txt`);

function timeMs(args: string[]): { wallMs: number; cpuMs: number | undefined } {
  const [cmd, argv] = GNU_TIME ? [GNU_TIME, ['-f', '%U %S', '-o', cpuFile, process.execPath, ...args]] : [process.execPath, args];
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  let cpuMs: number | undefined;
  if (GNU_TIME) {
    const [user, sys] = readFileSync(cpuFile, 'utf8').trim().split(/\s+/).map(Number);
    cpuMs = ((user ?? 0) + (sys ?? 0)) * 1000;
  }
  return { wallMs, cpuMs };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const render = [join(ROOT, 'bin', 'run.js'), 'render', '--config', spec];
const baseline = ['-e', '0'];
// One warm-up of each so the file system cache is the same for both.
timeMs(baseline);
timeMs(render);
// For context: `mdl version` is the floor of any oclif command (Node + oclif + the manifest).
const version = [join(ROOT, 'bin', 'run.js'), 'version'];
const a: ReturnType<typeof timeMs>[] = [];
const b: ReturnType<typeof timeMs>[] = [];
const v: ReturnType<typeof timeMs>[] = [];
for (let i = 0; i < RUNS; i++) {
  a.push(timeMs(baseline));
  b.push(timeMs(render));
  v.push(timeMs(version));
}
rmSync(cpuFile, { force: true });
const nodeMs = median(a.map((x) => x.wallMs));
const renderMs = median(b.map((x) => x.wallMs));
const ratio = renderMs / nodeMs;
const cpu = GNU_TIME ? { node: median(a.map((x) => x.cpuMs!)), render: median(b.map((x) => x.cpuMs!)) } : undefined;
const result = {
  node: process.version,
  runs: RUNS,
  loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
  nodeEmptyMedianMs: Math.round(nodeMs),
  renderMedianMs: Math.round(renderMs),
  ratio: Number(ratio.toFixed(2)),
  versionMedianMs: Math.round(median(v.map((x) => x.wallMs))),
  versionRatio: Number((median(v.map((x) => x.wallMs)) / nodeMs).toFixed(2)),
  ...(cpu
    ? {
        cpu: {
          nodeEmptyMedianMs: Math.round(cpu.node),
          renderMedianMs: Math.round(cpu.render),
          versionMedianMs: Math.round(median(v.map((x) => x.cpuMs!))),
          ratio: Number((cpu.render / Math.max(cpu.node, 1)).toFixed(2)),
        },
      }
    : {}),
  target: 6,
  withinTarget: ratio <= 6,
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
