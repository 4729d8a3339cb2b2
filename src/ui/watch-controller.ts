/**
 * The live view of `mdl deploy --wait` and `mdl status --watch`: Ink on a terminal, a plain line whenever
 * the state it shows changes, or nothing under --json. Fed by the ReplicaEvents of src/kube or src/local.
 */
import type { LiveViewTerminal } from './ink-mount.js';
import type { OutputMode } from '../cli/output-mode.js';
import type { ReplicaEvent } from '../load/replica-events.js';
import { formatWatchLine, initialWatchView, reduceWatchView, type WatchViewEvent, type WatchViewState } from './status-state.js';
import { createStore, type Store } from './store.js';

export interface WatchView {
  event(e: ReplicaEvent): void;
  /** The watch ended (rolled out, failed, stopped): the final frame stays with the outcome under it. */
  finish(outcome?: { ok: boolean; message: string }): Promise<void>;
  readonly store: Store<WatchViewState, WatchViewEvent>;
}

export interface WatchViewOptions extends LiveViewTerminal {
  mode: OutputMode;
  kind: 'rollout' | 'status';
  title: string;
}

export async function startWatchView(opts: WatchViewOptions): Promise<WatchView> {
  const store = createStore(initialWatchView(opts.title), reduceWatchView);
  const stream = opts.stream ?? process.stderr;
  const dispatchOutcome = (outcome?: { ok: boolean; message: string }) => {
    if (outcome) store.dispatch({ type: 'done', ...outcome });
  };
  if (opts.mode === 'json') {
    return { store, event: (event) => store.dispatch({ type: 'replica', event }), finish: async (o) => dispatchOutcome(o) };
  }
  if (opts.mode === 'plain') {
    let lastLine = '';
    const print = () => {
      const line = formatWatchLine(store.getState());
      if (line !== lastLine) stream.write(`${line}\n`);
      lastLine = line;
    };
    return {
      store,
      event(event) {
        store.dispatch({ type: 'replica', event });
        print();
      },
      async finish(o) {
        dispatchOutcome(o);
        print();
      },
    };
  }
  const { mountInk } = await import('./ink-mount.js');
  // React is imported inside the factory: after mountInk has chosen React's production build.
  const ink = await mountInk(
    async (color) => {
      const [{ createElement }, { WatchApp }] = await Promise.all([import('react'), import('./components/watch-app.js')]);
      return createElement(WatchApp, { store, kind: opts.kind, onStop: opts.onStop, color });
    },
    { stream, stdin: opts.stdin, env: opts.env, maxFps: opts.maxFps },
  );
  let finished = false;
  return {
    store,
    event: (event) => store.dispatch({ type: 'replica', event }),
    async finish(o) {
      if (finished) return;
      finished = true;
      dispatchOutcome(o);
      await ink.close();
    },
  };
}
