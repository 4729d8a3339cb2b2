/**
 * The tune report: one self-contained HTML file (inline CSS and SVG, no script, no network) with the
 * latency-vs-load curve, the SLO line and the knee, throughput, the simulated replicas against traffic,
 * and the recommendation with where each number came from.
 */
import type { TuneResult } from '../../tune/result.js';
import type { Sourced } from '../../tune/types.js';
import type { Proof, SimulationSummary } from '../../tune/prove.js';
import type { Recommendation } from '../../tune/recommend.js';
import { escapeXml as esc, renderLineChart } from './svg-chart.js';
import { describeConfirmation } from '../../tune/format-text.js';
import { costOf, formatMoney } from '../../tune/cost.js';
import type { CostSpec } from '../../spec/types.js';
import { renderVerification } from './verification-section.js';

const COLORS = { p50: '#4c78a8', p95: '#e45756', p99: '#b279a2', slo: '#d62728', knee: '#f58518', capacity: '#54a24b', traffic: '#4c78a8', rec: '#54a24b', cur: '#9d755d' };

export function renderTuneReport(result: TuneResult): string {
  const pct = result.slo.percentile;
  const sim = result.simulation;
  const rec = result.recommendation;
  const price = result.cost?.price;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mdl tune — ${esc(result.target.url)}</title>
<style>
${STYLE}
</style>
</head>
<body>
<h1>Capacity and autoscaling: ${esc(result.target.url)}</h1>
<p class="meta">runtime ${esc(result.target.runtime)} · SLO ${pct} &lt; ${result.slo.latencyMs} ms, errors ≤ ${(result.slo.errorRate * 100).toFixed(2)} % (${result.slo.source}) · ${result.replicas} replica(s) under test · search on ${result.axis} · ${result.search.cost.steps} steps, ${fmt(result.search.cost.loadSeconds)} s under load · ${esc(result.startedAt)}${result.interrupted ? ' · <strong>interrupted</strong>' : ''}</p>
<h2>Capacity</h2>
<p>${capacitySummary(result)}</p>
<div class="charts">
${latencyChart(result)}
${throughputChart(result)}
</div>
<h2>Recommendation</h2>
${rec ? `<table><thead><tr><th>setting</th><th>value</th><th>source</th><th>how</th></tr></thead><tbody>\n${recommendationRows(rec)}\n</tbody></table>` : '<p class="missing">No recommendation: no capacity was found.</p>'}
<h2>Simulation</h2>
<div class="charts">${simulationChart(sim)}</div>
${sim ? `<table><thead><tr><th>settings</th><th>seconds over SLO</th><th>replica-hours</th><th>peak replicas</th>${costHeader(price)}</tr></thead><tbody>\n${simulationRows(sim, price)}\n</tbody></table><p class="meta">Budget: ${fmt(sim.budgetSeconds)} s over the SLO <span class="src simulated">simulated</span>. ${sim.passed ? 'Chosen' : '<strong>No setting passes.</strong> Shown'}: ${esc(sim.reason)}.</p>
${costLine(result.cost)}
<h3>Settings tried</h3>
${candidateTable(sim, price)}` : ''}
${renderVerification(result.verification)}
<h2>Measured steps</h2>
<table><thead><tr><th>level</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>errors</th><th>completed/s</th><th>result</th><th>ended</th><th>windows</th><th>phase</th></tr></thead><tbody>
${stepRows(result.search.curve)}
</tbody></table>
${result.notes.length ? `<h2>Notes</h2><ul class="notes">${result.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
</body>
</html>
`;
}

const STYLE = `body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 980px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f6f6f6; }
tr.fail td { color: #a33; }
.src { font-size: 11px; padding: 1px 6px; border-radius: 8px; background: #eef; color: #335; white-space: nowrap; }
.src.measured { background: #e6f4ea; color: #1e6b34; } .src.simulated { background: #fff3e0; color: #8a4b00; } .src.spec { background: #ede7f6; color: #4a2a80; }
.charts svg { display: block; margin: 12px 0; max-width: 100%; height: auto; }
.missing { color: #777; font-style: italic; }
code { font-size: 12px; word-break: break-all; }
ul.notes li { margin: 4px 0; }`;

function loadUnit(result: TuneResult): string {
  return result.axis === 'concurrency' ? 'in-flight requests per replica' : 'requests/s offered per replica';
}

/** The capacity paragraph: the highest level meeting the SLO, its confirmation, the knee and the cold start. */
function capacitySummary(result: TuneResult): string {
  if (result.search.capacityLevel === null) return 'No level met the SLO.';
  const confirmation = describeConfirmation(result.search);
  return (
    `Highest ${result.axis === 'concurrency' ? 'concurrency' : 'rate'} per replica meeting the SLO: <strong>${fmt(result.search.capacityLevel)}</strong>${result.search.limitedByMaxLevel ? ' (or more: the search stopped at its maximum)' : ''}, serving <strong>${fmt(result.search.capacityPerSecond ?? 0)}</strong> requests/s per replica <span class="src measured">measured</span>.` +
    (confirmation ? ` Answer ${esc(confirmation)} <span class="src measured">measured</span>.` : ' <strong>Not confirmed by a longer hold.</strong>') +
    (result.knee ? ` Knee of the curve at ${fmt(result.knee.level)} <span class="src">derived</span>.` : '') +
    (result.coldStartMs ? ` Cold start ${fmt(result.coldStartMs.value / 1000)} s <span class="src ${result.coldStartMs.source}">${result.coldStartMs.source}</span>.` : '')
  );
}

function latencyChart(result: TuneResult): string {
  const curve = result.search.curve;
  const pct = result.slo.percentile;
  return renderLineChart({
    title: `Latency vs load (${pct} SLO ${result.slo.latencyMs} ms)`,
    xLabel: loadUnit(result),
    yLabel: 'latency (ms)',
    yMax: Math.max(result.slo.latencyMs * 3, ...curve.filter((p) => p.passed).map((p) => p.latencyMs.p99)),
    series: [
      { name: 'p50', color: COLORS.p50, dots: true, points: curve.map((p) => [p.level, p.latencyMs.p50] as const) },
      { name: 'p95', color: COLORS.p95, dots: true, points: curve.map((p) => [p.level, p.latencyMs.p95] as const) },
      { name: 'p99', color: COLORS.p99, dots: true, dashed: true, points: curve.map((p) => [p.level, p.latencyMs.p99] as const) },
    ],
    hLines: [{ value: result.slo.latencyMs, label: `SLO ${pct} < ${result.slo.latencyMs} ms`, color: COLORS.slo }],
    vLines: [
      ...(result.knee ? [{ value: result.knee.level, label: `knee ${fmt(result.knee.level)}`, color: COLORS.knee }] : []),
      ...(result.search.capacityLevel !== null ? [{ value: result.search.capacityLevel, label: `capacity ${fmt(result.search.capacityLevel)}`, color: COLORS.capacity }] : []),
    ],
  });
}

function throughputChart(result: TuneResult): string {
  const curve = result.search.curve;
  return renderLineChart({
    title: 'Throughput vs load',
    xLabel: loadUnit(result),
    yLabel: 'completed requests/s per replica',
    series: [
      { name: 'completed', color: COLORS.capacity, dots: true, points: curve.map((p) => [p.level, p.completedPerSecond] as const) },
      ...(result.axis === 'rate' ? [{ name: 'offered', color: '#999', dashed: true, points: curve.map((p) => [p.level, p.level] as const) }] : []),
    ],
    vLines: result.search.capacityLevel !== null ? [{ value: result.search.capacityLevel, label: 'capacity', color: COLORS.capacity }] : [],
  });
}

function simulationChart(sim: Proof | null): string {
  if (!sim) return '<p class="missing">No simulation in this result (see notes).</p>';
  return renderLineChart({
    title: 'Simulated replicas vs traffic',
    xLabel: 'time (minutes)',
    yLabel: 'traffic (requests/s)',
    y2Label: 'replicas',
    series: [
      { name: 'traffic', color: COLORS.traffic, points: sim.recommended.series.map((p) => [p.second / 60, p.trafficPerSecond] as const) },
      { name: 'replicas, recommended', color: COLORS.rec, right: true, step: true, points: sim.recommended.series.map((p) => [p.second / 60, p.replicas] as const) },
      ...(sim.current
        ? [{ name: 'replicas, current', color: COLORS.cur, right: true, step: true, dashed: true, points: sim.current.series.map((p) => [p.second / 60, p.replicas] as const) }]
        : []),
    ],
  });
}

function recommendationRows(rec: Recommendation): string {
  return [
    row('metric', `${rec.metric.kind}${rec.metric.prometheusMetric ? ` (${rec.metric.prometheusMetric})` : ''}`, 'derived', rec.metric.why),
    sourcedRow('capacity per replica', rec.capacityPerReplica),
    sourcedRow('target per replica', rec.target),
    sourcedRow('minReplicas', rec.minReplicas),
    sourcedRow('maxReplicas', rec.maxReplicas),
    sourcedRow('scale-up lag (s)', rec.headroom.scaleUpLagSeconds),
    sourcedRow('traffic growth (req/s per s)', rec.headroom.growthPerSecond),
    sourcedRow('lag headroom', rec.headroom.lagFraction),
    sourcedRow('noise headroom', rec.headroom.noiseFraction),
    row('scale-up', policies(rec.behavior.scaleUp.policies), 'derived', rec.behavior.scaleUp.note),
    sourcedRow('scale-down stabilization (s)', rec.behavior.scaleDown.stabilizationWindowSeconds),
    row('HPA metric', `<code>${esc(JSON.stringify(rec.hpaMetric))}</code>`, 'derived', 'autoscaling/v2 spec.metrics[]', true),
  ].join('\n');
}

function simulationRows(sim: Proof, price: CostSpec | undefined): string {
  return [
    simRow(sim.passed ? 'recommended (chosen)' : 'best found — over budget', sim.recommended, price),
    ...(sim.chosen.origin !== 'derived' ? [simRow('derived by formula', sim.derived, price)] : []),
    ...(sim.current ? [simRow('current (spec)', sim.current, price)] : []),
  ].join('\n');
}

function costLine(cost: TuneResult['cost']): string {
  if (!cost) return '';
  const money = (amount: number) => esc(formatMoney(amount, cost.price.currency));
  return `<p class="meta cost">Cost: ${money(cost.price.perReplicaHour)} per replica-hour (${esc(cost.price.source)}); the chosen setting costs ${money(cost.chosen.amount)} over the ${fmt(cost.profileHours * 60)}-minute profile, of which its floor of ${cost.chosen.idle.minReplicas} replicas during ${fmt(cost.chosen.idle.quietHours * 60)} quiet minutes is ${money(cost.chosen.idle.amount)}.${tokensCost(cost, money)}</p>`;
}

function tokensCost(cost: NonNullable<TuneResult['cost']>, money: (amount: number) => string): string {
  if (cost.perMillionOutputTokens === null) return '';
  return ` At the measured capacity one replica streams a million output tokens for ${money(cost.perMillionOutputTokens)}.`;
}

function stepRows(curve: TuneResult['search']['curve']): string {
  return curve
    .map(
      (p) =>
        `<tr class="${p.passed ? 'pass' : 'fail'}"><td>${fmt(p.level)}</td>${p.answered === 0 ? '<td colspan="3">no answers</td>' : `<td>${fmt(p.latencyMs.p50)}</td><td>${fmt(p.latencyMs.p95)}</td><td>${fmt(p.latencyMs.p99)}</td>`}<td>${(p.errorRate * 100).toFixed(2)} %</td><td>${fmt(p.completedPerSecond)}</td><td>${p.passed ? 'pass' : 'fail'}</td><td>${p.ended}</td><td>${p.windows}</td><td>${p.phase}</td></tr>`,
    )
    .join('\n');
}

function row(name: string, value: string, source: string, how: string, rawValue = false): string {
  return `<tr><td>${esc(name)}</td><td>${rawValue ? value : esc(value)}</td><td><span class="src ${esc(source)}">${esc(source)}</span></td><td>${esc(how)}</td></tr>`;
}

function sourcedRow(name: string, s: Sourced<number>): string {
  return row(name, fmt(s.value), s.source, s.note);
}

function simRow(name: string, s: Omit<SimulationSummary, 'series'>, price: CostSpec | undefined): string {
  return `<tr><td>${esc(name)}</td><td>${fmt(s.secondsOverSlo)}</td><td>${fmt(s.replicaHours)}</td><td>${s.peakReplicas}</td>${costCell(s.replicaHours, price)}</tr>`;
}

function costHeader(price: CostSpec | undefined): string {
  return price ? `<th>cost (${esc(price.currency)})</th>` : '';
}

function costCell(replicaHours: number, price: CostSpec | undefined): string {
  return price ? `<td>${esc(formatMoney(costOf(replicaHours, price).amount, price.currency))}</td>` : '';
}

const CANDIDATE_ROWS = 12;

/** The chosen setting, the derived one, then the cheapest others within budget, then the closest misses. */
function candidateTable(sim: Proof, price: CostSpec | undefined): string {
  const rest = sim.candidates.filter((c) => c !== sim.chosen && c.origin !== 'derived');
  const within = rest.filter((c) => c.withinBudget).sort((a, b) => a.summary.replicaHours - b.summary.replicaHours);
  const over = rest.filter((c) => !c.withinBudget).sort((a, b) => a.summary.secondsOverSlo - b.summary.secondsOverSlo);
  const derived = sim.candidates.find((c) => c.origin === 'derived' && c !== sim.chosen);
  const shown = [sim.chosen, ...(derived ? [derived] : []), ...within, ...over].slice(0, CANDIDATE_ROWS);
  const rows = shown
    .map((c) => {
      const s = c.settings;
      const verdict = c === sim.chosen ? (sim.passed ? 'chosen' : 'best found') : c.withinBudget ? 'within budget, costlier' : 'over budget';
      return `<tr class="${c.withinBudget ? 'pass' : 'fail'}"><td>${esc(c.label)}</td><td>${fmt(s.target)}</td><td>${s.minReplicas}–${s.maxReplicas}</td><td>${esc(policies(s.scaleUp.policies))}</td><td>${fmt(c.summary.secondsOverSlo)}</td><td>${fmt(c.summary.replicaHours)}</td>${costCell(c.summary.replicaHours, price)}<td>${verdict}</td></tr>`;
    })
    .join('\n');
  return `<table><thead><tr><th>candidate</th><th>target</th><th>replicas</th><th>scale-up</th><th>s over SLO</th><th>replica-hours</th>${costHeader(price)}<th>verdict</th></tr></thead><tbody>\n${rows}\n</tbody></table><p class="meta">${shown.length} of ${sim.candidates.length} settings simulated.</p>`;
}

function policies(ps: ReadonlyArray<{ type: string; value: number; periodSeconds: number }>): string {
  return ps.map((p) => `${p.type} ${p.value}${p.type === 'Percent' ? ' %' : ''} / ${p.periodSeconds} s`).join(', ');
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  return x.toFixed(Math.abs(x) < 10 ? 2 : 1);
}
