/**
 * Wakes the open loop's pump when its next send is due, as close to the schedule as Node allows.
 *
 * Node truncates a timer's delay to whole milliseconds and libuv counts it on the loop's clock, which it
 * keeps in whole milliseconds too. Two things follow:
 * - The timer is aimed a learnt margin early (WakeMargin) and the rest is waited turn by turn
 *   (setImmediate), polling the clock; so the wake-up's own overshoot does not make the send late.
 * - Whenever something else wakes the loop (a response, another timer), libuv recomputes the time left
 *   from its whole-millisecond clock, which moves the wake up to a millisecond later. Measured at 100/s
 *   against a 20 ms server, where a response comes in during every wait, that spread the overshoot to a
 *   90th percentile of 1.5 ms, and a quarter to a half of the sends went out late. The engine calls
 *   reaim() after such events, which sets the timer again from the precise clock.
 *
 * The margin is also held to a quarter of the gap between sends, so that the pump polls for a bounded
 * share of the time: a margin learnt on a busy machine must not turn a fast schedule into a spin, which
 * would make the machine busier still.
 */
import { WakeMargin } from './wake-margin.js';

/** The largest share of the gap between two sends that the pump may spend polling for the second. */
export const MAX_POLL_SHARE = 0.25;

export class SendTimer {
  private timeout: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private dueMs: number | undefined;
  private marginMs = 0;
  private armedAtMs = 0;
  private armedDelayMs = 0;

  constructor(
    private readonly now: () => number,
    private readonly fire: () => void,
    readonly margin: WakeMargin = new WakeMargin(),
  ) {}

  /** Calls fire() at dueMs (on the `now` scale) or, within a margin, just before it. */
  at(dueMs: number): void {
    this.cancel();
    // The pump calls again with the same send when a wake-up came early: keep that send's margin.
    if (dueMs !== this.dueMs) {
      const gap = this.dueMs === undefined ? Number.POSITIVE_INFINITY : dueMs - this.dueMs;
      this.marginMs = Math.min(this.margin.ms, Math.max(0, gap * MAX_POLL_SHARE));
      this.dueMs = dueMs;
    }
    this.arm();
  }

  /** Sets a pending timer again from the precise clock (after other events woke the loop). */
  reaim(): void {
    if (this.timeout === undefined) return;
    clearTimeout(this.timeout);
    this.timeout = undefined;
    this.arm();
  }

  cancel(): void {
    if (this.timeout !== undefined) clearTimeout(this.timeout);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timeout = undefined;
    this.immediate = undefined;
  }

  private arm(): void {
    const now = this.now();
    const delay = this.dueMs! - now - this.marginMs;
    if (delay >= 1) {
      this.armedAtMs = now;
      this.armedDelayMs = Math.trunc(delay);
      this.timeout = setTimeout(this.onTimeout, delay);
    } else {
      this.immediate = setImmediate(this.onImmediate);
    }
  }

  private readonly onTimeout = () => {
    this.timeout = undefined;
    this.margin.observe(this.now() - this.armedAtMs - this.armedDelayMs);
    this.fire();
  };

  private readonly onImmediate = () => {
    this.immediate = undefined;
    this.fire();
  };
}
