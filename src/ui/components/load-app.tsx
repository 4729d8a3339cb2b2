import { useSyncExternalStore } from 'react';
import { useInput, useStdin, useWindowSize } from 'ink';
import type { LoadViewEvent, LoadViewState } from '../load-state.js';
import type { Store } from '../store.js';
import { ColorContext } from '../theme.js';
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
  const { isRawModeSupported } = useStdin();
  const keys = isRawModeSupported === true && state.phase !== 'done';
  useInput(
    (input, key) => {
      if (input === 'q' || input === 'Q' || (key.ctrl && input === 'c')) onStop();
    },
    { isActive: keys },
  );
  return (
    <ColorContext.Provider value={color}>
      <LoadDashboard state={state} columns={columns || 80} rows={rows || 30} keys={keys} />
    </ColorContext.Provider>
  );
}
