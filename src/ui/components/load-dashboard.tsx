import { Box, Text } from 'ink';
import type { LoadViewState } from '../load-state.js';
import { T } from '../theme.js';
import { ErrorsPanel } from './errors-panel.js';
import { Header } from './header.js';
import { LatencyPanel } from './latency-panel.js';
import { LlmPanel } from './llm-panel.js';
import { ReplicasPanel } from './replicas-panel.js';
import { ThresholdsPanel } from './thresholds-panel.js';
import { ThroughputPanel } from './throughput-panel.js';

export interface LoadDashboardProps {
  state: LoadViewState;
  /** Terminal width; the layout fits 80 columns and gives wider terminals longer charts. */
  columns: number;
  /** Terminal height; taller terminals get a taller latency chart (8 rows from 30 lines, 12 from 45). */
  rows?: number;
  /** Whether keys work (raw mode): shows the key hint. */
  keys?: boolean;
}

/** The whole load-test dashboard, rendered from view state alone. */
export function LoadDashboard({ state, columns, rows = 30, keys = false }: LoadDashboardProps) {
  // One column short of the terminal, so a full line never wraps at the right margin.
  const width = Math.max(40, columns - 1);
  const latencyHeight = rows >= 45 ? 12 : rows >= 30 ? 8 : 5;
  const showLlm = state.config.protocol === 'openai' || state.last?.llm !== undefined || state.result?.llm !== undefined;
  const lastTs = state.last?.timestampMs;
  const nowMs = Math.max(lastTs ?? 0, state.scaling.lastEventMs ?? 0) || undefined;
  return (
    <Box flexDirection="column" width={width}>
      <Header state={state} width={width} />
      <ThroughputPanel state={state} width={width} />
      <LatencyPanel state={state} width={width} height={latencyHeight} />
      <ReplicasPanel
        scaling={state.scaling}
        history={{ desired: state.series.map((p) => p.desiredReplicas), ready: state.series.map((p) => p.readyReplicas) }} startedAtMs={state.startedAtMs} nowMs={nowMs} width={width} />
      <ErrorsPanel state={state} />
      {showLlm ? <LlmPanel state={state} /> : null}
      <ThresholdsPanel thresholds={state.thresholds} provisional={state.thresholdsProvisional} />
      {keys && state.phase !== 'done' ? (
        <Text>
          <T role="muted">{state.phase === 'stopping' ? 'stopping: finishing in-flight requests…' : 'q stop (keeps the results so far)'}</T>
        </Text>
      ) : null}
    </Box>
  );
}
