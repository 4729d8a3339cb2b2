import { Box, Text } from 'ink';
import { progressBar } from '../chart.js';
import { describeMode, formatClock, stageCount, type LoadViewState } from '../load-state.js';
import { T } from '../theme.js';

export function Header({ state, width }: { state: LoadViewState; width: number }) {
  const { config } = state;
  const stages = stageCount(config.mode);
  const stage = stages !== undefined && state.stageIndex !== undefined ? `stage ${state.stageIndex + 1}/${stages}` : undefined;
  const status =
    state.phase === 'starting' ? 'starting'
    : state.phase === 'stopping' ? 'stopping…'
    : state.phase === 'done' ? (state.interrupted ? 'interrupted' : 'done')
    : state.warmup ? 'warm-up'
    : 'running';
  const total = state.totalMs;
  const fraction = state.phase === 'done' && !state.interrupted ? 1 : total ? state.elapsedMs / total : 0;
  const clock = `${formatClock(state.elapsedMs)}${total ? ` / ${formatClock(total)}` : ''}`;
  const remaining = total && state.phase !== 'done' ? `  ${formatClock(Math.max(0, total - state.elapsedMs))} left` : '';
  const right = `${clock}${remaining}  ${status}${stage ? `  ${stage}` : ''}`;
  const barWidth = Math.max(10, width - right.length - 3);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <T role="accent" bold>
          mdl loadtest
        </T>
        <T> {config.url} </T>
        <T role="muted">
          {config.protocol} · {describeMode(config.mode)}
        </T>
      </Text>
      <Text wrap="truncate-end">
        <T role={state.phase === 'done' ? (state.interrupted ? 'warn' : 'ok') : 'accent'}>{progressBar(fraction, barWidth)}</T>
        <T> {right}</T>
      </Text>
    </Box>
  );
}
