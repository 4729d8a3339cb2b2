/** The human summary of a finished load test (stderr), and the Markdown step summary for GitHub. */
import type { LatencySummary, LoadResult, ThresholdOutcome } from '../load/types.js';

function n(x: number): string {
  return x >= 100 ? String(Math.round(x)) : String(Math.round(x * 100) / 100);
}

function latencyLine(label: string, l: LatencySummary): string {
  return `${label.padEnd(14)} p50 ${n(l.p50)} · p90 ${n(l.p90)} · p95 ${n(l.p95)} · p99 ${n(l.p99)} · p99.9 ${n(l.p999)} · max ${n(l.max)} ms`;
}

export function formatThresholdValue(t: Pick<ThresholdOutcome, 'unit'>, value: number | null): string {
  if (value === null) return 'no data';
  if (t.unit === 'ratio') return `${n(value * 100)}%`;
  if (t.unit === 'perSecond') return `${n(value)}/s`;
  return `${n(value)} ms`;
}

export function describeMode(r: LoadResult): string {
  const m = r.mode;
  if (m.kind === 'rate') return `open loop, ${m.arrival} ${n(m.ratePerSecond)}/s`;
  if (m.kind === 'stages') return `open loop, ${m.arrival} stages ${m.stages.map((s) => `${Math.round(s.durationMs / 1000)}s:${n(s.targetPerSecond)}`).join(',')}`;
  return `closed loop, concurrency ${m.concurrency}`;
}

export function formatSummary(r: LoadResult): string {
  const lines: string[] = [];
  lines.push(`${r.interrupted ? 'Interrupted: ' : ''}${r.target.method} ${r.target.url} (${r.target.protocol}) — ${describeMode(r)}`);
  lines.push(
    `duration ${n(r.durationMs / 1000)} s${r.warmupMs ? ` after ${n(r.warmupMs / 1000)} s warm-up` : ''} · sent ${r.requests.sent} · ok ${r.requests.completed} · failed ${r.requests.failed} · dropped ${r.requests.dropped}`,
  );
  lines.push(
    `throughput ${n(r.throughput.completedPerSecond)}/s completed · ${n(r.throughput.sentPerSecond)}/s sent${r.throughput.targetPerSecond !== null ? ` (target ${n(r.throughput.targetPerSecond)}/s)` : ''}`,
  );
  lines.push(latencyLine('latency', r.latencyMs));
  lines.push(latencyLine('service time', r.serviceTimeMs));
  if (r.llm) {
    lines.push(latencyLine('TTFT', r.llm.ttftMs));
    lines.push(latencyLine('ITL', r.llm.itlMs));
    lines.push(latencyLine('TPOT', r.llm.tpotMs));
    lines.push(
      `output ${n(r.llm.outputTokensPerSecond)} tokens/s${r.llm.tokenCountsApproximate ? ' (approximate: counted chunks, no usage chunk)' : ''} · goodput ${n(r.llm.goodputPerSecond)} req/s`,
    );
  }
  const errors = Object.entries(r.errors);
  if (errors.length) lines.push(`errors ${errors.map(([k, v]) => `${k} ${v}`).join(' · ')}`);
  for (const t of r.thresholds) {
    lines.push(`${t.passed ? '✓' : '✗'} ${t.expression} — observed ${formatThresholdValue(t, t.observed)}`);
  }
  return lines.join('\n');
}

export function formatMarkdownSummary(r: LoadResult): string {
  const l = r.latencyMs;
  const rows = [
    `### mdl loadtest: ${r.target.method} ${r.target.url}`,
    '',
    `${describeMode(r)} · ${n(r.durationMs / 1000)} s · ${n(r.throughput.completedPerSecond)} req/s completed${r.interrupted ? ' · **interrupted**' : ''}`,
    '',
    '| sent | ok | failed | dropped | p50 ms | p95 ms | p99 ms | max ms |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${r.requests.sent} | ${r.requests.completed} | ${r.requests.failed} | ${r.requests.dropped} | ${n(l.p50)} | ${n(l.p95)} | ${n(l.p99)} | ${n(l.max)} |`,
  ];
  if (r.llm) {
    rows.push('', `TTFT p50 ${n(r.llm.ttftMs.p50)} ms · p99 ${n(r.llm.ttftMs.p99)} ms · TPOT p50 ${n(r.llm.tpotMs.p50)} ms · ${n(r.llm.outputTokensPerSecond)} tokens/s · goodput ${n(r.llm.goodputPerSecond)} req/s`);
  }
  if (r.thresholds.length) {
    rows.push('', '| threshold | observed | result |', '| --- | ---: | --- |');
    for (const t of r.thresholds) rows.push(`| \`${t.expression}\` | ${formatThresholdValue(t, t.observed)} | ${t.passed ? '✅ passed' : '❌ failed'} |`);
  }
  return `${rows.join('\n')}\n`;
}
