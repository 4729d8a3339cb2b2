import { Text } from 'ink';
import { sparkline } from '../chart.js';
import { formatRate, type LoadViewState } from '../load-state.js';
import { T } from '../theme.js';
import { GUTTER, Section } from './section.js';

/** Sent (against the target) and completed requests per second over the run, dropped and in flight. */
export function ThroughputPanel({ state, width }: { state: LoadViewState; width: number }) {
  const last = state.last;
  const chartWidth = width - GUTTER;
  const targets = state.series.map((p) => p.targetPerSecond);
  const completed = state.series.map((p) => p.completedPerSecond);
  const sent = state.series.map((p) => p.sentPerSecond);
  const max = Math.max(0, ...targets.slice(-chartWidth).map((v) => v ?? 0), ...sent.slice(-chartWidth), ...completed.slice(-chartWidth));
  const hasTarget = targets.some((t) => t !== undefined);
  const summary = (
    <>
      <T>sent </T>
      <T bold>{last ? formatRate(last.sentPerSecond) : '–'}/s</T>
      {last?.targetPerSecond !== undefined ? <T role="muted"> of {formatRate(last.targetPerSecond)}/s</T> : null}
      <T> · completed </T>
      <T bold>{last ? formatRate(last.completedPerSecond) : '–'}/s</T>
      <T> · dropped </T>
      <T role={state.totals.dropped > 0 ? 'warn' : undefined}>{state.totals.dropped}</T>
      <T> · in flight {last?.inFlight ?? 0}</T>
      <T role="muted"> · {state.totals.sent} sent</T>
    </>
  );
  return (
    <Section title="Throughput" width={width} summary={summary}>
      {hasTarget ? (
        <Text wrap="truncate-end">
          <T role="muted">{'target'.padStart(GUTTER - 2)} ┤</T>
          <T role="target">{sparkline(targets, chartWidth, max)}</T>
        </Text>
      ) : null}
      <Text wrap="truncate-end">
        <T role="muted">{'rps'.padStart(GUTTER - 2)} ┤</T>
        <T role="accent">{sparkline(completed, chartWidth, max)}</T>
      </Text>
    </Section>
  );
}
