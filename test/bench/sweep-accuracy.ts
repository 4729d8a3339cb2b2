/**
 * Capacity on servers that are not M/M/N, against the truth an exhaustive sweep finds (issue 13 §4): for each
 * fixture, `mdl loadtest` at every level in steps of 5 % of the server's saturation throughput (each run fresh,
 * with loadtest's default warm-up, judged by its exit code against the SLO thresholds), from a start level up
 * to the second failing level; the truth is the highest passing level below the first failure. Then
 * `mdl tune` on a fresh server, and its answer and load-seconds beside the sweep's.
 *   npm run build && node --import tsx test/bench/sweep-accuracy.ts [--cases sharing,bimodal,batching] [--duration 10s] [--from 0.5]
 * Levels below --from × saturation are not run (they pass: checked at the start level); their load-seconds
 * still count in the sweep's cost, as an exhaustive sweep from 5 % would spend them.
 * The servers run in this process; each CLI run is its own process, one at a time.
 */
import { parseArgs } from 'node:util';
import { runMdl } from '../support/run-mdl.js';
import { startBatchingServer } from '../fixtures/batching-server.js';
import { startCapacityServer } from '../fixtures/capacity-server.js';
import type { RunningServer } from '../fixtures/serve.js';
import { startSharingServer } from '../fixtures/sharing-server.js';


interface Case {
  id: string;
  what: string;
  start: () => Promise<RunningServer>;
  /** Requests per second the server completes at most (its saturation). */
  saturation: number;
  slo: string;
  request: string[];
}

const CASES: Case[] = [
  {
    id: 'sharing', what: 'processor sharing, 2 cores, exponential work 20 ms', saturation: 100, slo: 'p95<100ms', request: [],
    start: () => startSharingServer({ cores: 2, workMs: 20, exponential: true, seed: 5 }),
  },
  {
    id: 'bimodal', what: '4 slots, 90 % 10 ms and 10 % 100 ms (mean 19 ms)', saturation: 4000 / 19, slo: 'p95<200ms', request: [],
    start: () => startCapacityServer({ slots: 4, serviceMs: 10, slowShare: 0.1, slowMs: 100, seed: 3 }),
  },
  {
    id: 'batching', what: 'continuous batching, 8 a batch, 8 tokens, step 10 ms + 2 ms a request (SSE)', saturation: 40, slo: 'p95<400ms',
    request: ['--protocol', 'openai', '--model', 'm'],
    start: () => startBatchingServer({ maxBatch: 8, tokens: 8, stepBaseMs: 10, stepPerRequestMs: 2 }),
  },
];

const mdl = (args: string[]) => runMdl(args);

const { values } = parseArgs({ options: { cases: { type: 'string', default: 'sharing,bimodal,batching' }, duration: { type: 'string', default: '10s' }, from: { type: 'string', default: '0.5' } } });
const durationS = Number.parseFloat(values.duration!);
const from = Number(values.from);
const rows: string[] = [];

for (const c of CASES.filter((x) => values.cases!.split(',').includes(x.id))) {
  const step = c.saturation * 0.05;
  const level = (k: number) => Math.round(k * step * 100) / 100;
  // The sweep.
  const server = await c.start();
  const url = server.url.replace(/\/+$/, '');
  let truth: number | undefined;
  let fails = 0;
  let ran = 0;
  const startK = Math.max(1, Math.round(from / 0.05));
  const log: string[] = [];
  try {
    for (let k = startK; k <= 40 && fails < 2; k++) {
      const r = await mdl(['loadtest', url, ...c.request, '--rate', String(level(k)), '--duration', values.duration!, '-t', c.slo, '-t', 'error_rate<1%', '--json']);
      ran++;
      const p95 = JSON.parse(r.stdout || '{}')?.latencyMs?.p95 as number | undefined;
      log.push(`${level(k)}${r.code === 0 ? '✓' : '✗'}(${p95?.toFixed(0)})`);
      if (r.code === 0 && fails === 0) truth = level(k);
      else if (r.code !== 0) fails++;
      if (k === startK && r.code !== 0) throw new Error(`${c.id}: the start level ${level(k)} failed; lower --from`);
    }
  } finally {
    await server.close();
  }
  // Exhaustive from 5 %: every level up to the truth, and the first failure.
  const sweepLoadS = ((truth ?? 0) / step + 1) * durationS;
  process.stderr.write(`${c.id}: sweep ${log.join(' ')} → truth ${truth}\n`);

  const fresh = await c.start();
  try {
    const tune = await mdl(['tune', fresh.url.replace(/\/+$/, ''), ...c.request, '--axis', 'rate', '--slo', c.slo, '--json']);
    if (tune.code !== 0) {
      rows.push(`| ${c.id} | ${c.what} | ${c.slo} | ${truth} | tune exited ${tune.code} | | | | |`);
      continue;
    }
    const result = JSON.parse(tune.stdout);
    const found = result.search.capacityLevel as number;
    const loadS = result.search.cost.loadSeconds as number;
    const error = truth ? ((found - truth) / truth) * 100 : NaN;
    rows.push(`| ${c.id} | ${c.what} | ${c.slo} | ${truth} (${ran} runs of ${durationS} s) | ${found} | ${error >= 0 ? '+' : ''}${error.toFixed(1)} % | ${loadS.toFixed(0)} s | ${sweepLoadS.toFixed(0)} s | ${(loadS / sweepLoadS).toFixed(2)} |`);
    process.stderr.write(`${c.id}: tune ${found} in ${loadS} s under load (${result.search.cost.steps} steps)\n`);
  } finally {
    await fresh.close();
  }
}

process.stdout.write([
  `sweep: fresh ${durationS} s loadtest runs in steps of 5 % of saturation from ${from * 100} %; tune: mdl tune --axis rate, defaults`,
  '',
  '| case | server | SLO | swept truth (req/s) | tune | error | tune load-s | sweep load-s (from 5 %) | ratio |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
].join('\n'));
