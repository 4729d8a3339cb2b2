/**
 * The tune report's verification section: each replayed setting's measured replicas and latency over time
 * drawn on the same axes as the simulated ones, the two summaries side by side, and where they differ.
 */
import type { ReplayDocument, ReplayRun, ReplaySummary } from '../../replay/types.js';
import { escapeXml as esc, renderLineChart } from './svg-chart.js';

const COLORS = { traffic: '#bbb', measured: '#e45756', measuredReady: '#f2a7a6', simulated: '#4c78a8', simulatedReady: '#9ecae9', slo: '#d62728' };

function runCharts(run: ReplayRun, doc: ReplayDocument): string {
  const m = run.measured.seconds;
  const s = run.simulated.seconds;
  const replicas = renderLineChart({
    title: `${run.label}: replicas, measured vs simulated`,
    xLabel: 'time (s)',
    yLabel: 'offered (requests/s)',
    y2Label: 'replicas',
    series: [
      { name: 'offered', color: COLORS.traffic, points: m.map((x) => [x.second, x.offeredPerSecond] as const) },
      { name: 'measured replicas', color: COLORS.measured, right: true, step: true, points: m.map((x) => [x.second, x.desired] as const) },
      { name: 'measured ready', color: COLORS.measuredReady, right: true, step: true, dashed: true, points: m.map((x) => [x.second, x.ready] as const) },
      { name: 'simulated replicas', color: COLORS.simulated, right: true, step: true, points: s.map((x) => [x.second, x.desired] as const) },
      { name: 'simulated ready', color: COLORS.simulatedReady, right: true, step: true, dashed: true, points: s.map((x) => [x.second, x.ready] as const) },
    ],
  });
  const slo = doc.slo.latencyMs;
  // Past a few SLOs the exact height of a stalled second tells nothing more; keep the SLO band readable.
  const cap = slo * 4;
  const latency = renderLineChart({
    title: `${run.label}: latency per second (${doc.slo.percentile}), measured vs simulated`,
    xLabel: 'time (s)',
    yLabel: 'latency (ms)',
    yMax: cap,
    series: [
      { name: `measured ${doc.slo.percentile}`, color: COLORS.measured, points: m.filter((x) => x.p95Ms !== null).map((x) => [x.second, Math.min(cap, (doc.slo.percentile === 'p99' ? x.p99Ms : doc.slo.percentile === 'p50' ? x.p50Ms : x.p95Ms) ?? 0)] as const) },
      { name: 'simulated', color: COLORS.simulated, points: s.map((x) => [x.second, Math.min(cap, x.latencyMs)] as const) },
    ],
    hLines: [{ value: slo, label: `SLO ${doc.slo.percentile} < ${slo} ms`, color: COLORS.slo }],
  });
  return `${replicas}\n${latency}`;
}

function cell(v: number | null, unit = ''): string {
  return v === null ? '–' : `${Math.round(v * 10) / 10}${unit}`;
}

function summaryRows(m: ReplaySummary, s: ReplaySummary): string {
  const rows: Array<[string, string, string]> = [
    ['seconds over the SLO', cell(m.secondsOverSlo, ' s'), cell(s.secondsOverSlo, ' s')],
    ['replica-seconds', cell(m.replicaSeconds), cell(s.replicaSeconds)],
    ['peak replicas', cell(m.peakReplicas), cell(s.peakReplicas)],
    ['scale-up decision after the ramp', cell(m.scaleUpDecisionS, ' s'), cell(s.scaleUpDecisionS, ' s')],
    ['first added replica ready', cell(m.scaleUpReadyS, ' s'), cell(s.scaleUpReadyS, ' s')],
  ];
  return rows.map(([a, b, c]) => `<tr><td>${esc(a)}</td><td>${esc(b)}</td><td>${esc(c)}</td></tr>`).join('\n');
}

export function renderVerification(doc: ReplayDocument | null | undefined): string {
  if (!doc) return '';
  const runs = doc.runs
    .map((run) => {
      const st = run.settings;
      const diffs = run.differences.length
        ? `<ul class="notes">${run.differences.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>`
        : '<p class="meta">Simulation and runtime agree within the bounds.</p>';
      return `<h3>${esc(run.label)}: ${esc(st.metric)} target ${st.target}, ${st.minReplicas}–${st.maxReplicas} replicas${run.measured.interrupted ? ' (interrupted)' : ''}</h3>
<div class="charts">
${runCharts(run, doc)}
</div>
<table><thead><tr><th></th><th>measured <span class="src measured">measured</span></th><th>simulated <span class="src simulated">simulated</span></th></tr></thead><tbody>
${summaryRows(run.measured.summary, run.simulated.summary)}
</tbody></table>
${diffs}`;
    })
    .join('\n');
  return `<h2>Verification by replay</h2>
<p class="meta">${esc(doc.profile.source)}, peak ${doc.profile.peakPerSecond}/s, Poisson arrivals, played against the local runtime (the one mdl dev runs) with each setting; simulated with the same profile, settings, measured capacity and cold start, and the runtime's lag chain (metric over the sync period, read at the sync).${doc.interrupted ? ' <strong>Interrupted</strong>: what was measured until then.' : ''}</p>
${runs}`;
}
