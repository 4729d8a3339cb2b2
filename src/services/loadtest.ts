/**
 * `mdl loadtest` between flags and the library: the spec's defaults, the local endpoint for --local, the
 * engine on its own thread, the live view, then the outputs (NDJSON, JUnit, step summary, summary text).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { ExitCode, MdlError, badInput } from '../errors.js';
import type { LoadResult } from '../load/types.js';
import type { ModelSpec } from '../spec/index.js';
import { buildLoadOptions, parseMaxErrorRate, specDefaults, type LoadtestFlags } from '../cli/loadtest-options.js';
import type { OutputMode } from '../cli/output-mode.js';

export interface LoadtestCommandFlags extends LoadtestFlags {
  local?: boolean;
  replicas?: number;
  out?: string;
  junit?: string;
}

export interface LoadtestContext {
  flags: LoadtestCommandFlags;
  url: string | undefined;
  mode: OutputMode;
  /** The spec when one is given or found; undefined for a bare URL. */
  spec: ModelSpec | undefined;
  note: (message: string) => void;
}

export async function runLoadtestCommand(ctx: LoadtestContext): Promise<{ result: LoadResult; exitCode: ExitCode }> {
  const { flags, spec } = ctx;
  if (!flags.local) return loadtest(ctx, ctx.url);
  if (ctx.url) throw badInput('pass either a URL or --local, not both', { where: '--local' });
  const { startLocalEndpoint } = await import('./loadtest-local.js');
  ctx.note('» starting the local runtime (replicas, balancer, autoscaler)…');
  const local = await startLocalEndpoint(spec, { replicas: flags.replicas });
  ctx.note(`» ${spec?.name} on ${local.url}`);
  try {
    return await loadtest(ctx, local.url);
  } finally {
    await local.stop();
  }
}

async function loadtest(ctx: LoadtestContext, url: string | undefined): Promise<{ result: LoadResult; exitCode: ExitCode }> {
  const { flags, spec, mode } = ctx;
  if (flags.replicas !== undefined && !flags.local) throw badInput('--replicas goes with --local', { where: '--replicas' });
  const options = await buildLoadOptions({ ...flags, url }, spec ? specDefaults(spec) : {});
  const maxErrorRate = parseMaxErrorRate(flags['max-error-rate']);
  const { ErrorBound, errorBoundError } = await import('../load/error-bound.js');
  const errorBound = new ErrorBound(maxErrorRate);
  const [{ runLoadInThread }, { NdjsonWriter }, { startLoadView }, { loadViewConfig, followLocalReplicas }, { formatSummary, formatMarkdownSummary }, { junitXml }] = await Promise.all([
    import('../load/engine-thread.js'),
    import('../report/ndjson.js'),
    import('../ui/load-view.js'),
    import('../cli/loadtest-view.js'),
    import('../report/summary-text.js'),
    import('../report/junit.js'),
  ]);
  const out = flags.out ? new NdjsonWriter(flags.out) : undefined;
  const controller = new AbortController();
  // q in the dashboard and Ctrl+C (SIGINT) stop the same way: no new requests, those in flight finish.
  const stop = () => {
    if (controller.signal.aborted) return;
    if (mode === 'plain') ctx.note('Stopping: no new requests; waiting for those in flight…');
    view.stopping();
    controller.abort();
  };
  const view = await startLoadView({ mode, config: loadViewConfig(options), onStop: stop });
  // The replicas go into the result (replica-seconds from the file alone) in every mode, and to the view.
  const { ReplicaTracker } = await import('../load/replica-series.js');
  const replicas = new ReplicaTracker('local-runtime');
  const stopReplicas = followLocalReplicas(options.url, (e) => {
    replicas.observe(e);
    if (mode !== 'json') view.replica(e);
  });
  // once: a second Ctrl+C (when keys are not read raw) ends the process at once.
  process.once('SIGINT', stop);
  let result: LoadResult;
  try {
    // On its own thread: a young generation fixed from the start keeps memory flat (engine-thread.ts).
    result = await runLoadInThread(options, {
      signal: controller.signal,
      onSnapshot: (s) => {
        out?.snapshot(s);
        view.snapshot(s);
        if (maxErrorRate < 1 && errorBound.observe(s) && !controller.signal.aborted) controller.abort();
      },
    });
  } catch (error) {
    await view.finish();
    throw error;
  } finally {
    process.removeListener('SIGINT', stop);
    stopReplicas();
  }
  const replicaSeries = replicas.seriesFor(result.series);
  if (replicaSeries) result.replicas = replicaSeries;
  // The final frame stays on screen; the summary follows it.
  await view.finish(result);
  out?.result(result);
  out?.close();
  if (flags.junit) writeReport(flags.junit, junitXml(result), '--junit');
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, formatMarkdownSummary(result));
  ctx.note(formatSummary(result));
  const breach = errorBound.breached();
  if (breach) throw errorBoundError(breach, maxErrorRate, options.url);
  const failed = result.thresholds.some((t) => !t.passed);
  return { result, exitCode: result.interrupted ? ExitCode.interrupted : failed ? ExitCode.thresholds : ExitCode.ok };
}

function writeReport(path: string, text: string, flag: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new MdlError(`cannot write ${path}: ${(error as Error).message}`, { where: flag });
  }
}
