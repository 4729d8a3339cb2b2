/**
 * The controller of a load test's live view: picks the Ink dashboard, plain lines, or nothing from the
 * command's output mode, and feeds every one from the same store. Ink and React are imported only when
 * the dashboard is actually shown.
 */
import type { LiveViewTerminal } from './ink-mount.js';
import type { OutputMode } from '../cli/output-mode.js';
import type { ReplicaEvent } from '../load/replica-events.js';
import type { LoadResult, LoadSnapshot } from '../load/types.js';
import { initialLoadView, reduceLoadView, type LoadViewConfig, type LoadViewEvent, type LoadViewState } from './load-state.js';
import { formatPlainLine } from './plain-line.js';
import { createStore, type Store } from './store.js';

export interface LoadView {
  snapshot(snapshot: LoadSnapshot): void;
  replica(event: ReplicaEvent): void;
  /** A stop was requested (q, SIGINT): the view says so until the result arrives. */
  stopping(): void;
  /** The run ended: the final frame is drawn and left on screen, the terminal is restored. */
  finish(result?: LoadResult): Promise<void>;
  readonly store: Store<LoadViewState, LoadViewEvent>;
}

export interface LoadViewOptions extends LiveViewTerminal {
  mode: OutputMode;
  config: LoadViewConfig;
}

export async function startLoadView(opts: LoadViewOptions): Promise<LoadView> {
  const store = createStore(initialLoadView(opts.config), reduceLoadView);
  const stream = opts.stream ?? process.stderr;
  const base = {
    store,
    snapshot: (snapshot: LoadSnapshot) => store.dispatch({ type: 'snapshot', snapshot }),
    replica: (event: ReplicaEvent) => store.dispatch({ type: 'replica', event }),
    stopping: () => store.dispatch({ type: 'stopping' }),
  };
  const finishState = (result?: LoadResult) => {
    if (result) store.dispatch({ type: 'result', result });
  };

  if (opts.mode === 'json') {
    return { ...base, finish: async (result) => finishState(result) };
  }

  if (opts.mode === 'plain') {
    return {
      ...base,
      snapshot(snapshot) {
        base.snapshot(snapshot);
        stream.write(`${formatPlainLine(store.getState())}\n`);
      },
      finish: async (result) => finishState(result),
    };
  }

  const { mountInk } = await import('./ink-mount.js');
  // React is imported inside the factory: after mountInk has chosen React's production build.
  const ink = await mountInk(
    async (color) => {
      const [{ createElement }, { LoadApp }] = await Promise.all([import('react'), import('./components/load-app.js')]);
      return createElement(LoadApp, { store, onStop: opts.onStop, color });
    },
    { stream, stdin: opts.stdin, env: opts.env, maxFps: opts.maxFps },
  );
  let finished = false;
  return {
    ...base,
    async finish(result) {
      if (finished) return;
      finished = true;
      finishState(result);
      await ink.close();
    },
  };
}
