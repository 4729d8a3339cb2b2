/**
 * How early the open loop's timer must be aimed so that it wakes before a send is due.
 *
 * A Node timer fires a little after its (whole-millisecond) delay: the kernel's wake-up and the event
 * loop's turn. That overshoot depends on the machine (on a 2-core VM here its median was 0.2–0.35 ms,
 * its 90th percentile 0.4–0.9 ms), so it is learnt as the run goes: the margin is the median of the last
 * `window` overshoots. A wake that comes early costs a few turns of polling; one that comes late makes the
 * send late, which the corrected latency then reports as the server's. The median, not a high quantile:
 * Node's truncation of the delay already leaves up to a millisecond of slack, and aiming at the 90th
 * percentile cost a third more CPU at 100/s for no fewer late sends (test/bench/RESULTS.md).
 *
 * Pure: overshoots come in as numbers.
 */
export interface WakeMarginOptions {
  /** Overshoots remembered (ms). */
  window: number;
  /** The overshoot quantile to cover. */
  quantile: number;
  /** The margin before anything is observed (ms). */
  initialMs: number;
  /** Upper bound (ms): a stalled loop (a long GC, a busy machine) must not turn the pump into a spin. */
  maxMs: number;
  /** The quantile is recomputed after this many observations, not on every one. */
  every: number;
}

export const DEFAULT_WAKE_MARGIN: WakeMarginOptions = { window: 64, quantile: 0.5, initialMs: 0.3, maxMs: 1, every: 16 };

export class WakeMargin {
  private readonly samples: Float64Array;
  private count = 0;
  private nextSlot = 0;
  private sinceUpdate = 0;
  private current: number;

  constructor(private readonly options: WakeMarginOptions = DEFAULT_WAKE_MARGIN) {
    this.samples = new Float64Array(options.window);
    this.current = Math.min(options.maxMs, Math.max(0, options.initialMs));
  }

  /** The current margin, ms (≥ 0, ≤ maxMs); it changes only through observe(). */
  get ms(): number {
    return this.current;
  }

  /** One timer's overshoot: when it fired minus when it was set minus its whole-millisecond delay (ms). */
  observe(overshootMs: number): void {
    if (!Number.isFinite(overshootMs)) return;
    this.samples[this.nextSlot] = overshootMs;
    this.nextSlot = (this.nextSlot + 1) % this.samples.length;
    if (this.count < this.samples.length) this.count++;
    if (++this.sinceUpdate >= this.options.every) {
      this.sinceUpdate = 0;
      const sorted = this.samples.slice(0, this.count).sort();
      const q = sorted[Math.min(this.count - 1, Math.ceil(this.options.quantile * this.count) - 1)]!;
      this.current = Math.min(this.options.maxMs, Math.max(0, q));
    }
  }
}
