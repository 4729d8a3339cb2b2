/**
 * A minimal external store: the engine's events are dispatched into a pure reducer, views subscribe
 * (React's useSyncExternalStore for Ink, a timer for plain lines). No React here.
 */
export interface Store<S, E> {
  getState(): S;
  dispatch(event: E): void;
  subscribe(listener: () => void): () => void;
}

export function createStore<S, E>(initial: S, reducer: (state: S, event: E) => S): Store<S, E> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    dispatch(event) {
      const next = reducer(state, event);
      if (next === state) return;
      state = next;
      for (const l of listeners) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
