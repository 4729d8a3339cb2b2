/**
 * The one way time enters the library, so that simulators and tests can run faster than the wall.
 * Pure modules take times as arguments and never use a clock at all.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale (not wall time). */
  now(): number;
  /** Wall-clock milliseconds since the epoch, for timestamps in results. */
  wallNow(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * Resolves after ms, or as soon as the signal aborts, and never rejects: for polling loops that check the
 * signal themselves after each wait (systemClock.sleep rejects instead).
 */
export function pollWait(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A clock that moves only when told to: for tests and simulations. */
export class ManualClock implements Clock {
  private t: number;
  private readonly wallStart: number;
  private waiters: Array<{ at: number; resolve: () => void }> = [];

  constructor(startMs = 0, wallStartMs = 0) {
    this.t = startMs;
    this.wallStart = wallStartMs - startMs;
  }
  now(): number {
    return this.t;
  }
  wallNow(): number {
    return this.wallStart + this.t;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ at: this.t + ms, resolve });
    });
  }
  /** Moves time forward, waking sleepers whose time has come, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      this.waiters.sort((a, b) => a.at - b.at);
      const next = this.waiters[0];
      if (!next || next.at > target) break;
      this.waiters.shift();
      this.t = next.at;
      next.resolve();
      await Promise.resolve();
    }
    this.t = target;
  }
}
