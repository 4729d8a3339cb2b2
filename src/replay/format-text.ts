/**
 * The replay as text: per setting, measured beside simulated (seconds over the SLO, replica-seconds, peak
 * replicas, time to scale up after the ramp starts), then where they differ.
 */
import type { CostSpec } from '../spec/types.js';
import { costOf, formatMoney } from '../tune/cost.js';
import type { ReplayDocument, ReplayRun, ReplaySummary } from './types.js';

function secs(v: number | null): string {
  return v === null ? '–' : `${v} s`;
}

function rows(m: ReplaySummary, s: ReplaySummary, duration: number, price: CostSpec | undefined): Array<[string, string, string]> {
  const pct = (over: number) => (duration > 0 ? ` (${((100 * over) / duration).toFixed(1)} %)` : '');
  return [
    ['seconds over the SLO', `${m.secondsOverSlo} s${pct(m.secondsOverSlo)}`, `${s.secondsOverSlo} s${pct(s.secondsOverSlo)}`],
    ['replica-seconds', `${m.replicaSeconds}`, `${Math.round(s.replicaSeconds)}`],
    ...(price ? [costRow(m, s, price)] : []),
    ['peak replicas', `${m.peakReplicas}`, `${s.peakReplicas}`],
    ['scale-up decision after ramp', secs(m.scaleUpDecisionS), secs(s.scaleUpDecisionS)],
    ['first added replica ready', secs(m.scaleUpReadyS), secs(s.scaleUpReadyS)],
  ];
}

/** `price`: the spec's cost, to show each run's replica-seconds in money. */
/** Replica-seconds measured and simulated, in money. */
function costRow(m: ReplaySummary, s: ReplaySummary, price: CostSpec): [string, string, string] {
  const money = (replicaSeconds: number) => formatMoney(costOf(replicaSeconds / 3600, price).amount, price.currency);
  return ['cost', money(m.replicaSeconds), money(s.replicaSeconds)];
}

export function formatReplayRun(run: ReplayRun, slo: ReplayDocument['slo'], price?: CostSpec): string {
  const s = run.settings;
  const lines = [
    `${run.label}: ${s.metric} target ${s.target}, ${s.minReplicas}–${s.maxReplicas} replicas${run.measured.interrupted ? ' (interrupted: the seconds measured)' : ''}`,
  ];
  const table: Array<[string, string, string]> = [['', 'measured', 'simulated'], ...rows(run.measured.summary, run.simulated.summary, run.measured.summary.durationSeconds, price)];
  const w0 = Math.max(...table.map((r) => r[0].length));
  const w1 = Math.max(...table.map((r) => r[1].length));
  for (const [a, b, c] of table) lines.push(`  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`);
  const p95 = run.measured.overallP95Ms;
  lines.push(`  measured p95 over the whole run: ${p95 === null ? '–' : `${Math.round(p95)} ms`} (the SLO is judged per second: ${slo.percentile} < ${slo.latencyMs} ms)`);
  if (run.differences.length === 0) lines.push('  simulation and runtime agree within the bounds');
  else for (const d of run.differences) lines.push(`  differs: ${d}`);
  return lines.join('\n');
}

export function formatReplay(doc: ReplayDocument): string {
  const head = `Replayed ${doc.profile.source}: ${doc.runs[0]?.measured.summary.durationSeconds ?? 0} s, peak ${doc.profile.peakPerSecond}/s, Poisson arrivals, against the local runtime; simulated with ${doc.capacity.source}`;
  const price = doc.price ? `\nPrice: ${formatMoney(doc.price.perReplicaHour, doc.price.currency)} per replica-hour (${doc.price.source})` : '';
  return [head + price, ...doc.runs.map((r) => formatReplayRun(r, doc.slo, doc.price))].join('\n\n');
}
