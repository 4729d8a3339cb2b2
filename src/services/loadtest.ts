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
import { DURATION_EXPECTED, parseDurationMs } from '../units.js';
import { createRedactor } from '../load/redact.js';
import { checkStepSummary, checkWritableFile } from '../cli/output-paths.js';
import { handleStopSignals } from '../cli/stop-signals.js';
import type { ClusterWatch } from '../cli/loadtest-view.js';
import { kubeTargetOptions } from '../kube/context.js';
import type { ReplicaEvent } from '../load/replica-events.js';

export interface LoadtestCommandFlags extends LoadtestFlags {
  local?: boolean;
  replicas?: number;
  /** With --local: the local autoscaler's sync period (default 15s, the HPA controller's). */
  'sync-period'?: string;
  out?: string;
  junit?: string;
  /** The deployed model to watch while the load runs (its replicas go into the result and the view). */
  name?: string;
  namespace?: string;
  context?: string;
  kubeconfig?: string;
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
  // Every output is checked before any load is sent (or any replica started): a bad path fails in a second.
  checkOutputs(flags);
  if (!flags.local) return loadtest(ctx, ctx.url, { watch: clusterWatchOf(flags, spec) });
  if (watchesCluster(flags)) {
    throw badInput('--local loads the spec\'s model on this machine; --name, --namespace and --context watch one deployed in a cluster', {
      where: '--local', hint: 'Drop --local to load the deployed model (give its URL), or drop the cluster flags.',
    });
  }
  if (ctx.url) throw badInput('pass either a URL or --local, not both', { where: '--local' });
  const { startLocalEndpoint } = await import('./loadtest-local.js');
  ctx.note('» starting the local runtime (replicas, balancer, autoscaler)…');
  // A signal while the replicas start: let the start settle, stop them, exit 130.
  const starting = handleStopSignals();
  let local: Awaited<ReturnType<typeof startLocalEndpoint>>;
  try {
    local = await startLocalEndpoint(spec, { replicas: flags.replicas, syncPeriodMs: syncPeriodOf(flags['sync-period']) });
  } finally {
    starting.dispose();
  }
  try {
    if (starting.received) throw new MdlError('Interrupted while the local replicas were starting; stopped them.', { exitCode: ExitCode.interrupted });
    ctx.note(`» ${spec?.name} on ${local.url}`);
    return await loadtest(ctx, local.url, { direct: true });
  } finally {
    await local.stop();
  }
}

function syncPeriodOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  let ms: number;
  try {
    ms = parseDurationMs(value);
  } catch {
    throw badInput(`--sync-period ${value} is not ${DURATION_EXPECTED}`, { where: '--sync-period' });
  }
  if (!(ms > 0)) throw badInput(`--sync-period must be above 0, got ${value}`, { where: '--sync-period' });
  return ms;
}

function watchesCluster(flags: LoadtestCommandFlags): boolean {
  return flags.name !== undefined || flags.namespace !== undefined || flags.context !== undefined;
}

/** The deployed model whose replicas the run follows: the one --name (else the spec) names, where --namespace/--context say. */
function clusterWatchOf(flags: LoadtestCommandFlags, spec: ModelSpec | undefined): ClusterWatch | undefined {
  if (!watchesCluster(flags)) return undefined;
  const name = flags.name ?? spec?.name;
  if (name === undefined) {
    throw badInput('--namespace and --context watch a deployed model, and no model is named', {
      where: flags.namespace !== undefined ? '--namespace' : '--context', hint: 'Pass --name NAME (the model\'s Deployment), or the model\'s spec with -c.',
    });
  }
  return { name, kube: kubeTargetOptions(flags) };
}

/** --out, --junit and GITHUB_STEP_SUMMARY must be writable before the run starts. */
function checkOutputs(flags: LoadtestCommandFlags): void {
  if (flags.out) checkWritableFile(flags.out, '--out');
  if (flags.junit) checkWritableFile(flags.junit, '--junit');
  checkStepSummary();
}

async function loadtest(ctx: LoadtestContext, url: string | undefined, target: { direct?: boolean; watch?: ClusterWatch | undefined } = {}): Promise<{ result: LoadResult; exitCode: ExitCode }> {
  const { flags, spec, mode } = ctx;
  if (flags.replicas !== undefined && !flags.local) throw badInput('--replicas goes with --local', { where: '--replicas' });
  if (flags['sync-period'] !== undefined && !flags.local) throw badInput('--sync-period goes with --local', { where: '--sync-period' });
  const options = await buildLoadOptions({ ...flags, url }, spec ? specDefaults(spec) : {}, { env: process.env, warn: warnOnStderr });
  if (target.direct) options.direct = true;
  // Everything printed or written from here on shows no header value or URL user info (src/load/redact.ts).
  const redactor = createRedactor({ urls: [options.url], headers: options.headers, show: options.showSecrets });
  const note = (message: string) => ctx.note(redactor.text(message));
  const maxErrorRate = parseMaxErrorRate(flags['max-error-rate']);
  const { ErrorBound, errorBoundError } = await import('../load/error-bound.js');
  const errorBound = new ErrorBound(maxErrorRate);
  const [{ runLoadInThread }, { NdjsonWriter }, { startLoadView }, { loadViewConfig, followLocalReplicas, followClusterReplicas }, { formatSummary, formatMarkdownSummary }, { junitXml }] = await Promise.all([
    import('../load/engine-thread.js'),
    import('../report/ndjson.js'),
    import('../ui/load-view.js'),
    import('../cli/loadtest-view.js'),
    import('../report/summary-text.js'),
    import('../report/junit.js'),
  ]);
  const out = flags.out ? new NdjsonWriter(flags.out) : undefined;
  // q in the dashboard, SIGINT and SIGTERM stop the same way: no new requests, those in flight finish, every
  // output is written; a second signal ends the process at once.
  let view: Awaited<ReturnType<typeof startLoadView>> | undefined;
  const stops = handleStopSignals({
    onStop: () => {
      if (mode === 'plain') ctx.note('Stopping: no new requests; waiting for those in flight…');
      view?.stopping();
    },
  });
  const controller = new AbortController();
  stops.signal.addEventListener('abort', () => controller.abort(), { once: true });
  // The replicas go into the result (replica-seconds from the file alone) in every mode, and to the view.
  const { ReplicaTracker } = await import('../load/replica-series.js');
  const replicas = new ReplicaTracker(target.watch ? 'cluster' : 'local-runtime');
  const onReplicaEvent = (e: ReplicaEvent) => {
    replicas.observe(e);
    if (mode !== 'json') view?.replica(e);
  };
  let stopReplicas = () => {};
  let measured: LoadResult;
  try {
    // The cluster's first reading before the view and the load: a model that cannot be read stops the run here.
    if (target.watch) {
      const watch = target.watch;
      stopReplicas = await followClusterReplicas(watch, onReplicaEvent, (error) =>
        note(`» could not read ${watch.name}'s replicas from the cluster (${(error as Error).message}); the series skips those seconds`));
    }
    view = await startLoadView({ mode, config: loadViewConfig(options), onStop: () => stops.stop() });
    if (stops.received) view.stopping();
    // Only a runtime mdl started serves /.mdl/status; any other server is sent nothing but the load.
    const { isMdlLocalTarget } = await import('../local/registry.js');
    if (!target.watch && isMdlLocalTarget(options.url)) stopReplicas = followLocalReplicas(options.url, onReplicaEvent);
    // On its own thread: a young generation fixed from the start keeps memory flat (engine-thread.ts).
    measured = await runLoadInThread(options, {
      signal: controller.signal,
      onSnapshot: (s) => {
        out?.snapshot(s);
        view?.snapshot(s);
        if (maxErrorRate < 1 && errorBound.observe(s) && !controller.signal.aborted) controller.abort();
      },
    });
  } catch (error) {
    stops.dispose();
    await view?.finish();
    throw error;
  } finally {
    stopReplicas();
  }
  const result = redactor.value(measured);
  const replicaSeries = replicas.seriesFor(result.series);
  if (replicaSeries) result.replicas = replicaSeries;
  // The handlers stay in place while the outputs are written, so that a first signal now cannot kill the process mid-write.
  try {
    // The final frame stays on screen; the summary follows it.
    await view?.finish(result);
    out?.result(result);
    out?.close();
    if (flags.junit) writeReport(flags.junit, junitXml(result), '--junit');
    if (process.env.GITHUB_STEP_SUMMARY) writeReport(process.env.GITHUB_STEP_SUMMARY, formatMarkdownSummary(result), 'GITHUB_STEP_SUMMARY', true);
    note(formatSummary(result));
  } finally {
    stops.dispose();
  }
  const breach = errorBound.breached();
  if (breach) throw errorBoundError(breach, maxErrorRate, redactor.url(options.url), result.target.proxy);
  const failed = result.thresholds.some((t) => !t.passed);
  return { result, exitCode: result.interrupted || stops.received ? ExitCode.interrupted : failed ? ExitCode.thresholds : ExitCode.ok };
}

/** A warning the user must see even under --json (stdout stays the result's). */
export function warnOnStderr(message: string): void {
  process.stderr.write(`${message}\n`);
}

function writeReport(path: string, text: string, flag: string, append = false): void {
  try {
    if (append) appendFileSync(path, text);
    else writeFileSync(path, text);
  } catch (error) {
    throw new MdlError(`cannot write ${path}: ${(error as Error).message}`, { where: flag });
  }
}
