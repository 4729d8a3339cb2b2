/**
 * Accuracy and cost of the capacity search against fixture servers of known capacity (N slots, fixed or
 * exponential service time), through the real load engine over loopback.
 *   npm run bench:tune [-- --window 2s --cases A,B,C]
 *
 * Truth per case:
 * - fixed service, open loop at constant spacing: the server completes N / S requests per second; any rate
 *   above builds a backlog, so capacity = N / S when the SLO is above S;
 * - exponential service, closed loop: c clients on N servers, whose response time is known (see
 *   closedCapacity); capacity = the most clients whose p95 meets the SLO. (A closed loop on fixed service
 *   has no sharp truth: clients that start together stay in lock-step and wait whole service times, clients
 *   that drift apart wait fractions of one, and the fixture does some of each.)
 * - exponential service, Poisson arrivals: an M/M/N queue, whose response-time distribution is known in
 *   closed form (Erlang C); capacity = the highest rate whose p95 meets the SLO.
 * On a busy machine the fixture's timers fire late, so its real service time is longer than nominal: the
 * bench also measures the service time the server achieves right now (closed loop at 4 × slots) and gives
 * the truth for it ("effective").
 * Cost: seconds under load, against an exhaustive sweep in 5 % steps of the truth up to it, under the same
 * window rule: every passing level at least the 3 windows steady state needs, and the first level above the
 * truth at least the 2 windows a clear breach or a backlog needs — a lower bound (near capacity, and at low
 * rates where few requests land in a window, real steps take more), so the ratio flatters the sweep.
 * Warm-up (1 s before every step) is left out on both sides; the sweep has more steps, so that too flatters it.
 */
import { parseArgs } from 'node:util';
import { runLoad } from '../../src/load/engine.js';
import { searchCapacity } from '../../src/tune/capacity-search.js';
import { engineMeasure } from '../../src/tune/engine-measure.js';
import type { SearchAxis, Slo } from '../../src/tune/types.js';
import { parseDurationMs } from '../../src/units.js';
import { startCapacityServer } from '../fixtures/capacity-server.js';
import { rng } from '../support/queue-model.js';

interface Case {
  id: string;
  slots: number;
  serviceMs: number;
  exponential: boolean;
  axis: SearchAxis;
  arrival: 'constant' | 'poisson';
  slo: Slo;
  truth: number;
  truthNote: string;
  /** The truth again with the service time the server really achieves on this machine right now. */
  effectiveTruth: (serviceMs: number) => number;
}

/** P(T > t) for M/M/c response time (wait + service). */
function mmcTail(lambda: number, mu: number, c: number, t: number): number {
  const a = lambda / mu;
  const rho = a / c;
  let sum = 0;
  let term = 1;
  for (let k = 0; k < c; k++) {
    if (k > 0) term *= a / k;
    sum += term;
  }
  const last = (term * a) / c / (1 - rho);
  const pw = last / (sum + last);
  const theta = c * mu - lambda;
  const both = Math.abs(theta - mu) < 1e-9 ? (1 + mu * t) * Math.exp(-mu * t) : (theta * Math.exp(-mu * t) - mu * Math.exp(-theta * t)) / (theta - mu);
  return (1 - pw) * Math.exp(-mu * t) + pw * both;
}

function mmcPercentileMs(lambda: number, serviceMs: number, c: number, q: number): number {
  const mu = 1000 / serviceMs;
  let lo = 0;
  let hi = 1;
  while (mmcTail(lambda, mu, c, hi) > 1 - q) hi *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (mmcTail(lambda, mu, c, mid) > 1 - q) lo = mid;
    else hi = mid;
  }
  return hi * 1000;
}

/** The highest Poisson rate whose p95 response time meets the SLO on an M/M/N server. */
export function mmcCapacity(slots: number, serviceMs: number, sloMs: number, q = 0.95): number {
  let lo = 0;
  let hi = (slots * 1000) / serviceMs;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (mmcPercentileMs(mid, serviceMs, slots, q) <= sloMs) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Closed loop with zero think time: c clients on N exponential servers. A client coming back finds the
 * other c − 1 in the system (arrival theorem), so beyond N it waits for c − N completions at rate N/S:
 * T = Erlang(c − N, N/S) + Exp(1/S). Its p95 by seeded Monte Carlo; capacity = the largest c within the SLO.
 */
export function closedCapacity(slots: number, serviceMs: number, sloMs: number, q = 0.95): number {
  const random = rng(12345);
  const exp = (mean: number) => -Math.log(1 - random()) * mean;
  let best = 0;
  for (let c = 1; c <= slots * 10; c++) {
    const n = 100_000;
    const samples = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let t = exp(serviceMs);
      for (let k = 0; k < c - slots; k++) t += exp(serviceMs / slots);
      samples[i] = t;
    }
    samples.sort();
    if (samples[Math.floor(q * n)]! <= sloMs) best = c;
    else break;
  }
  return best;
}

const CASES: Case[] = [
  {
    id: 'A',
    slots: 8,
    serviceMs: 100,
    exponential: false,
    axis: 'rate',
    arrival: 'constant',
    slo: { percentile: 'p95', latencyMs: 300, errorRate: 0.01 },
    truth: 80,
    truthNote: 'N/S = 8/0.1 s',
    effectiveTruth: (ms) => (8 * 1000) / ms,
  },
  {
    id: 'B',
    slots: 16,
    serviceMs: 50,
    exponential: true,
    axis: 'concurrency',
    arrival: 'constant',
    slo: { percentile: 'p95', latencyMs: 250, errorRate: 0.01 },
    truth: closedCapacity(16, 50, 250),
    truthNote: 'closed M/M/16, p95 ≤ 250 ms',
    effectiveTruth: (ms) => closedCapacity(16, ms, 250),
  },
  {
    id: 'C',
    slots: 8,
    serviceMs: 50,
    exponential: true,
    axis: 'rate',
    arrival: 'poisson',
    slo: { percentile: 'p95', latencyMs: 250, errorRate: 0.01 },
    truth: mmcCapacity(8, 50, 250),
    truthNote: 'M/M/8, p95 ≤ 250 ms (Erlang C)',
    effectiveTruth: (ms) => mmcCapacity(8, ms, 250),
  },
];

const { values } = parseArgs({ options: { window: { type: 'string', default: '2s' }, cases: { type: 'string', default: 'A,B,C' } } });
const windowMs = parseDurationMs(values.window!);
const chosen = CASES.filter((c) => values.cases!.split(',').includes(c.id));

const rows: string[] = [];
for (const c of chosen) {
  const server = await startCapacityServer({ slots: c.slots, serviceMs: c.serviceMs, exponential: c.exponential });
  try {
    // The service time the server achieves right now: timers run late on a busy machine, which lowers the
    // real capacity below the nominal one. Measured closed loop at 4 × slots, the same way for every case.
    const saturation = await runLoad({ url: server.url, mode: { kind: 'concurrency', concurrency: 4 * c.slots }, durationMs: 6000, warmupMs: 1000, timeoutMs: 10_000 });
    const effectiveServiceMs = (c.slots * 1000) / saturation.throughput.completedPerSecond;
    const effective = c.effectiveTruth(effectiveServiceMs);
    const started = performance.now();
    const order: string[] = [];
    const result = await searchCapacity({
      axis: c.axis,
      slo: c.slo,
      windowMs,
      measure: engineMeasure({ url: server.url, runLoad: (o, h) => runLoad(o, h), arrival: c.arrival, timeoutMs: 10_000 }),
      // The order the search tried levels in, and what each guess aimed at.
      onEvent: (e) => {
        if (e.type === 'step-end') order.push(`${e.point.level}${e.point.passed ? '✓' : '✗'}${e.point.windows}${e.point.ended[0]}`);
        if (e.type === 'step-start' && e.estimate !== null) order.push(`→${e.estimate.toFixed(1)}`);
      },
    });
    const wallS = (performance.now() - started) / 1000;
    const found = result.capacityLevel ?? 0;
    const errorPct = ((found - c.truth) / c.truth) * 100;
    const effectivePct = ((found - effective) / effective) * 100;
    // The sweep under the same rule: levels at 5 %, 10 %, … 100 % of the truth (distinct integers for
    // concurrency), each passing step at least the 3 windows steady state needs, then the first level above
    // the truth, failing in no fewer than the 2 windows a clear breach or a backlog needs.
    const passing = c.axis === 'concurrency' ? new Set(Array.from({ length: 20 }, (_, i) => Math.max(1, Math.round(((i + 1) * c.truth) / 20)))).size : 20;
    const sweepS = ((passing * 3 + 2) * windowMs) / 1000;
    rows.push(
      `| ${c.id} | ${c.slots} × ${c.serviceMs} ms ${c.exponential ? 'exp' : 'fixed'} | ${c.axis} (${c.arrival}) | ${c.slo.percentile} < ${c.slo.latencyMs} ms | ${c.truth.toFixed(1)} (${c.truthNote}) | ${found} | ${errorPct >= 0 ? '+' : ''}${errorPct.toFixed(1)} % | ${effective.toFixed(1)} (service ${effectiveServiceMs.toFixed(1)} ms) | ${effectivePct >= 0 ? '+' : ''}${effectivePct.toFixed(1)} % | ${result.cost.steps} | ${result.cost.loadSeconds.toFixed(0)} s | ${sweepS.toFixed(0)} s | ${(result.cost.loadSeconds / sweepS).toFixed(2)} | ${wallS.toFixed(0)} s |`,
    );
    process.stderr.write(`${c.id}: truth ${c.truth.toFixed(2)} (effective ${effective.toFixed(2)}) found ${found} (${errorPct.toFixed(1)} %, ${effectivePct.toFixed(1)} % of effective), ${result.cost.loadSeconds} s under load, steps in order ${order.join(' ')}\n`);
  } finally {
    await server.close();
  }
}
process.stdout.write(
  [
    `window ${windowMs / 1000} s, steady state 3 windows within 10 %, at most 10`,
    '',
    '| case | server | axis | SLO | truth (nominal) | found | error | truth (effective) | error | steps | load-seconds | 5 % sweep ≥ | ratio | wall |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n'),
);
