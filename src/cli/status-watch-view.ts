/**
 * `mdl status --watch` on a terminal: the live replicas/HPA/rollout view, fed by a status reading every
 * interval, until q, Ctrl+C or --watch-for. Kept out of the command so it stays thin.
 */
import type { ModelStatus } from '../kube/status.js';
import { fromModelStatus } from '../ui/kube-events.js';
import { startWatchView } from '../ui/watch-controller.js';
import { handleStopSignals, untilSignal, type StopSignals } from './stop-signals.js';

export async function watchStatusLive(
  first: ModelStatus,
  /** One reading; the signal aborts it when --watch-for passes or the watch is stopped. */
  read: (signal: AbortSignal) => Promise<ModelStatus>,
  opts: {
    intervalMs: number;
    forMs: number | undefined;
    /** The caller's stop signals (it reads how the watch ended); else the view installs its own. */
    stops?: StopSignals;
    stream?: NodeJS.WriteStream;
    stdin?: NodeJS.ReadStream;
  },
): Promise<ModelStatus> {
  // q, SIGINT and SIGTERM end the watch; a second signal exits at once.
  const own = opts.stops ? undefined : handleStopSignals();
  const stops = opts.stops ?? own!;
  const controller = stops;
  const stop = () => stops.stop();
  const view = await startWatchView({ mode: 'ink', kind: 'status', title: `${first.name} in ${first.namespace} (context ${first.context})`,
    onStop: stop,
    ...(opts.stream ? { stream: opts.stream } : {}),
    ...(opts.stdin ? { stdin: opts.stdin } : {}),
  });
  const seen = new Set<string>();
  let previous: number | undefined;
  const feed = (s: ModelStatus) => {
    for (const e of fromModelStatus(s, Date.now(), seen, previous)) view.event(e);
    previous = view.store.getState().scaling.desired;
  };
  const until = opts.forMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + opts.forMs;
  let status = first;
  let outcome = { ok: true, message: 'stopped watching' };
  try {
    feed(status);
    while (!controller.signal.aborted && Date.now() < until) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.min(opts.intervalMs, Math.max(0, until - Date.now())));
        function done() {
          controller.signal.removeEventListener('abort', done);
          clearTimeout(t);
          resolve();
        }
        controller.signal.addEventListener('abort', done, { once: true });
      });
      if (controller.signal.aborted || Date.now() >= until) break;
      const poll = untilSignal(controller.signal, until);
      try {
        status = await read(poll);
      } catch (error) {
        if (poll.aborted) break;
        throw error;
      }
      feed(status);
    }
  } catch (error) {
    outcome = { ok: false, message: (error as Error).message };
    throw error;
  } finally {
    own?.dispose();
    await view.finish(outcome);
  }
  return status;
}
