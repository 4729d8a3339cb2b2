/**
 * mdl loadtest beside autocannon and wrk, in one run against the same local server, alternating tools.
 * Not part of npm test: performance targets are measured here and written to test/bench/RESULTS.md.
 *
 *   npm run build && node --import tsx test/bench/loadtest-bench.ts closed [--seconds 10] [--connections 50] [--rounds 2]
 *   node --import tsx test/bench/loadtest-bench.ts open [--seconds 10] [--rates 1000,10000,20000,30000]
 *   npm run build && node --import tsx test/bench/loadtest-bench.ts precision [--seconds 10] [--rounds 2] [--rates 100,500] [--connections 4] [--spin-ms 1] [--baseline DIR]
 *   npm run build && node --import tsx test/bench/loadtest-bench.ts memory [--seconds 300] [--rate 5000]
 *
 * mdl runs as the built CLI (node bin/run.js, Node 24), autocannon as its CLI from node_modules, wrk -t1.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs, promisify } from 'node:util';
import { startNginx, type BenchServer } from './nginx.js';

const run = promisify(execFile);
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: 'string' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '2' },
    rates: { type: 'string', default: '1000,10000,20000,30000,40000' },
    rate: { type: 'string' },
    'spin-ms': { type: 'string', default: '1' },
    /** precision: another built checkout (its bin/run.js) run beside this one, alternating order round by round. */
    baseline: { type: 'string' },
  },
});
const what = positionals[0] ?? 'closed';
const node = process.execPath;
const MAX = 64 * 1024 * 1024;

async function mdlJson(args: string[]): Promise<any> {
  const { stdout } = await run(node, ['bin/run.js', 'loadtest', ...args, '--json'], { maxBuffer: MAX });
  return JSON.parse(stdout);
}

/** The CLI's JSON and the CPU it used (user + system seconds, from /usr/bin/time when present). */
async function mdlJsonTimed(args: string[], root = '.'): Promise<{ result: any; cpuS: number | undefined }> {
  const cli = [`${root}/bin/run.js`, 'loadtest', ...args, '--json'];
  if (!existsSync('/usr/bin/time')) return { result: JSON.parse((await run(node, cli, { maxBuffer: MAX })).stdout), cpuS: undefined };
  const { stdout, stderr } = await run('/usr/bin/time', ['-f', 'cpu %U %S', node, ...cli], { maxBuffer: MAX });
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  return { result: JSON.parse(stdout), cpuS: m ? Number(m[1]) + Number(m[2]) : undefined };
}

async function server(): Promise<BenchServer> {
  const s = await startNginx();
  if (!s) throw new Error('nginx is not installed: apt-get install -y nginx');
  return s;
}

async function closed(): Promise<void> {
  const seconds = Number(values.seconds ?? 10);
  const c = values.connections!;
  const s = await server();
  const rows: Record<string, number[]> = { mdl: [], autocannon: [], wrk: [] };
  try {
    for (let round = 0; round < Number(values.rounds); round++) {
      const m = await mdlJson([s.url, '--concurrency', c, '--duration', `${seconds}s`]);
      rows.mdl!.push(m.requests.completed / seconds);
      const { stdout: ac } = await run(node, ['node_modules/autocannon/autocannon.js', '-c', c, '-d', String(seconds), '-j', s.url], { maxBuffer: MAX });
      const acj = JSON.parse(ac);
      rows.autocannon!.push(acj.requests.total / seconds);
      if (existsSync('/usr/bin/wrk')) {
        const { stdout: w } = await run('wrk', ['-t1', `-c${c}`, `-d${seconds}s`, s.url]);
        rows.wrk!.push(Number(/Requests\/sec:\s+([\d.]+)/.exec(w)![1]));
      }
    }
  } finally {
    s.stop();
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
  console.log(`closed loop, ${c} connections, ${seconds} s, ${values.rounds} alternating rounds against nginx (1 worker)`);
  for (const [k, v] of Object.entries(rows)) console.log(`  ${k.padEnd(11)} ${v.map((x) => Math.round(x)).join(' / ')} req/s, mean ${Math.round(mean(v))}`);
  console.log(`  mdl / autocannon = ${(mean(rows.mdl!) / mean(rows.autocannon!)).toFixed(2)}; mdl / wrk = ${(mean(rows.mdl!) / mean(rows.wrk!)).toFixed(2)}`);
  // Per round, the two tools ran back to back: the median of those ratios resists a noisy machine.
  const ratios = rows.mdl!.map((m, i) => m / rows.autocannon![i]!).sort((a, b) => a - b);
  console.log(`  per-round mdl / autocannon: ${ratios.map((r) => r.toFixed(2)).join(' ')}; median ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)}`);
}

async function open(): Promise<void> {
  const seconds = Number(values.seconds ?? 10);
  const s = await server();
  console.log(`open loop, constant arrivals, ${seconds} s each, against nginx (1 worker); connections 64`);
  try {
    for (const rate of values.rates!.split(',').map(Number)) {
      const m = await mdlJson([s.url, '--rate', String(rate), '--duration', `${seconds}s`, '--warmup', '2s']);
      const completedPerSecond = m.requests.completed / seconds;
      const ok = Math.abs(completedPerSecond - rate) / rate <= 0.01 && m.requests.dropped === 0 && m.latencyMs.p99 < 50;
      console.log(
        `  target ${rate}/s: sent ${m.throughput.sentPerSecond}/s, completed ${completedPerSecond.toFixed(1)}/s ` +
          `(${((completedPerSecond / rate - 1) * 100).toFixed(2)} %), dropped ${m.requests.dropped}, failed ${m.requests.failed}, ` +
          `corrected p50 ${m.latencyMs.p50} / p99 ${m.latencyMs.p99} ms, service p99 ${m.serviceTimeMs.p99} ms → ${ok ? 'sustained' : 'NOT sustained'}`,
      );
    }
  } finally {
    s.stop();
  }
}

/** wrk's "Latency Distribution" 50 % line (with --latency), in ms. */
function wrkP50Ms(out: string): number {
  const m = /^\s+50%\s+([\d.]+)(us|ms|s)\s*$/m.exec(out);
  if (!m) throw new Error(`no p50 in wrk's output:\n${out}`);
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

/**
 * The truth for a request to the precise server = its hold (measured by the server from the request's
 * last byte read to the response written; 20.000 ms by construction) + the loopback round trip a
 * minimal client measures against its /ping, both medians from the same round.
 */
async function precision(): Promise<void> {
  const seconds = Number(values.seconds ?? 10);
  const rates = (values.rates === '1000,10000,20000,30000,40000' ? '100,500' : values.rates!).split(',');
  const concurrency = values.connections === '50' ? '4' : values.connections!;
  const { probe, closedLoopProbe } = await import('./probe.js');
  const child = spawn(node, ['--import', 'tsx', 'test/fixtures/precise-server.ts', '--hold-ms', '20', '--spin-ms', values['spin-ms']!], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d).trim())));
  const stats = async () => (await (await fetch(`${url}/__stats`)).json()) as { served: number; holdP50Ms: number; holdP99Ms: number; holdMaxMs: number };
  const f3 = (x: number) => x.toFixed(3);
  console.log(`precision: precise 20 ms server (separate process), ${seconds} s per run; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  try {
    for (let round = 0; round < Number(values.rounds); round++) {
      await stats();
      const ping = await probe(url, '/ping', 500, 5);
      const reference = await probe(url, '/', 200, 5);
      const refHold = await stats();
      const rtt = ping.p50Ms;
      console.log(
        `round ${round + 1}: loopback round trip (minimal client, /ping) p50 ${f3(rtt)} ms (min ${f3(ping.minMs)}); ` +
          `minimal client against the hold: p50 ${f3(reference.p50Ms)} ms, hold p50 ${f3(refHold.holdP50Ms)} → Δ ${f3(reference.p50Ms - refHold.holdP50Ms - rtt)}`,
      );
      const row = (name: string, hold: { holdP50Ms: number; holdP99Ms: number; served: number }, p50: number, extra = '') => {
        const truth = hold.holdP50Ms + rtt;
        console.log(`  ${name.padEnd(34)} p50 ${f3(p50)} ms  truth ${f3(truth)} (hold p50 ${f3(hold.holdP50Ms)}, p99 ${f3(hold.holdP99Ms)}, n ${hold.served})  Δ ${(p50 - truth >= 0 ? '+' : '') + f3(p50 - truth)}${extra}`);
      };
      for (const rate of rates) {
        // With a baseline, the two builds take turns going first, so neither always runs on a warmer machine.
        const builds = values.baseline ? (round % 2 === 0 ? [['mdl', '.'], ['baseline', values.baseline]] : [['baseline', values.baseline], ['mdl', '.']]) : [['mdl', '.']];
        for (const [name, root] of builds) {
          const { result: m, cpuS } = await mdlJsonTimed([`${url}/`, '--rate', rate, '--duration', `${seconds}s`, '--warmup', '1s'], root);
          const hold = await stats();
          const cpu = cpuS === undefined ? '' : `  CPU ${cpuS.toFixed(2)} s`;
          row(`${name} --rate ${rate} (latency)`, hold, m.latencyMs.p50);
          row(`${name} --rate ${rate} (service time)`, hold, m.serviceTimeMs.p50, `  dropped ${m.requests.dropped}${cpu}`);
          // Warm-up check: the first measured seconds beside the rest (per-second p50s).
          const perSecond = (m.series as Array<{ latencyMs: { p50: number }; serviceTimeMs: { p50: number } }>).map((x) => [x.latencyMs.p50, x.serviceTimeMs.p50] as const);
          const later = perSecond.slice(2).map((x) => x[0]).sort((a, b) => a - b);
          console.log(`    per-second latency p50: s1 ${f3(perSecond[0]?.[0] ?? NaN)}, s2 ${f3(perSecond[1]?.[0] ?? NaN)}, median of s3.. ${f3(later[later.length >> 1] ?? NaN)}`);
        }
      }
      const c = await mdlJson([`${url}/`, '--concurrency', concurrency, '--duration', `${seconds}s`, '--warmup', '1s']);
      const cHold = await stats();
      row(`mdl --concurrency ${concurrency}`, cHold, c.latencyMs.p50, `  ${Math.round(c.requests.completed / seconds)} req/s`);
      const minimal = await closedLoopProbe(url, '/', Number(concurrency), seconds * 1000);
      row(`minimal Node client, ${concurrency} sockets`, await stats(), minimal.p50Ms);
      if (existsSync('/usr/bin/wrk')) {
        const { stdout: w } = await run('wrk', ['-t1', `-c${concurrency}`, `-d${seconds}s`, '--latency', `${url}/`]);
        row(`wrk -t1 -c${concurrency} --latency`, await stats(), wrkP50Ms(w));
      }
    }
  } finally {
    child.kill('SIGTERM');
  }
}

/** Resident memory of a process, MiB, from /proc (Linux). */
function rssMiB(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * The real `mdl loadtest` process (built CLI, --json) at a constant rate against nginx, its RSS read from
 * /proc every 5 s. Warm-up for the flatness judgement: the first 30 s (the run's own --warmup is 10 s).
 */
async function memory(): Promise<void> {
  const seconds = Number(values.seconds ?? 300);
  const rate = Number(values.rate ?? 5000);
  const warmupS = 30;
  const s = await server();
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`memory: mdl loadtest --rate ${rate} --duration ${seconds}s --warmup 10s (built CLI) against nginx; load average at start ${load()}`);
  try {
    const child = spawn(node, ['bin/run.js', 'loadtest', s.url, '--rate', String(rate), '--duration', `${seconds}s`, '--warmup', '10s', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const samples: Array<{ t: number; rss: number }> = [];
    const t0 = performance.now();
    const timer = setInterval(() => {
      const rss = rssMiB(child.pid!);
      if (rss === undefined) return;
      const t = Math.round((performance.now() - t0) / 1000);
      samples.push({ t, rss });
      console.log(`  t=${String(t).padStart(3)} s  rss ${rss.toFixed(1)} MiB  load ${load()}`);
    }, 5000);
    const code = await exited;
    clearInterval(timer);
    const m = JSON.parse(stdout);
    const after = samples.filter((x) => x.t > warmupS).map((x) => x.rss);
    const min = Math.min(...after);
    const max = Math.max(...after);
    console.log(
      `memory: exit ${code}; sent ${m.requests.sent} (${m.throughput.sentPerSecond}/s), completed ${m.requests.completed}, dropped ${m.requests.dropped}, failed ${m.requests.failed}; ` +
        `RSS after the first ${warmupS} s: min ${min.toFixed(1)} / max ${max.toFixed(1)} MiB, spread ${(max - min).toFixed(1)} MiB (first ${after[0]?.toFixed(1)}, last ${after.at(-1)?.toFixed(1)}); ` +
        `whole run max ${Math.max(...samples.map((x) => x.rss)).toFixed(1)} MiB; load average at end ${load()}`,
    );
  } finally {
    s.stop();
  }
}

const jobs: Record<string, () => Promise<void>> = { closed, open, precision, memory };
if (!jobs[what]) throw new Error(`unknown benchmark ${what}: closed, open, precision or memory`);
await jobs[what]();
