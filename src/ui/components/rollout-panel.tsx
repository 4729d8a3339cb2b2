import { Box, Text } from 'ink';
import { progressBar } from '../chart.js';
import { formatSpan } from '../load-state.js';
import type { PodView, ScalingView } from '../scaling-state.js';
import { T, type Role } from '../theme.js';
import { Section } from './section.js';

const PHASE_ROLE: Record<PodView['phase'], Role> = { pending: 'warn', starting: 'accent', ready: 'ok', terminating: 'muted', failed: 'bad' };
const PHASE_MARK: Record<PodView['phase'], string> = { pending: '…', starting: '◐', ready: '✓', terminating: '↓', failed: '✗' };

export interface RolloutPanelProps {
  scaling: ScalingView;
  width: number;
  /** Wall time now (newest event), for "starting 12 s". */
  nowMs?: number | undefined;
  /** At most this many pods are listed; the rest are counted. */
  maxPods?: number;
}

/** A Deployment's rollout: updated/ready/available against desired, and each pod's progress. */
export function RolloutPanel({ scaling, width, nowMs, maxPods = 10 }: RolloutPanelProps) {
  const r = scaling.rollout;
  const desired = r?.desired ?? scaling.desired ?? 0;
  const summary = r ? (
    <>
      <T>
        {r.updated}/{desired} updated · {r.ready}/{desired} ready · {r.available} available
      </T>
      {r.failed ? <T role="bad"> · failed: {r.failed}</T> : r.done ? <T role="ok"> · done</T> : null}
    </>
  ) : (
    <T role="muted">waiting for the Deployment…</T>
  );
  const shown = scaling.pods.slice(0, maxPods);
  const nameWidth = Math.min(Math.max(10, ...shown.map((p) => p.name.length)), Math.floor(width / 2));
  return (
    <Section title={`Rollout${r ? ` ${r.name}` : ''}`} width={width} summary={summary}>
      <Box flexDirection="column">
        <Text wrap="truncate-end">
          <T role={r?.failed ? 'bad' : r?.done ? 'ok' : 'accent'}>{progressBar(desired > 0 && r ? r.ready / desired : 0, Math.max(10, width - 2))}</T>
        </Text>
        {shown.map((p) => (
          <Text key={p.name} wrap="truncate-end">
            <T role={PHASE_ROLE[p.phase]}>{PHASE_MARK[p.phase]} </T>
            <T>{p.name.padEnd(nameWidth)} </T>
            <T role={PHASE_ROLE[p.phase]}>{p.phase.padEnd(11)}</T>
            <T role="muted">{nowMs !== undefined ? formatSpan(Math.max(0, nowMs - p.sinceMs)).padStart(8) : ''}</T>
            {p.updated ? null : <T role="muted"> old revision</T>}
            {p.restarts > 0 ? <T role="warn"> · {p.restarts} restarts</T> : null}
            {p.message ? <T role={p.phase === 'failed' ? 'bad' : 'warn'}> · {p.message}</T> : null}
          </Text>
        ))}
        {scaling.pods.length > shown.length ? (
          <Text>
            <T role="muted">… {scaling.pods.length - shown.length} more pods</T>
          </Text>
        ) : null}
      </Box>
    </Section>
  );
}
