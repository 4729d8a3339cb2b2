/**
 * How the open-loop pump waits for its next send; pure (times in, a decision out).
 *
 * A Node timer wakes up to about a millisecond off its time, early or late: it counts whole
 * milliseconds on the event loop's cached clock, and the kernel's wait is in whole milliseconds too.
 * Every millisecond a send goes out late is charged to its corrected latency. So the pump sets its timer
 * to wake a little before the send is due and covers the rest in one of two ways:
 *
 * - At high rates it polls, a turn of the event loop at a time (setImmediate): responses are read and
 *   stamped between polls, and the polling is a small part of a process that is busy anyway.
 * - At low rates (at most one send per SLEEP_MIN_GAP_MS on average) it sleeps the thread for the rest
 *   (Atomics.wait: the kernel's timer, to a few tens of microseconds, no CPU), in slices of at most
 *   SLEEP_SLICE_MS so that a response that comes in meanwhile is stamped at most that much late, and
 *   polls the clock only for the last SPIN_MS. Polling there cost a tenth of a core at 100/s, and on a
 *   shared machine a process that polls uses up its turn on the core and then sends late
 *   (test/bench/RESULTS.md, "Precision").
 */

export type SendWait =
  /** Send now: the time has come. */
  | { kind: 'send' }
  /** Sleep on a Node timer for ms, then decide again. */
  | { kind: 'timer'; ms: number }
  /** Block the thread for ms (sub-millisecond, precise), then decide again after a turn of the loop. */
  | { kind: 'sleep'; ms: number }
  /** Poll the clock synchronously until the send is due (at most SPIN_MAX_MS). */
  | { kind: 'spin' }
  /** Give the event loop one turn, then decide again. */
  | { kind: 'poll' };

/** Average spacing between sends (ms) from which the pump sleeps instead of polling: up to 200/s. */
export const SLEEP_MIN_GAP_MS = 5;
/** How long before the send the timer aims to wake when the pump sleeps: a timer's usual error. */
export const TIMER_LEAD_MS = 1;
/** The longest single sleep: how late a response read while the pump sleeps can be stamped. */
export const SLEEP_SLICE_MS = 0.5;
/** The last stretch before the send, polled on the clock (a sleep wakes up to ~0.1 ms late). */
export const SPIN_MS = 0.25;
/** A sleep shorter than this is not worth a wake-up: poll instead. */
const SLEEP_MIN_MS = 0.02;
/** The longest a 'spin' plan lasts. */
export const SPIN_MAX_MS = SPIN_MS + SLEEP_MIN_MS;

/**
 * waitMs: time until the next send is due (≤ 0: due or overdue); gapMs: the schedule's average
 * spacing between sends at that time (1000 / rate; Infinity when the rate is 0).
 */
export function planSendWait(waitMs: number, gapMs: number): SendWait {
  if (!(waitMs > 0)) return { kind: 'send' };
  if (!(gapMs >= SLEEP_MIN_GAP_MS)) return waitMs >= 1 ? { kind: 'timer', ms: waitMs } : { kind: 'poll' };
  const timerMs = Math.floor(waitMs - TIMER_LEAD_MS);
  if (timerMs >= 1) return { kind: 'timer', ms: timerMs };
  if (waitMs <= SPIN_MAX_MS) return { kind: 'spin' };
  return { kind: 'sleep', ms: Math.min(waitMs - SPIN_MS, SLEEP_SLICE_MS) };
}
