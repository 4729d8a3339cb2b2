/**
 * `mdl status` between flags and the library: the model's name, one reading, and with --watch a reading
 * every --interval until interrupted or --watch-for passes (drawn live on a terminal, else printed again).
 */
import { pollWait } from '../clock.js';
import { ExitCode } from '../errors.js';
import type { ModelStatus } from '../kube/status.js';
import { kubeTargetOptions } from '../kube/context.js';
import { parseDurationMs } from '../units.js';
import type { OutputMode } from '../cli/output-mode.js';
import { handleStopSignals, untilSignal } from '../cli/stop-signals.js';
import { loadModelObjects } from './model-source.js';
import type { ModelSourceFlags } from './model-source.js';

export interface StatusCommandFlags extends ModelSourceFlags {
  watch: boolean;
  'watch-for'?: string | undefined;
  interval: string;
}

export interface StatusContext {
  flags: StatusCommandFlags;
  mode: OutputMode;
  /** Prints one reading (the command picks the output: nothing under --json). */
  show: (status: ModelStatus) => void;
  /** Prints the line between two readings in plain --watch. */
  separator: (line: string) => void;
}

/** The last reading; exit 130 when a signal ended the watch (q or --watch-for end it with 0). */
export async function runStatusCommand(ctx: StatusContext): Promise<{ status: ModelStatus; exitCode: ExitCode }> {
  const f = ctx.flags;
  // The model's name: --name, else the spec's (or the --manifests Deployment's).
  const name = f.name ?? (await loadModelObjects(f)).name;
  const { readStatus } = await import('../kube/status.js');
  const read = (signal?: AbortSignal) => readStatus({ name, ...kubeTargetOptions(f), ...(signal ? { signal } : {}) });
  let status = await read();
  if (!f.watch) {
    ctx.show(status);
    return { status, exitCode: ExitCode.ok };
  }
  // SIGINT or SIGTERM ends the watch: the last reading is shown, exit 130.
  const stops = handleStopSignals();
  const exitCode = () => (stops.received === 'SIGINT' || stops.received === 'SIGTERM' ? ExitCode.interrupted : ExitCode.ok);
  if (ctx.mode === 'ink') {
    // The live view on stderr; the last reading is printed on stdout when it ends.
    const { watchStatusLive } = await import('../cli/status-watch-view.js');
    try {
      status = await watchStatusLive(status, read, { intervalMs: parseDurationMs(f.interval), forMs: f['watch-for'] ? parseDurationMs(f['watch-for']) : undefined, stops });
    } finally {
      stops.dispose();
    }
    ctx.show(status);
    return { status, exitCode: exitCode() };
  }
  ctx.show(status);
  {
    const intervalMs = parseDurationMs(f.interval);
    const until = f['watch-for'] ? Date.now() + parseDurationMs(f['watch-for']) : Number.POSITIVE_INFINITY;
    try {
      while (!stops.signal.aborted && Date.now() < until) {
        await pollWait(Math.min(intervalMs, until - Date.now()), stops.signal);
        if (stops.signal.aborted || Date.now() >= until) break;
        // --watch-for holds inside a reading too: one the API server never answers is aborted on time.
        const poll = untilSignal(stops.signal, until);
        try {
          status = await read(poll);
        } catch (error) {
          if (poll.aborted) break;
          throw error;
        }
        ctx.separator(`--- ${new Date().toISOString()}`);
        ctx.show(status);
      }
    } finally {
      stops.dispose();
    }
  }
  return { status, exitCode: exitCode() };
}

