/**
 * The controller of `mdl tune`'s live view. Only the 'ink' mode draws anything here: plain lines stay with
 * the command (they are the same lines as before the dashboard existed) and json shows nothing live. Ink and
 * React are imported only when the dashboard is actually shown.
 */
import type { LiveViewTerminal } from './ink-mount.js';
import type { OutputMode } from '../cli/output-mode.js';
import type { LoadSnapshot } from '../load/types.js';
import type { TuneEvent } from '../tune/run-tune.js';
import { createStore, type Store } from './store.js';
import { initialTuneView, reduceTuneView, type TuneViewConfig, type TuneViewEvent, type TuneViewState } from './tune-state.js';

export interface TuneLiveView {
  event(e: TuneEvent): void;
  /** The load engine's per-second snapshot of the step being measured. */
  snapshot(s: LoadSnapshot): void;
  /** A stop was requested (q, SIGINT): the view says so until the search returns. */
  stopping(): void;
  /** The search ended: the final frame is drawn and left on screen, the terminal is restored. */
  finish(): Promise<void>;
  readonly store: Store<TuneViewState, TuneViewEvent>;
}

export interface TuneViewOptions extends LiveViewTerminal {
  mode: OutputMode;
  config: TuneViewConfig;
}

export async function startTuneView(opts: TuneViewOptions): Promise<TuneLiveView> {
  const store = createStore(initialTuneView(opts.config), reduceTuneView);
  const base = {
    store,
    event: (e: TuneEvent) => store.dispatch({ type: 'tune', event: e }),
    snapshot: (snapshot: LoadSnapshot) => store.dispatch({ type: 'snapshot', snapshot }),
    stopping: () => store.dispatch({ type: 'stopping' }),
  };
  if (opts.mode !== 'ink') return { ...base, finish: async () => store.dispatch({ type: 'done' }) };

  const { mountInk } = await import('./ink-mount.js');
  // React is imported inside the factory: after mountInk has chosen React's production build.
  const ink = await mountInk(async (color) => {
    const [{ createElement }, { TuneApp }] = await Promise.all([import('react'), import('./components/tune-app.js')]);
    return createElement(TuneApp, { store, onStop: opts.onStop, color });
  }, {
    stream: opts.stream ?? process.stderr,
    stdin: opts.stdin,
    env: opts.env,
    maxFps: opts.maxFps,
  });
  return {
    ...base,
    async finish() {
      store.dispatch({ type: 'done' });
      await ink.close();
    },
  };
}
