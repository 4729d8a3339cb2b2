import { Box, Text } from 'ink';
import { progressBar } from '../chart.js';
import { formatMs, formatRate } from '../load-state.js';
import { T } from '../theme.js';
import { Section } from './section.js';

export interface CapacityStep {
  /** The load level tried: requests per second or concurrency. */
  level: number;
  completedPerSecond?: number;
  /** The latency that the SLO is about (e.g. p95), in ms. */
  latencyMs?: number;
  errorRate?: number;
  /** Undefined while this level is being measured. */
  passed?: boolean;
  /** Why it failed, briefly: "p95 412 ms > 300 ms". */
  note?: string;
}

export interface CapacitySearchPanelProps {
  unit: 'rps' | 'concurrency';
  /** "p95 < 300 ms, errors < 1 %". */
  slo: string;
  steps: readonly CapacityStep[];
  /** The highest level that passed and the lowest that failed, once known. */
  bracket?: { passing?: number; failing?: number };
  /** Measuring this level now, if any, and how far (0..1). */
  current?: { level: number; fraction: number };
  width: number;
  /** Only the newest steps are listed. */
  maxSteps?: number;
}

/** Progress of a capacity search under an SLO (for `mdl tune`): each level tried, pass/fail, the bracket. */
export function CapacitySearchPanel({ unit, slo, steps, bracket, current, width, maxSteps = 8 }: CapacitySearchPanelProps) {
  const label = (v: number) => (unit === 'rps' ? `${formatRate(v)}/s` : `${v} conc`);
  const top = Math.max(1, ...steps.map((s) => s.level), current?.level ?? 0, bracket?.failing ?? 0);
  const barWidth = Math.max(8, Math.min(30, width - 67));
  const summary = (
    <>
      <T role="muted">SLO {slo}</T>
      {bracket?.passing !== undefined || bracket?.failing !== undefined ? (
        <T>
          {' '}
          · capacity {bracket.passing !== undefined ? `≥ ${label(bracket.passing)}` : ''}
          {bracket.passing !== undefined && bracket.failing !== undefined ? ' and ' : ''}
          {bracket.failing !== undefined ? `< ${label(bracket.failing)}` : ''}
        </T>
      ) : null}
    </>
  );
  return (
    <Section title="Capacity search" width={width} summary={summary}>
      <Box flexDirection="column">
        {steps.slice(-maxSteps).map((s, i) => (
          <Text key={`${s.level}-${i}`} wrap="truncate-end">
            <T role={s.passed === undefined ? 'accent' : s.passed ? 'ok' : 'bad'}>{s.passed === undefined ? '…' : s.passed ? '✓' : '✗'} </T>
            <T>{label(s.level).padStart(10)} </T>
            <T role="muted">{progressBar(s.level / top, barWidth)}</T>
            <T>
              {' '}
              {s.completedPerSecond !== undefined ? `${formatRate(s.completedPerSecond)}/s` : ''}
              {s.latencyMs !== undefined ? ` · ${formatMs(s.latencyMs)} ms` : ''}
              {s.errorRate !== undefined ? ` · ${(s.errorRate * 100).toFixed(1)}% err` : ''}
            </T>
            {s.note ? <T role={s.passed === false ? 'bad' : 'muted'}> · {s.note}</T> : null}
          </Text>
        ))}
        {current ? (
          <Text wrap="truncate-end">
            <T role="accent">{'measuring'.padStart(12)} </T>
            <T>{label(current.level)} </T>
            <T role="accent">{progressBar(current.fraction, barWidth)}</T>
          </Text>
        ) : null}
      </Box>
    </Section>
  );
}
