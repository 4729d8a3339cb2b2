import { useSyncExternalStore } from 'react';
import { useWindowSize } from 'ink';
import type { WatchViewEvent, WatchViewState } from '../status-state.js';
import type { Store } from '../store.js';
import { ColorContext } from '../theme.js';
import { useStopKeys } from './stop-keys.js';
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
  const keys = useStopKeys(state.phase === 'done', onStop);
  return (
    <ColorContext.Provider value={color}>
      <WatchView state={state} columns={columns || 80} kind={kind} keys={keys} />
    </ColorContext.Provider>
  );
}
