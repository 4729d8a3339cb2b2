/**
 * One way for every long-running command to be stopped (docs/architecture.md, exit 130): SIGINT (Ctrl+C)
 * and SIGTERM (a CI cancel, `kill`, Kubernetes) both ask the work to stop gracefully, so that it writes every
 * requested output with what it measured so far; a second signal ends the process at once with exit 130.
 * k6 and most CLIs treat SIGTERM as they treat Ctrl+C; without a handler Node would exit 143 and lose the
 * outputs.
 */
import { ExitCode } from '../errors.js';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

export interface StopSignalOptions {
  /** Called once, on the first signal (or on stop()): begin stopping gracefully. */
  onStop?: (signal: StopSignal | 'request') => void;
  /**
   * Called on every later signal. The default exits at once with 130; a command in a phase that must not
   * be cut short (tune --cluster restoring the autoscaler) says why it keeps going instead.
   */
  onRepeat?: (signal: StopSignal) => void;
}

export interface StopSignals {
  /** Aborted on the first signal or stop(); pass it to the work. */
  readonly signal: AbortSignal;
  /** The signal that stopped the work; undefined while it runs. */
  readonly received: StopSignal | 'request' | undefined;
  /** Stops as a signal would (q in a dashboard): the first stop counts, later ones are ignored. */
  stop(): void;
  /** Replaces what a later signal does (see StopSignalOptions.onRepeat). */
  setOnRepeat(onRepeat: ((signal: StopSignal) => void) | undefined): void;
  /** Removes the handlers: a signal after this exits at once (installDefaultStopSignals) or as Node's default. */
  dispose(): void;
}

/** The default for a second signal: stop now, with the exit code of an interrupted run. */
export function exitNow(): never {
  process.exit(ExitCode.interrupted);
}

/** How many handleStopSignals() are in force; while none is, a signal ends the process at once (below). */
let active = 0;

/**
 * For the whole process (src/cli/main.ts): a signal that comes while no long work is running (start-up, a
 * short command) exits 130 at once, so that every command has the same exit code for an interruption
 * instead of Node's death by signal (143 for SIGTERM).
 */
export function installDefaultStopSignals(): void {
  for (const s of STOP_SIGNALS) {
    process.on(s, () => {
      if (active === 0) exitNow();
    });
  }
}

/** Installs the SIGINT and SIGTERM handlers until dispose(). */
export function handleStopSignals(options: StopSignalOptions = {}): StopSignals {
  const controller = new AbortController();
  let received: StopSignal | 'request' | undefined;
  let onRepeat = options.onRepeat;
  const first = (why: StopSignal | 'request') => {
    received = why;
    options.onStop?.(why);
    controller.abort();
  };
  const listener = (signal: StopSignal) => {
    if (received === undefined) first(signal);
    else if (onRepeat) onRepeat(signal);
    else exitNow();
  };
  for (const s of STOP_SIGNALS) process.on(s, listener);
  active++;
  let disposed = false;
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    stop() {
      if (received === undefined) first('request');
    },
    setOnRepeat(fn) {
      onRepeat = fn;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      active--;
      for (const s of STOP_SIGNALS) process.removeListener(s, listener);
    },
  };
}

/** Aborted by `stop` or when `until` (ms since the epoch; Infinity for never) passes: one poll's deadline. */
export function untilSignal(stop: AbortSignal, until: number): AbortSignal {
  return Number.isFinite(until) ? AbortSignal.any([stop, AbortSignal.timeout(Math.max(1, until - Date.now()))]) : stop;
}
