/**
 * Issue 17's 5 + 5 on the real servers of test/support/real-servers: `mdl tune` once, then 5 fresh
 * `mdl loadtest` runs at tune's answer (they should meet the SLO at least 4 times) and 5 at 1.1 × the answer
 * (they should fail it at least 4 times). The built CLI, as a user runs it.
 *
 *   npm run bench:real -- --server mlserver|llama [--slo p95<60ms] [--seconds 15]   (builds first; Node 24)
 *
 * mlserver: MLServer + scikit-learn iris, rate axis (open loop, constant arrivals). llama: llama-cpp-python
 * (interrupt_requests off) + the tiny GGUF, concurrency axis (closed loop); its SLO defaults to 2.5 × the
 * single-stream p95 measured first. Prints one line per run and the verdict.
 */
import { parseArgs } from 'node:util';
import type { LoadResult } from '../../src/load/types.js';
import type { TuneResult } from '../../src/tune/result.js';
import { installRealServers, irisModelDir, mdl, startLlamaCppPython, startMlserver, tinyGguf, workDir, type StartedServer } from '../support/real-servers/servers.js';

const { values } = parseArgs({ options: { server: { type: 'string', default: 'mlserver' }, slo: { type: 'string' }, seconds: { type: 'string', default: '15' }, runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);
const PAYLOAD = 'examples/demo/requests.jsonl';
const BODY = JSON.stringify({ messages: [{ role: 'user', content: 'hello world' }], max_tokens: 16 });

const servers = await installRealServers();
const llama = values.server === 'llama';
let server: StartedServer;
let request: string[];
let url: string;
if (llama) {
  server = await startLlamaCppPython(servers, await tinyGguf(servers, workDir('llama')), { interrupt: false });
  url = server.url;
  request = ['--protocol', 'openai', '--model', 'tiny', '--body', BODY];
} else {
  server = await startMlserver(servers, await irisModelDir(servers, workDir('mlserver')));
  url = `${server.url}/v2/models/iris/infer`;
  request = ['--protocol', 'kserve-v2', '--payload', PAYLOAD];
}

try {
  let slo = values.slo;
  if (!slo) {
    const base = await mdl(['loadtest', url, ...request, '--concurrency', '1', '--requests', '30', '--json']);
    const p95 = (JSON.parse(base.stdout) as LoadResult).latencyMs.p95;
    slo = `p95<${Math.max(llama ? 50 : 20, Math.round(p95 * (llama ? 2.5 : 4)))}ms`;
    console.log(`single-request p95 ${p95.toFixed(1)} ms → SLO ${slo}`);
  }
  const t0 = Date.now();
  const tuned = await mdl(['tune', url, ...request, '--runtime', llama ? 'openai' : 'kserve-v2', '--slo', slo, '--json'], { killAfterMs: 1_800_000 });
  const result = JSON.parse(tuned.stdout) as TuneResult;
  const answer = result.capacityPerReplica?.level.value;
  if (answer === undefined) throw new Error(`tune found no capacity (exit ${tuned.code}): ${result.notes.join(' ')}`);
  console.log(`tune: ${result.axis} ${answer} per replica (${((Date.now() - t0) / 1000).toFixed(0)} s, exit ${tuned.code})`);

  const runAt = async (level: number) => {
    const axis = result.axis === 'rate' ? ['--rate', String(Math.round(level * 100) / 100)] : ['--concurrency', String(Math.max(1, Math.round(level)))];
    const r = await mdl(['loadtest', url, ...request, ...axis, '--duration', `${values.seconds}s`, '-t', slo, '--max-error-rate', '100%', '--json'], { killAfterMs: 300_000 });
    const lr = JSON.parse(r.stdout) as LoadResult;
    return { met: r.code === 0, p95: lr.latencyMs.p95, achieved: lr.throughput.completedPerSecond };
  };
  // On the concurrency axis levels are whole streams: 1.1× is at least one stream more.
  const levelAt = (factor: number) => (factor === 1 || result.axis === 'rate' ? answer * factor : Math.max(answer + 1, Math.ceil(answer * factor)));
  const tally = async (factor: number) => {
    let met = 0;
    for (let i = 0; i < RUNS; i++) {
      const r = await runAt(levelAt(factor));
      if (r.met) met++;
      console.log(`  ${factor}× (${levelAt(factor)}) run ${i + 1}: ${r.met ? 'met' : 'failed'} (p95 ${r.p95.toFixed(1)} ms, ${r.achieved.toFixed(1)}/s)`);
    }
    return met;
  };
  const atAnswer = await tally(1);
  const above = await tally(1.1);
  const ok = atAnswer >= RUNS - 1 && RUNS - above >= RUNS - 1;
  console.log(`${values.server}: at the answer ${atAnswer}/${RUNS} met the SLO (want ≥ ${RUNS - 1}); at 1.1× ${RUNS - above}/${RUNS} failed it (want ≥ ${RUNS - 1}) → ${ok ? 'met' : 'not met'}`);
} finally {
  await server.stop();
}
