import { Box, Text } from 'ink';
import { sparkline } from '../chart.js';
import type { DevViewState } from '../dev-state.js';
import { formatMs, formatRate } from '../load-state.js';
import type { PodView } from '../scaling-state.js';
import { T, type Role } from '../theme.js';
import { ReplicasPanel } from './replicas-panel.js';
import { GUTTER, Section } from './section.js';

const PHASE_ROLE: Record<PodView['phase'], Role> = { pending: 'warn', starting: 'accent', ready: 'ok', terminating: 'muted', failed: 'bad' };

export interface DevViewProps {
  state: DevViewState;
  columns: number;
  keys?: boolean;
}

/** `mdl dev`: the URL, replicas over time with the autoscaler's metric and scaling events, traffic, each replica. */
export function DevView({ state, columns, keys = false }: DevViewProps) {
  const width = Math.max(40, columns - 1);
  const w = state.watch;
  const nowMs = w.scaling.lastEventMs;
  const t = state.traffic;
  const rates = state.rateHistory;
  const trafficSummary = t ? (
    <>
      <T bold>{formatRate(t.ratePerSecond)} req/s</T>
      <T> · {t.inFlight} in flight</T>
      {t.queued > 0 ? <T role="warn"> · {t.queued} queued</T> : null}
      <T> · p50 {formatMs(t.p50Ms)} · p95 {formatMs(t.p95Ms)} ms</T>
      <T role="muted"> · {t.requestsTotal} req</T>
      <T role={t.errorsTotal > 0 ? 'bad' : 'muted'}>, {t.errorsTotal} err</T>
    </>
  ) : (
    <T role="muted">no status yet</T>
  );
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <T role="accent" bold>
          mdl dev
        </T>
        <T> {w.title} </T>
        {state.url ? <T role="ok">{state.url}</T> : <T role="muted">starting…</T>}
      </Text>
      <ReplicasPanel scaling={w.scaling} history={w.history} startedAtMs={w.startedAtMs} nowMs={nowMs} width={width} maxEvents={3} />
      <Section title="Traffic" width={width} summary={trafficSummary}>
        {t ? (
          <Text wrap="truncate-end">
            <T role="muted">{'req/s'.padStart(GUTTER - 2)} ┤</T>
            <T role="accent">{sparkline(rates, width - GUTTER, Math.max(1, ...rates.slice(-(width - GUTTER))))}</T>
          </Text>
        ) : null}
      </Section>
      {w.scaling.pods.length > 0 ? (
        <Text wrap="truncate-end">
          <T role="muted">{'replicas'.padStart(GUTTER - 2)}  </T>
          {w.scaling.pods.map((p, i) => (
            <T key={p.name} role={PHASE_ROLE[p.phase]}>
              {i > 0 ? ' · ' : ''}
              {p.name} {p.phase}
            </T>
          ))}
        </Text>
      ) : null}
      {state.output.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          <T role="muted">{line}</T>
        </Text>
      ))}
      {state.phase === 'stopping' ? (
        <Text>
          <T role="warn">draining and stopping replicas…</T>
        </Text>
      ) : state.phase === 'stopped' ? (
        <Text>
          <T role="muted">stopped</T>
        </Text>
      ) : keys ? (
        <Text>
          <T role="muted">q stop · status: {state.url ? `${state.url}/.mdl/status` : '–'}</T>
        </Text>
      ) : null}
    </Box>
  );
}
