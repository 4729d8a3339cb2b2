/**
 * Does tune's answer hold on a fresh run? On the batching (LLM-like) and processor-sharing fixtures, open
 * loop and closed loop: the built CLI's `mdl tune`, then 5 fresh `mdl loadtest` runs at its answer (each
 * should meet the SLO) and 5 at 1.1 × its answer (each should fail it). A run meets the SLO when loadtest
 * exits 0 with the SLO as thresholds, fails it when loadtest exits 99.
 *   npm run build && node --import tsx test/bench/tune-holds.ts [--runs 5] [--duration 10s] [--window 2s] [--cases batching-rate,...]
 * The servers run in this process; each CLI run is its own process, one at a time.
 */
import { parseArgs } from 'node:util';
import { runMdl } from '../support/run-mdl.js';
import { startBatchingServer } from '../fixtures/batching-server.js';
import { startSharingServer } from '../fixtures/sharing-server.js';
import type { RunningServer } from '../fixtures/serve.js';


interface Case {
  id: string;
  start: () => Promise<RunningServer>;
  axis: 'rate' | 'concurrency';
  slo: string;
  request: string[];
}

const batching = () => startBatchingServer({ maxBatch: 8, tokens: 8, stepBaseMs: 10, stepPerRequestMs: 2 });
const sharing = () => startSharingServer({ cores: 2, workMs: 20, exponential: true, seed: 5 });
const CASES: Case[] = [
  { id: 'batching-rate', start: batching, axis: 'rate', slo: 'p95<400ms', request: ['--protocol', 'openai', '--model', 'm'] },
  { id: 'batching-concurrency', start: batching, axis: 'concurrency', slo: 'p95<400ms', request: ['--protocol', 'openai', '--model', 'm'] },
  { id: 'sharing-rate', start: sharing, axis: 'rate', slo: 'p95<100ms', request: [] },
  { id: 'sharing-concurrency', start: sharing, axis: 'concurrency', slo: 'p95<100ms', request: [] },
];

const mdl = (args: string[]) => runMdl(args);

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, duration: { type: 'string', default: '10s' }, window: { type: 'string', default: '2s' }, cases: { type: 'string' } },
});
const runs = Number(values.runs);
const wanted = values.cases ? new Set(values.cases.split(',')) : null;

const rows: string[] = [];
for (const c of CASES.filter((x) => !wanted || wanted.has(x.id))) {
  const server = await c.start();
  try {
    const url = server.url.replace(/\/+$/, '');
    const tune = await mdl(['tune', url, ...c.request, '--axis', c.axis, '--slo', c.slo, '--window', values.window!, '--json']);
    if (tune.code !== 0) {
      console.log(`${c.id}: tune exited ${tune.code}\n${tune.stderr.slice(-2000)}`);
      rows.push(`| ${c.id} | tune exited ${tune.code} | | | |`);
      continue;
    }
    const result = JSON.parse(tune.stdout);
    const answer: number = result.search.capacityLevel;
    const spread = result.search.confirmation?.spread;
    const over = c.axis === 'concurrency' ? Math.max(answer + 1, Math.round(answer * 1.1)) : Math.round(answer * 1.1 * 100) / 100;
    const load = (level: number) => (c.axis === 'rate' ? ['--rate', String(level)] : ['--concurrency', String(level)]);
    const verdicts = async (level: number) => {
      const codes: number[] = [];
      for (let i = 0; i < runs; i++) {
        const r = await mdl(['loadtest', url, ...c.request, ...load(level), '--duration', values.duration!, '-t', c.slo, '-t', 'error_rate<1%', '--json']);
        const p = JSON.parse(r.stdout || '{}')?.latencyMs?.p95;
        codes.push(r.code);
        console.log(`  ${c.id} loadtest ${c.axis} ${level}: exit ${r.code}, p95 ${p} ms`);
      }
      return codes;
    };
    console.log(`${c.id}: tune answer ${answer} (${result.search.cost.steps} steps, ${result.search.cost.loadSeconds} s under load, ${tune.seconds.toFixed(0)} s; hold spread ${spread ? `${spread.minMs.toFixed(1)}–${spread.maxMs.toFixed(1)} ms` : 'none'}, pooled ${result.search.confirmation?.latencyMs?.p95?.toFixed(1)} ms + margin ${result.search.confirmation?.marginMs?.toFixed(1)} ms; refuted holds ${JSON.stringify((result.search.unconfirmed ?? []).map((u: { level: number; growing: boolean; latencyMs: Record<string, number>; marginMs?: number }) => `${u.level}: ${u.growing ? 'backlog grew' : `p95 ${u.latencyMs.p95?.toFixed(1)} ms + margin ${u.marginMs?.toFixed(1)} ms`}`))})`);
    const at = await verdicts(answer);
    const above = await verdicts(over);
    const met = at.filter((x) => x === 0).length;
    const failed = above.filter((x) => x === 99).length;
    rows.push(`| ${c.id} | ${answer} (${result.search.cost.loadSeconds} s) | ${met} of ${runs} met | ${over}: ${failed} of ${runs} failed | ${met >= runs - 1 && failed >= runs - 1 ? 'yes' : 'no'} |`);
  } finally {
    await server.close();
  }
}
console.log('\n| case | tune answer (load-seconds) | at the answer | at 1.1 × | met? |\n| --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
