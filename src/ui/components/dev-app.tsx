import { useSyncExternalStore } from 'react';
import { useInput, useStdin, useWindowSize } from 'ink';
import type { DevViewEvent, DevViewState } from '../dev-state.js';
import type { Store } from '../store.js';
import { ColorContext } from '../theme.js';
import { DevView } from './dev-view.js';

export interface DevAppProps {
  store: Store<DevViewState, DevViewEvent>;
  /** q (or Ctrl+C while keys are read raw): drain and stop, as SIGINT does. */
  onStop: () => void;
  color: boolean;
}

export function DevApp({ store, onStop, color }: DevAppProps) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const { columns } = useWindowSize();
  const { isRawModeSupported } = useStdin();
  const keys = isRawModeSupported === true && (state.phase === 'starting' || state.phase === 'running');
  useInput(
    (input, key) => {
      if (input === 'q' || input === 'Q' || (key.ctrl && input === 'c')) onStop();
    },
    { isActive: keys },
  );
  return (
    <ColorContext.Provider value={color}>
      <DevView state={state} columns={columns || 80} keys={keys} />
    </ColorContext.Provider>
  );
}
