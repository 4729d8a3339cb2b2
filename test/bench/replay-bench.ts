/**
 * Replay fidelity (issue 13 §3): tune a slot-bound replica with a model-load delay on the local runtime, then
 * replay three profiles — the issue's fast spike (the spec's traffic), a diurnal day compressed to a few
 * minutes, a step down — for the chosen, the spec's current and a static setting sized for the peak, and report
 * simulated vs measured seconds over the SLO and replica-seconds, through the built CLI as a user runs it.
 *   npm run build && node --import tsx test/bench/replay-bench.ts [-- --window 2s --out /tmp/replay-bench]
 *
 * The replica: 4 slots, exponential 40 ms service (an M/M/4: 81–90 req/s within a 200 ms p95), 4 s model
 * load before it listens; spec traffic baseline 20, peak 300, ramp 15 s; SLO p95 < 200 ms; the spec's own
 * scaling (current) is rps 70 per replica, 2–8 replicas, Kubernetes' default behaviour.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { ReplayDocument } from '../../src/replay/types.js';
import type { TuneResult } from '../../src/tune/result.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({ options: { window: { type: 'string', default: '2s' }, out: { type: 'string', default: '/tmp/mdl-replay-bench' }, profiles: { type: 'string' } } });
const dir = resolve(values.out!);
mkdirSync(dir, { recursive: true });

const tsx = pathToFileURL(resolve(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const fixture = resolve(ROOT, 'test/fixtures/capacity-server.ts');
writeFileSync(
  join(dir, 'mdl.config.yaml'),
  `name: slots
image: example.invalid/slots:1
runtime: http
health:
  readiness: { path: / }
slo: { p95: 200ms }
traffic: { baseline: 20rps, peak: 300rps, ramp: 15s }
scaling:
  minReplicas: 2
  maxReplicas: 8
  metric: { type: rps, target: 70 }
local:
  # The model load: 4 s before the server listens (it behaves like a GPU server: no CPU while it waits).
  command: sleep 4 && exec ${process.execPath} --import ${tsx} ${fixture} --slots 4 --service-ms 40 --exponential --port {port}
loadtest:
  path: /predict
  method: GET
`,
);

function mdl(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const started = Date.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/run.js'), ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, CI: 'true' } });
  process.stderr.write(`$ mdl ${args.join(' ')}  → exit ${r.status} in ${Math.round((Date.now() - started) / 1000)} s\n`);
  if (r.status !== 0) process.stderr.write(r.stderr.slice(-3000));
  return r;
}

const tuneFile = join(dir, 'tune.json');
const tune = mdl(['tune', '--local', '--window', values.window!, '--json']);
writeFileSync(tuneFile, tune.stdout);
const t = JSON.parse(tune.stdout) as TuneResult;
const rec = t.recommendation!;
console.log(`tune: capacity ${t.capacityPerReplica?.perSecond.value} req/s per replica, cold start ${Math.round(t.coldStartMs?.value ?? 0)} ms; chosen ${rec.metric.kind} ${rec.target.value}, ${rec.minReplicas.value}–${rec.maxReplicas.value} replicas (simulation passed: ${t.simulation?.passed})`);

const PROFILES: Array<{ name: string; args: string[] }> = [
  { name: 'spike (spec traffic)', args: [] },
  { name: 'diurnal, one day in 3 min', args: ['--profile', 'diurnal,baseline=20,peak=300,duration=3m'] },
  { name: 'step down 300 → 20', args: ['--profile', 'step,from=300,to=20,at=45s,duration=2m'] },
];
const wanted = values.profiles?.split(',').map(Number);
const rows: string[] = [];
for (const [i, p] of PROFILES.entries()) {
  if (wanted && !wanted.includes(i)) continue;
  const r = mdl(['replay', '--from', 'tune.json', '--settings', 'recommended,current,static', ...p.args, '--json']);
  writeFileSync(join(dir, `replay-${i}.json`), r.stdout);
  const doc = JSON.parse(r.stdout) as ReplayDocument;
  for (const run of doc.runs) {
    const m = run.measured.summary;
    const s = run.simulated.summary;
    const within = m.durationSeconds - m.secondsOverSlo;
    const overOk = Math.abs(m.secondsOverSlo - s.secondsOverSlo) <= Math.max(5, 0.3 * Math.max(m.secondsOverSlo, s.secondsOverSlo));
    const rsGap = (s.replicaSeconds - m.replicaSeconds) / m.replicaSeconds;
    rows.push(
      `| ${p.name} | ${run.label} (${run.settings.metric} ${run.settings.target}, ${run.settings.minReplicas}–${run.settings.maxReplicas}) | ${m.secondsOverSlo} | ${s.secondsOverSlo} | ${overOk ? 'yes' : 'no'} | ${m.replicaSeconds} | ${Math.round(s.replicaSeconds)} | ${rsGap >= 0 ? '+' : ''}${(rsGap * 100).toFixed(1)} % | ${((100 * within) / m.durationSeconds).toFixed(1)} % | ${run.measured.overallP95Ms === null ? '–' : Math.round(run.measured.overallP95Ms)} | ${m.peakReplicas} / ${s.peakReplicas} |`,
    );
  }
}
console.log('\n| profile | setting | s over SLO, measured | simulated | within max(5 s, 30 %) | replica-s, measured | simulated | gap | seconds within SLO | p95 overall ms | peak meas. / sim. |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
console.log(`\nDocuments: ${dir} (tune.json, replay-N.json). ${readFileSync(join(dir, 'mdl.config.yaml'), 'utf8').length} bytes of spec.`);
