/**
 * The human-readable lines of `mdl tune`: one per finished step while it runs, then the recommendation with
 * where every number came from. Pure text.
 */
import type { TuneEvent } from './run-tune.js';
import type { TuneResult } from './result.js';
import type { CapacityResult, Sourced } from './types.js';
import { costOf, formatMoney } from './cost.js';

const n = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(Math.abs(x) < 10 ? 2 : 1));

export function formatTuneEvent(event: TuneEvent, percentile: string): string | null {
  switch (event.type) {
    case 'phase':
      return `» ${event.message}`;
    case 'step-end': {
      const p = event.point;
      const b = event.bracket;
      return (
        `  ${p.phase.padEnd(7)} ${p.axis} ${n(p.level).padStart(7)}: ${p.answered === 0 ? 'no answers' : `${percentile} ${n(p.latencyMs[percentileKey(percentile)])} ms`}, ` +
        `${n(p.completedPerSecond)}/s, errors ${(p.errorRate * 100).toFixed(2)} % — ${p.passed ? 'pass' : 'FAIL'} (${p.ended}, ${p.windows} windows)` +
        `  bracket [${b.lo ?? '–'}, ${b.hi ?? '–'}]`
      );
    }
    case 'probe-end': {
      const p = event.probe;
      return (
        `  probe   concurrency ${String(p.concurrency).padStart(7)}: mean ${n(p.meanLatencyMs)} ms, ${n(p.completedPerSecond)}/s — ` +
        (p.saturated ? 'saturation throughput' : 'not saturated (too few clients), not used')
      );
    }
    default:
      return null;
  }
}

function percentileKey(p: string): 'p50' | 'p90' | 'p95' | 'p99' {
  return (['p50', 'p90', 'p95', 'p99'] as const).find((k) => k === p) ?? 'p95';
}

/**
 * The answer's confidence, one sentence for the text and the report: the fresh, longer hold that
 * confirmed it and the spread of its windows' SLO percentile. Null when nothing was confirmed.
 */
export function describeConfirmation(search: CapacityResult): string | null {
  const c = search.confirmation;
  if (!c?.passed || !c.spread) return null;
  const unit = search.axis === 'concurrency' ? ' in flight' : '/s';
  const p = search.slo.percentile;
  const half = Math.round((c.spread.relative / 2) * 1000) / 10;
  return (
    `confirmed by a fresh ${n(c.loadSeconds)} s hold at ${n(c.level)}${unit}: ${p} ${n(c.latencyMs[p])} ms, ` +
    `its ${c.spread.windows} windows ${n(c.spread.minMs)}–${n(c.spread.maxMs)} ms (±${half} %)` +
    (c.marginMs !== undefined ? `, within the SLO with a fresh run's margin of ${n(c.marginMs)} ms` : '') +
    ', no growing backlog'
  );
}

const src = (s: Sourced<number>, unit = '') => `${n(s.value)}${unit} [${s.source}: ${s.note}]`;

export function formatTuneResult(r: TuneResult): string {
  const lines: string[] = [];
  const axisUnit = r.axis === 'concurrency' ? 'in flight' : 'req/s offered';
  lines.push('');
  lines.push(`Capacity per replica (${r.slo.percentile} < ${r.slo.latencyMs} ms, errors ≤ ${(r.slo.errorRate * 100).toFixed(2)} %, ${r.slo.source}):`);
  if (r.capacityPerReplica) {
    lines.push(`  ${src(r.capacityPerReplica.level, ` ${axisUnit}`)}`);
    lines.push(`  ${src(r.capacityPerReplica.perSecond, ' req/s')}`);
    if (r.capacityPerReplica.outputTokensPerSecond) lines.push(`  ${src(r.capacityPerReplica.outputTokensPerSecond, ' output tokens/s')}`);
  } else {
    lines.push('  none: no level met the SLO');
  }
  const confirmed = describeConfirmation(r.search);
  if (confirmed) lines.push(`  ${confirmed} [measured]`);
  else if (r.capacityPerReplica) lines.push('  not confirmed by a longer hold (interrupted, or the search ran out of steps)');
  if (r.knee) lines.push(`  knee of the latency curve at ${n(r.knee.level)} ${axisUnit} [derived: Kneedle on ${r.slo.percentile}]`);
  if (r.coldStartMs) lines.push(`  cold start ${src({ ...r.coldStartMs, value: r.coldStartMs.value / 1000 }, ' s')}`);
  lines.push(`  search: ${r.search.cost.steps} steps, ${n(r.search.cost.loadSeconds)} s under load`);
  const rec = r.recommendation;
  if (rec) {
    lines.push('');
    lines.push(`Recommendation (${r.target.runtime}):`);
    lines.push(`  metric       ${rec.metric.kind}${rec.metric.prometheusMetric ? ` (${rec.metric.prometheusMetric})` : ''}: ${rec.metric.why}`);
    lines.push(`               alternative: ${rec.metric.alternative}`);
    lines.push(`  target       ${src(rec.target)}`);
    lines.push(`  minReplicas  ${src(rec.minReplicas)}`);
    lines.push(`  maxReplicas  ${src(rec.maxReplicas)}`);
    lines.push(`  scale-up     ${rec.behavior.scaleUp.policies.map((p) => `${p.type} ${p.value}/${p.periodSeconds}s`).join(', ')} [derived: ${rec.behavior.scaleUp.note}]`);
    lines.push(`  scale-down   stabilization ${src(rec.behavior.scaleDown.stabilizationWindowSeconds, ' s')}`);
    lines.push(`  headroom     lag ${src(rec.headroom.scaleUpLagSeconds, ' s')}; growth ${src(rec.headroom.growthPerSecond, ' req/s²')}`);
    lines.push(`  HPA metric   ${JSON.stringify(rec.hpaMetric)}`);
    if (rec.kedaTrigger) lines.push(`  KEDA trigger ${JSON.stringify(rec.kedaTrigger)}`);
  }
  const sim = r.simulation;
  if (sim) {
    lines.push('');
    lines.push(`Simulated over the spec's traffic (budget ${n(sim.budgetSeconds)} s over SLO, ${sim.candidates.length} settings tried) [simulated]:`);
    const price = r.cost?.price;
    lines.push(`  settings                         s over SLO  replica-hours  peak replicas${price ? `  ${`cost (${price.currency})`.padStart(12)}` : ''}`);
    const row = (name: string, s: { secondsOverSlo: number; replicaHours: number; peakReplicas: number }) =>
      `  ${name.padEnd(32)} ${n(s.secondsOverSlo).padStart(10)}  ${n(s.replicaHours).padStart(13)}  ${String(s.peakReplicas).padStart(13)}` +
      (price ? `  ${formatMoney(costOf(s.replicaHours, price).amount, price.currency).padStart(12)}` : '');
    lines.push(row(sim.passed ? 'recommended (chosen)' : 'best found (over budget)', sim.recommended));
    if (sim.chosen.origin !== 'derived') lines.push(row('derived by formula', sim.derived));
    if (sim.current) lines.push(row('current (spec)', sim.current));
    lines.push(`  why: ${sim.reason}`);
    if (r.cost) {
      const { price: p, chosen, profileHours } = r.cost;
      lines.push(`  cost: ${formatMoney(p.perReplicaHour, p.currency)} per replica-hour (${p.source}); ${formatMoney(chosen.amount, p.currency)} over the ${n(profileHours * 60)}-minute profile`);
      lines.push(`  idle: the floor of ${chosen.idle.minReplicas} replicas for ${n(chosen.idle.quietHours * 60)} quiet minutes costs ${formatMoney(chosen.idle.amount, p.currency)}`);
      const tokens = r.capacityPerReplica?.outputTokensPerSecond;
      if (r.cost.perMillionOutputTokens !== null && tokens) {
        lines.push(`  output tokens: ${formatMoney(r.cost.perMillionOutputTokens, p.currency)} per million at the measured capacity (${n(tokens.value)} tokens/s per replica)`);
      }
    }
    if (!sim.passed) lines.push(`  NO SETTING PASSES: every setting tried spends more than ${n(sim.budgetSeconds)} s over the SLO.`);
  }
  if (r.notes.length) {
    lines.push('');
    for (const note of r.notes) lines.push(`Note: ${note}`);
  }
  return lines.join('\n');
}
