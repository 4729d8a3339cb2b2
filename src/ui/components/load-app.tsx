import { useSyncExternalStore } from 'react';
import { useWindowSize } from 'ink';
import type { LoadViewEvent, LoadViewState } from '../load-state.js';
import type { Store } from '../store.js';
import { ColorContext } from '../theme.js';
import { useStopKeys } from './stop-keys.js';
import { LoadDashboard } from './load-dashboard.js';

export interface LoadAppProps {
  store: Store<LoadViewState, LoadViewEvent>;
  /** q (or Ctrl+C while keys are read raw): stop the test gracefully, as SIGINT does. */
  onStop: () => void;
  color: boolean;
}

/** The live app: subscribes to the store, reads keys only where raw mode exists. */
export function LoadApp({ store, onStop, color }: LoadAppProps) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const { columns, rows } = useWindowSize();
  const keys = useStopKeys(state.phase === 'done', onStop);
  return (
    <ColorContext.Provider value={color}>
      <LoadDashboard state={state} columns={columns || 80} rows={rows || 30} keys={keys} />
    </ColorContext.Provider>
  );
}
