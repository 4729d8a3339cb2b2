/**
 * The controller of `mdl dev`'s live view on a terminal: runtime events go through the same ReplicaEvents
 * as a cluster watch into a store that the Ink app draws. Plain lines stay with the command (src/local's
 * plain reporter). Ink and React are imported only here, lazily.
 */
import type { LiveViewTerminal } from './ink-mount.js';
import type { LocalRuntimeEvent } from '../local/events.js';
import { newReplicaEventMemory, toReplicaEvents } from '../local/replica-events.js';
import { initialDevView, reduceDevView, trafficFromStatus, type DevViewEvent, type DevViewState } from './dev-state.js';
import { createStore, type Store } from './store.js';

export interface DevLiveView {
  /** Subscribe this to the runtime. */
  listener(event: LocalRuntimeEvent): void;
  /**
   * The runtime is up: `print` writes the URL to stdout. On a shared terminal a line Ink does not know of
   * would break its redraw, so the frame is cleared first and drawn again under the line.
   */
  url(url: string, print: () => void): void;
  stopping(): void;
  /** The runtime stopped: the last frame stays, Ink lets go of the terminal. */
  finish(): Promise<void>;
  readonly store: Store<DevViewState, DevViewEvent>;
}

export interface DevLiveViewOptions extends LiveViewTerminal {
  title: string;
}

/** Maps one runtime event to view events. Pure apart from the memory of scale-ups already reported ready. */
export function devViewEvents(e: LocalRuntimeEvent, memory = newReplicaEventMemory()): DevViewEvent[] {
  if (e.type === 'replica-output') return [{ type: 'output', line: `[${e.replica}] ${e.line}` }];
  if (e.type === 'runtime-error') return [{ type: 'output', line: `mdl: ${e.what} failed: ${e.message}` }];
  const out: DevViewEvent[] = toReplicaEvents(e, memory).map((event) => ({ type: 'replica', event }));
  if (e.type === 'status') out.push({ type: 'traffic', traffic: trafficFromStatus(e.status) });
  return out;
}

export async function startDevView(opts: DevLiveViewOptions): Promise<DevLiveView> {
  const store = createStore(initialDevView(opts.title), reduceDevView);
  const stream = opts.stream ?? process.stderr;
  const memory = newReplicaEventMemory();
  const { mountInk } = await import('./ink-mount.js');
  const instance = await mountInk(
    async (color) => {
      const [{ createElement }, { DevApp }] = await Promise.all([import('react'), import('./components/dev-app.js')]);
      return createElement(DevApp, { store, onStop: opts.onStop, color });
    },
    { stream, stdin: opts.stdin, env: opts.env, maxFps: opts.maxFps },
  );
  let finished = false;
  return {
    store,
    listener(e) {
      for (const ev of devViewEvents(e, memory)) store.dispatch(ev);
    },
    url(url, print) {
      instance.clear();
      print();
      store.dispatch({ type: 'url', url });
    },
    stopping: () => store.dispatch({ type: 'stopping' }),
    async finish() {
      if (finished) return;
      finished = true;
      store.dispatch({ type: 'stopped' });
      await instance.close();
    },
  };
}
