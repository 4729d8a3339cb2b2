import { Box, Text } from 'ink';
import { lineChart, runs, type ChartSeries } from '../chart.js';
import { formatClock, formatMs, type LoadViewState } from '../load-state.js';
import { T, type Role } from '../theme.js';
import { GUTTER, gutter, Section } from './section.js';

const SERIES_ROLES: Role[] = ['p50', 'p95', 'p99'];

/** p50/p95/p99 now and per second on a chart, with the SLO line and the worst second so far. */
export function LatencyPanel({ state, width, height }: { state: LoadViewState; width: number; height: number }) {
  const lat = state.last && state.last.latencyMs.count > 0 ? state.last.latencyMs : undefined;
  const slo = state.config.sloLatencyMs;
  const series: ChartSeries[] = [
    { values: state.series.map((p) => p.p99Ms), mark: '×' },
    { values: state.series.map((p) => p.p95Ms), mark: '•' },
    { values: state.series.map((p) => p.p50Ms), mark: '·' },
  ];
  // Drawn p99 first so p50 stays visible where lines meet; roles follow the draw order.
  const roles: Role[] = ['p99', 'p95', 'p50'];
  const chart = lineChart(series, { width: width - GUTTER, height, ...(slo !== undefined ? { ref: slo } : {}) });
  const summary = (
    <>
      <T role="p50">p50 {formatMs(lat?.p50)}</T>
      <T> · </T>
      <T role="p95">p95 {formatMs(lat?.p95)}</T>
      <T> · </T>
      <T role="p99">p99 {formatMs(lat?.p99)}</T>
      {state.worst ? (
        <T role="muted">
          {' '}
          · worst {formatMs(state.worst.p99Ms)} @{formatClock(state.worst.second * 1000)}
        </T>
      ) : null}
      {slo !== undefined ? (
        <T role="slo">
          {' '}
          · SLO {state.config.sloLabel ?? 'p95'} {formatMs(slo)}
        </T>
      ) : null}
    </>
  );
  return (
    <Section title="Latency ms" width={width} summary={summary}>
      <Box flexDirection="column">
        {chart.rows.map((row, i) => (
          <Text key={i} wrap="truncate-end">
            <T role="muted">{i === 0 ? gutter(formatMs(chart.top)) : i === chart.rows.length - 1 ? gutter('0') : gutter('')}</T>
            {runs(row).map((r, j) => (
              <T key={j} role={r.by === 'ref' ? 'slo' : r.by === undefined ? undefined : roles[r.by]}>
                {r.text}
              </T>
            ))}
          </Text>
        ))}
        <Text wrap="truncate-end">
          <T role="muted">{' '.repeat(GUTTER)}</T>
          <T role={SERIES_ROLES[0]}>· p50 </T>
          <T role={SERIES_ROLES[1]}>• p95 </T>
          <T role={SERIES_ROLES[2]}>× p99 </T>
          {slo !== undefined ? <T role="slo">{chart.refAbove ? `SLO ${formatMs(slo)} is above the chart · ` : '─ SLO · '}</T> : null}
          <T role="muted">{slo === undefined ? '· ' : ''}one column per second</T>
        </Text>
      </Box>
    </Section>
  );
}
