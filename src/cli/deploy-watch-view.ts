/**
 * `mdl deploy --wait` on a terminal: plain notes while objects are applied, then, from the wait phase on,
 * the live rollout view (pods, rollout counters, HPA). Notes that arrive while the view is up (warnings)
 * are printed after it, so they never tear a frame.
 */
import type { DeployEvent } from '../kube/deploy.js';
import type { ReplicaEvent } from '../load/replica-events.js';
import { fromDeployEvent } from '../ui/kube-events.js';
import { startWatchView, type WatchView } from '../ui/watch-controller.js';

export interface DeployLiveView {
  /** Takes every deploy event; returns true when the view handled it (the caller prints nothing). */
  onEvent(event: DeployEvent): boolean;
  /** After deploy returns or throws: the final frame stays, held notes follow. */
  finish(outcome: { ok: boolean; message: string }): Promise<void>;
}

export function deployLiveView(opts: {
  title: string;
  note: (line: string) => void;
  onStop: () => void;
  stream?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}): DeployLiveView {
  let starting: Promise<WatchView> | undefined;
  let view: WatchView | undefined;
  const queued: ReplicaEvent[] = [];
  const held: DeployEvent[] = [];
  let ready = 0;
  const send = (events: ReplicaEvent[]) => {
    if (view) for (const e of events) view.event(e);
    else queued.push(...events);
  };
  return {
    onEvent(event) {
      if (event.type === 'phase' && event.phase === 'wait' && !starting) {
        starting = startWatchView({
          mode: 'ink',
          kind: 'rollout',
          title: opts.title,
          onStop: opts.onStop,
          ...(opts.stream ? { stream: opts.stream } : {}),
          ...(opts.stdin ? { stdin: opts.stdin } : {}),
        }).then((v) => {
          view = v;
          for (const e of queued.splice(0)) v.event(e);
          return v;
        });
        return true;
      }
      if (!starting) return false;
      if (event.type === 'rollout') ready = event.status.ready;
      const events = fromDeployEvent(event, Date.now(), ready);
      if (events.length > 0 || event.type === 'phase') {
        send(events);
        return true;
      }
      held.push(event);
      return true;
    },
    async finish(outcome) {
      if (!starting) return;
      const v = await starting;
      await v.finish(outcome);
      for (const e of held) if (e.type === 'warning') opts.note(`Warning: ${e.message}${e.hint ? `\n  ${e.hint}` : ''}`);
    },
  };
}
