/**
 * mdl loadtest beside autocannon and wrk, in one run against the same local server, alternating tools.
 * Not part of npm test: performance targets are measured here and written to test/bench/RESULTS.md.
 *
 *   npm run build && node --import tsx test/bench/loadtest-bench.ts closed [--seconds 10] [--connections 50] [--rounds 2]
 *   node --import tsx test/bench/loadtest-bench.ts open [--seconds 10] [--rates 1000,10000,20000,30000]
 *   node --import tsx test/bench/loadtest-bench.ts precision [--seconds 10] [--rate 200]
 *   node --import tsx test/bench/loadtest-bench.ts memory [--seconds 300] [--rate 5000]
 *
 * mdl runs as the built CLI (node bin/run.js, Node 24), autocannon as its CLI from node_modules, wrk -t1.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
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
  },
});
const what = positionals[0] ?? 'closed';
const node = process.execPath;
const MAX = 64 * 1024 * 1024;

async function mdlJson(args: string[]): Promise<any> {
  const { stdout } = await run(node, ['bin/run.js', 'loadtest', ...args, '--json'], { maxBuffer: MAX });
  return JSON.parse(stdout);
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
        `  target ${rate}/s: sent ${m.throughput.achievedPerSecond}/s, completed ${completedPerSecond.toFixed(1)}/s ` +
          `(${((completedPerSecond / rate - 1) * 100).toFixed(2)} %), dropped ${m.requests.dropped}, failed ${m.requests.failed}, ` +
          `corrected p50 ${m.latencyMs.p50} / p99 ${m.latencyMs.p99} ms, service p99 ${m.serviceTimeMs.p99} ms → ${ok ? 'sustained' : 'NOT sustained'}`,
      );
    }
  } finally {
    s.stop();
  }
}

async function startFixture(args: string[]): Promise<{ url: string; stop: () => void }> {
  const child = spawn(node, ['--import', 'tsx', 'test/fixtures/capacity-server.ts', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d).trim())));
  return { url, stop: () => void child.kill('SIGTERM') };
}

async function precision(): Promise<void> {
  const seconds = Number(values.seconds ?? 10);
  const rate = values.rate ?? '200';
  const f = await startFixture(['--slots', '10000', '--service-ms', '20']);
  try {
    for (let round = 0; round < Number(values.rounds); round++) {
      await fetch(`${f.url}/__stats`);
      const m = await mdlJson([`${f.url}/`, '--rate', rate, '--duration', `${seconds}s`]);
      const truth = (await (await fetch(`${f.url}/__stats`)).json()) as { serverP50Ms: number };
      const { stdout: ac } = await run(node, ['node_modules/autocannon/autocannon.js', '-c', '10', '-d', String(seconds), '-R', rate, '-j', `${f.url}/`], { maxBuffer: MAX });
      const acTruth = (await (await fetch(`${f.url}/__stats`)).json()) as { serverP50Ms: number };
      const acj = JSON.parse(ac);
      console.log(
        `fixed 20 ms server (node timer), ${rate}/s for ${seconds} s: server's own p50 ${truth.serverP50Ms.toFixed(3)} ms; ` +
          `mdl latency p50 ${m.latencyMs.p50} ms (Δ ${(m.latencyMs.p50 - truth.serverP50Ms).toFixed(3)}), service p50 ${m.serviceTimeMs.p50} ms (Δ ${(m.serviceTimeMs.p50 - truth.serverP50Ms).toFixed(3)}); ` +
          `autocannon p50 ${acj.latency.p50} ms vs server ${acTruth.serverP50Ms.toFixed(3)} ms`,
      );
    }
  } finally {
    f.stop();
  }
}

async function memory(): Promise<void> {
  const seconds = Number(values.seconds ?? 300);
  const rate = Number(values.rate ?? 5000);
  const s = await server();
  try {
    const { runLoad } = await import('../../src/load/engine.js');
    const rss: number[] = [];
    const r = await runLoad(
      { url: s.url, mode: { kind: 'rate', ratePerSecond: rate, arrival: 'constant' }, durationMs: seconds * 1000, warmupMs: 10_000 },
      {
        onSnapshot: (snap) => {
          const mem = process.memoryUsage();
          rss.push(mem.rss / 2 ** 20);
          if (snap.second % 15 === 0) {
            console.log(
              `  t=${Math.round(snap.elapsedMs / 1000)} s rss ${rss.at(-1)!.toFixed(1)} MiB heap used ${(mem.heapUsed / 2 ** 20).toFixed(1)} MiB ` +
                `sent ${snap.achievedPerSecond}/s in flight ${snap.inFlight} dropped ${snap.dropped}`,
            );
          }
        },
      },
    );
    const after = rss.slice(10);
    console.log(
      `memory: ${rate}/s for ${seconds} s after 10 s warm-up (in-process runLoad): RSS min ${Math.min(...after).toFixed(1)} / max ${Math.max(...after).toFixed(1)} MiB, ` +
        `spread ${(Math.max(...after) - Math.min(...after)).toFixed(1)} MiB; first ${after[0]!.toFixed(1)}, last ${after.at(-1)!.toFixed(1)}; completed ${r.requests.completed}, dropped ${r.requests.dropped}`,
    );
  } finally {
    s.stop();
  }
}

const jobs: Record<string, () => Promise<void>> = { closed, open, precision, memory };
if (!jobs[what]) throw new Error(`unknown benchmark ${what}: closed, open, precision or memory`);
await jobs[what]();
