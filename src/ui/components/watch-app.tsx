import { useSyncExternalStore } from 'react';
import { useInput, useStdin, useWindowSize } from 'ink';
import type { WatchViewEvent, WatchViewState } from '../status-state.js';
import type { Store } from '../store.js';
import { ColorContext } from '../theme.js';
import { WatchView } from './watch-view.js';

export interface WatchAppProps {
  store: Store<WatchViewState, WatchViewEvent>;
  kind: 'rollout' | 'status';
  onStop: () => void;
  color: boolean;
}

export function WatchApp({ store, kind, onStop, color }: WatchAppProps) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const { columns } = useWindowSize();
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
      <WatchView state={state} columns={columns || 80} kind={kind} keys={keys} />
    </ColorContext.Provider>
  );
}
