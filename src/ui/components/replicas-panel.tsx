import { Box, Text } from 'ink';
import { sparkline } from '../chart.js';
import { formatClock, formatSpan } from '../load-state.js';
import { scaleUpLag, type ScalingView } from '../scaling-state.js';
import { T } from '../theme.js';
import { GUTTER, Section, SectionTitle } from './section.js';

export interface ReplicasPanelProps {
  scaling: ScalingView;
  /** Desired/ready per column, on the same axis as the latency chart in a load test; omit for no chart. */
  history?: { desired: ReadonlyArray<number | undefined>; ready: ReadonlyArray<number | undefined> };
  /** Wall time of second 0, to show scaling events on the run's clock. */
  startedAtMs?: number | undefined;
  /** Wall time "now" (the newest event or snapshot), for "waiting 12s". */
  nowMs?: number | undefined;
  width: number;
  /** How many scaling events to list. */
  maxEvents?: number;
}

/** Replicas desired/ready over time, the autoscaler's metric against its target, scaling events and their lag. */
export function ReplicasPanel({ scaling, history, startedAtMs, nowMs, width, maxEvents = 2 }: ReplicasPanelProps) {
  if (!scaling.known) {
    return (
      <Text wrap="truncate-end">
        <SectionTitle title="Replicas" />
        <T role="muted">not reported: the target is not served by mdl dev or watched in a cluster</T>
      </Text>
    );
  }
  const chartWidth = width - GUTTER;
  const desired = history?.desired ?? [];
  const ready = history?.ready ?? [];
  const max = Math.max(1, scaling.maxReplicas ?? 0, ...desired.map((v) => v ?? 0), ...ready.map((v) => v ?? 0));
  const metric = scaling.metric;
  const lag = scaleUpLag(scaling);
  const at = (t: number) => (startedAtMs !== undefined ? formatClock(t - startedAtMs) : new Date(t).toISOString().slice(11, 19));
  const summary = (
    <>
      <T role="ready">ready {scaling.ready ?? '–'}</T>
      <T role="desired">/{scaling.desired ?? '–'}</T>
      {scaling.minReplicas !== undefined && scaling.maxReplicas !== undefined ? (
        <T role="muted">
          {' '}
          ({scaling.minReplicas}–{scaling.maxReplicas})
        </T>
      ) : null}
      {metric ? (
        <>
          <T> · {metric.name} </T>
          <T
            role={metric.current === null ? 'warn' : metric.current > metric.target ? 'warn' : 'ok'}
            bold
          >
            {metric.current === null ? '<unknown>' : `${round(metric.current)}${metric.unit}`}
          </T>
          <T>
            {' '}
            / {round(metric.target)}
            {metric.unit}
          </T>
        </>
      ) : null}
      {lag.worstMs !== undefined ? <T> · scale-up lag {formatSpan(lag.worstMs)}</T> : null}
    </>
  );
  const events = scaling.events.slice(-maxEvents);
  return (
    <Section title="Replicas" width={width} summary={summary}>
      <Box flexDirection="column">
        {history ? (
          <>
            <Text wrap="truncate-end">
              <T role="muted">{'desired'.padStart(GUTTER - 2)} ┤</T>
              <T role="desired">{sparkline(desired, chartWidth, max)}</T>
            </Text>
            <Text wrap="truncate-end">
              <T role="muted">{'ready'.padStart(GUTTER - 2)} ┤</T>
              <T role="ready">{sparkline(ready, chartWidth, max)}</T>
            </Text>
          </>
        ) : null}
        {events.length === 0 ? (
          <Text wrap="truncate-end">
            <T role="muted">{' '.repeat(GUTTER)}no scaling events yet</T>
          </Text>
        ) : (
          events.map((e) => (
            <Text key={e.timestampMs} wrap="truncate-end">
              <T role="muted">{at(e.timestampMs).padStart(GUTTER - 2)}  </T>
              <T role={e.toReplicas > e.fromReplicas ? 'accent' : undefined}>
                {e.toReplicas > e.fromReplicas ? 'scale up' : 'scale down'} {e.fromReplicas}→{e.toReplicas}
              </T>
              {e.toReplicas > e.fromReplicas ? (
                e.readyAfterMs !== undefined ? (
                  <T> · ready after {formatSpan(e.readyAfterMs)}</T>
                ) : (
                  <T role="warn"> · waiting for ready{nowMs !== undefined ? ` (${formatSpan(Math.max(0, nowMs - e.timestampMs))})` : ''}</T>
                )
              ) : null}
              {e.reason ? <T role="muted"> · {e.reason}</T> : null}
            </Text>
          ))
        )}
      </Box>
    </Section>
  );
}

function round(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(v >= 10 ? 0 : 1);
}
