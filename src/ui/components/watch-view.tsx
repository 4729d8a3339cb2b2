import { Box, Text } from 'ink';
import type { WatchViewState } from '../status-state.js';
import { T } from '../theme.js';
import { ReplicasPanel } from './replicas-panel.js';
import { RolloutPanel } from './rollout-panel.js';

export interface WatchViewProps {
  state: WatchViewState;
  columns: number;
  /** 'rollout' for deploy --wait (pods first), 'status' for status --watch (replicas and HPA first). */
  kind: 'rollout' | 'status';
  keys?: boolean;
}

/** `mdl deploy --wait` and `mdl status --watch`: rollout progress per pod, replicas over time, HPA state. */
export function WatchView({ state, columns, kind, keys = false }: WatchViewProps) {
  const width = Math.max(40, columns - 1);
  const nowMs = state.scaling.lastEventMs;
  const replicas = (
    <ReplicasPanel scaling={state.scaling} history={state.history} startedAtMs={state.startedAtMs} nowMs={nowMs} width={width} maxEvents={kind === 'status' ? 5 : 2} />
  );
  const rollout = state.scaling.rollout || state.scaling.pods.length > 0 ? <RolloutPanel scaling={state.scaling} width={width} nowMs={nowMs} maxPods={kind === 'rollout' ? 12 : 6} /> : null;
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <T role="accent" bold>
          {kind === 'rollout' ? 'mdl deploy' : 'mdl status'}
        </T>
        <T> {state.title}</T>
      </Text>
      {kind === 'rollout' ? rollout : replicas}
      {kind === 'rollout' ? (state.scaling.desired !== undefined ? replicas : null) : rollout}
      {state.outcome ? (
        <Text>
          <T role={state.outcome.ok ? 'ok' : 'bad'}>
            {state.outcome.ok ? '✓' : '✗'} {state.outcome.message}
          </T>
        </Text>
      ) : keys ? (
        <Text>
          <T role="muted">q stop watching</T>
        </Text>
      ) : null}
    </Box>
  );
}
