import { useSyncExternalStore } from 'react';
import { Box, Text, useWindowSize } from 'ink';
import type { Store } from '../store.js';
import { ColorContext, T } from '../theme.js';
import { capacityPanelProps, tuneStatusLines, type TuneViewEvent, type TuneViewState } from '../tune-state.js';
import { CapacitySearchPanel } from './capacity-search-panel.js';
import { LatencyPanel } from './latency-panel.js';
import { useStopKeys } from './stop-keys.js';
import { ThroughputPanel } from './throughput-panel.js';

export interface TuneViewProps {
  state: TuneViewState;
  columns: number;
  keys?: boolean;
}

/** The tune view from state alone: the capacity-search panel, the status line, the key hint. */
export function TuneView({ state, columns, keys = false }: TuneViewProps) {
  // One column short of the terminal, so a full line never wraps at the right margin.
  const width = Math.max(40, columns - 1);
  const status = tuneStatusLines(state);
  return (
    <Box flexDirection="column" width={width}>
      <CapacitySearchPanel {...capacityPanelProps(state)} width={width} maxSteps={6} />
      {state.load && state.load.series.length > 0 ? (
        <>
          <ThroughputPanel state={state.load} width={width} />
          <LatencyPanel state={state.load} width={width} height={5} />
        </>
      ) : null}
      {status.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          <T role="muted">{line}</T>
        </Text>
      ))}
      {keys && state.phase !== 'done' ? (
        <Text>
          <T role="muted">{state.phase === 'stopping' ? 'stopping: finishing the current window…' : 'q stop (reports what was measured)'}</T>
        </Text>
      ) : null}
    </Box>
  );
}

export interface TuneAppProps {
  store: Store<TuneViewState, TuneViewEvent>;
  /** q (or Ctrl+C while keys are read raw): stop the search gracefully, as SIGINT does. */
  onStop: () => void;
  color: boolean;
}

/** The live app: subscribes to the store, reads keys only where raw mode exists. */
export function TuneApp({ store, onStop, color }: TuneAppProps) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const { columns } = useWindowSize();
  const keys = useStopKeys(state.phase === 'done', onStop);
  return (
    <ColorContext.Provider value={color}>
      <TuneView state={state} columns={columns || 80} keys={keys} />
    </ColorContext.Provider>
  );
}
