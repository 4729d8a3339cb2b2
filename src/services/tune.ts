/**
 * `mdl tune` between flags and the library: resolve the spec, SLO and target, plug the load engine into the
 * capacity search, run, then print, report and write back. Kept out of commands/ so the command stays thin.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { badInput, ExitCode, MdlError } from '../errors.js';
import type { LoadedSpec } from '../spec/load.js';
import type { ModelSpec } from '../spec/types.js';
import { formatTuneEvent, formatTuneResult } from '../tune/format-text.js';
import type { TuneResult } from '../tune/result.js';
import type { TuneOptions } from '../tune/run-tune.js';
import { formatBounds } from '../kube/pin-plan.js';
import { kubeTargetOptions } from '../kube/context.js';
import type { ClusterTarget, RestoreResult } from '../tune/cluster-target.js';
import type { FirstRequest, LocalTarget } from '../tune/local-target.js';
import { resolveSlo } from '../tune/slo.js';
import type { SearchAxis } from '../tune/types.js';
import { parseDurationMs, parseRatePerSecond, UnitError } from '../units.js';
import { currentFromSpec, trafficFromSpec } from '../tune/spec-settings.js';
import { buildLoadOptions, parseMaxErrorRate, parseWarmup } from '../cli/loadtest-options.js';
import type { OutputMode } from '../cli/output-mode.js';
import { createRedactor, type Redactor } from '../load/redact.js';
import { checkWritableFile } from '../cli/output-paths.js';
import { handleStopSignals, type StopSignals } from '../cli/stop-signals.js';

export interface TuneCommandFlags {
  url?: string;
  local?: boolean;
  slo?: string[];
  replicas?: number;
  runtime?: string;
  axis?: string;
  window?: string;
  'start-level'?: string;
  'max-level'?: string;
  write?: boolean;
  force?: boolean;
  'max-replicas'?: number;
  report?: string;
  protocol?: string;
  method?: string;
  header?: string[];
  'spec-headers'?: boolean;
  'show-secrets'?: boolean;
  body?: string;
  payload?: string;
  model?: string;
  timeout?: string;
  arrival?: string;
  warmup?: string;
  'max-error-rate'?: string;
  config?: string;
  env?: string;
  cluster?: boolean;
  restore?: boolean;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  name?: string;
  'ready-timeout'?: string;
  /** Replay after the search: the chosen setting, or (all) also the spec's current one and a static fleet for the peak. */
  verify?: 'chosen' | 'all';
}

export interface TuneCommandContext {
  flags: TuneCommandFlags;
  json: boolean;
  /** The live view: 'ink' draws the capacity-search dashboard on stderr; 'plain' prints one line per step (default from json). */
  mode?: OutputMode;
  loadSpec: () => Promise<LoadedSpec>;
  note: (message: string) => void;
}

function unit<T>(flag: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof UnitError) throw badInput(`${flag}: ${error.message}`, { where: flag, hint: `Expected ${error.expected}.` });
    throw error;
  }
}

/** The spec is optional when a URL is given: tune then works from flags alone. */
async function optionalSpec(ctx: TuneCommandContext): Promise<LoadedSpec | null> {
  try {
    return await ctx.loadSpec();
  } catch (error) {
    const { isSpecNotFound } = await import('../spec/index.js');
    const enough = ctx.flags.url || (ctx.flags.restore && ctx.flags.name);
    if (isSpecNotFound(error) && ctx.flags.config === undefined && enough && !ctx.flags.write && !ctx.flags.local) return null;
    throw error;
  }
}

export async function runTuneCommand(ctx: TuneCommandContext): Promise<{ result: TuneResult; exitCode: ExitCode }> {
  const { flags } = ctx;
  const loaded = await optionalSpec(ctx);
  const spec = loaded?.spec ?? null;
  if (flags.local && flags.url) throw badInput('pass either a URL or --local, not both', { where: '--local' });
  if (flags.local && !spec) throw badInput('--local needs a spec with local.command', { where: '--local', hint: 'Run mdl init, or pass --config <file>.' });
  if (flags.local && flags.cluster) throw badInput('pass either --local or --cluster, not both', { where: '--cluster' });
  checkOutputs(flags, loaded);
  if (flags.verify && !flags.local) {
    throw badInput('--verify replays the chosen setting on the local runtime, so it needs --local', { where: '--verify', hint: 'Add --local, or run mdl replay --from <TuneResult> afterwards.' });
  }
  const slo = resolveSlo(flags.slo, spec?.slo);
  const replicas = flags.replicas ?? 1;
  if (!(Number.isInteger(replicas) && replicas >= 1)) throw badInput('--replicas must be a whole number of at least 1', { where: '--replicas' });
  const { chooseRuntime } = await import('../tune/runtime-choice.js');
  const protocol = flags.protocol ?? spec?.loadtest.protocol;
  const runtimeChoice = chooseRuntime({ flagRuntime: flags.runtime, protocol, specRuntime: spec?.runtime });
  const runtime = runtimeChoice.runtime;
  const runtimeNote = runtimeChoice.from === 'protocol' ? `Runtime ${runtime}, implied by protocol ${protocol}, decides the metric and the axis; --runtime chooses another.` : null;
  const windowMs = flags.window ? unit('--window', () => parseDurationMs(flags.window!)) : undefined;
  if (windowMs !== undefined && windowMs < 1000) throw badInput('--window must be at least 1s', { where: '--window' });
  const level = (flag: '--start-level' | '--max-level', v: string | undefined) => {
    if (v === undefined) return undefined;
    const x = unit(flag, () => parseRatePerSecond(v));
    if (!(x > 0)) throw badInput(`${flag} must be above 0`, { where: flag });
    return x;
  };
  const startLevel = level('--start-level', flags['start-level']);
  const maxLevel = level('--max-level', flags['max-level']);
  const timeout = flags.timeout ?? `${Math.max(5000, Math.round(slo.latencyMs * 10))}ms`;

  // The first request of the cold-start probe is the same request the search sends; filled in below.
  const firstRequest: FirstRequest = { url: '' };
  let local: LocalTarget | null = null;
  if (flags.local && spec) {
    ctx.note(`» starting ${replicas} local replica(s) of ${spec.name}`);
    const { startLocalTarget } = await import('../tune/local-target.js');
    local = await startLocalTarget(spec, replicas, firstRequest);
  }
  if (flags.cluster) {
    return tuneOnCluster(ctx, { spec, loaded, slo, replicas, runtime, runtimeNote, windowMs, startLevel, maxLevel, timeout, local: null, cluster: null, firstRequest });
  }
  try {
    return await tuneWith(ctx, { spec, loaded, slo, replicas, runtime, runtimeNote, windowMs, startLevel, maxLevel, timeout, local, cluster: null, firstRequest });
  } finally {
    await local?.stop();
  }
}

/** The deployed model's name, for --cluster and --restore: --name, else the spec's. */
function modelName(flags: TuneCommandFlags, spec: ModelSpec | null, flag: '--cluster' | '--restore'): string {
  const name = flags.name ?? spec?.name;
  if (!name) throw badInput(`${flag} needs the model's name`, { where: '--name', hint: "Pass --name, or run where the spec is (or pass --config)." });
  return name;
}

/**
 * --cluster: pin the model's autoscaler to N replicas, tune, and restore it whatever happens — on success,
 * on an error, and on SIGINT/SIGTERM (which stop the search gracefully, as without --cluster). While the
 * bounds are being restored a further signal does not kill the process; SIGKILL leaves the annotation for
 * `mdl tune --restore`.
 */
async function tuneOnCluster(ctx: TuneCommandContext, r: Resolved): Promise<{ result: TuneResult; exitCode: ExitCode }> {
  const { flags } = ctx;
  const name = modelName(flags, r.spec, '--cluster');
  // Checked before pinning: mdl does not reach the Service by itself, the URL must.
  if (!flags.url && !r.spec?.loadtest.url) {
    throw badInput('--cluster needs the URL at which the model\'s Service answers', {
      where: 'URL',
      hint: 'Pass it (an Ingress or LoadBalancer address) or set loadtest.url in the spec.',
    });
  }
  const readyTimeoutMs = unit('--ready-timeout', () => parseDurationMs(flags['ready-timeout'] ?? '10m'));
  // A later signal does not end the process here: the pinned autoscaler is restored first, whatever happens.
  const stops = handleStopSignals({
    onRepeat: () => ctx.note('Restoring the autoscaler first; mdl exits when that is done (SIGKILL leaves it pinned: then run mdl tune --restore).'),
  });
  const interrupt = stops;
  try {
    const { startClusterTarget } = await import('../tune/cluster-target.js');
    const cluster = await startClusterTarget({
      name,
      ...(r.spec ? { engine: r.spec.scaling.engine } : {}),
      ...kubeTargetOptions(flags),
      replicas: r.replicas,
      readyTimeoutMs,
      firstRequest: r.firstRequest,
      signal: interrupt.signal,
      note: ctx.note,
    });
    let outcome: { result: TuneResult; exitCode: ExitCode } | undefined;
    let failure: unknown;
    try {
      outcome = await tuneWith(ctx, { ...r, cluster, interrupt });
    } catch (error) {
      failure = error;
    }
    try {
      const restored = await cluster.restore();
      const what = restored.restored && restored.bounds
        ? `restored ${restored.autoscaler} to ${formatBounds(restored.bounds)}`
        : `${restored.autoscaler} was no longer pinned; nothing to restore`;
      ctx.note(`» ${what}`);
      outcome?.result.notes.push(`After the run, ${what}.`);
    } catch (error) {
      ctx.note(`Could not restore ${cluster.info.autoscaler}: ${(error as Error).message}`);
      if (failure === undefined) {
        failure = new MdlError(`${cluster.info.autoscaler} is still pinned to ${r.replicas} replica(s): restoring it failed (${(error as Error).message})`, {
          exitCode: ExitCode.cluster,
          hint: `Run mdl tune --restore --name ${name}${flags.namespace ? ` --namespace ${flags.namespace}` : ''}${flags.context ? ` --context ${flags.context}` : ''}${flags.kubeconfig ? ` --kubeconfig ${flags.kubeconfig}` : ''} once the cluster can be reached.`,
          cause: error,
        });
      }
    }
    if (failure !== undefined) throw failure;
    return outcome!;
  } finally {
    stops.dispose();
  }
}

/** `mdl tune --restore`: the bounds recorded on the model's autoscaler, put back. Exit 0 also when it was not pinned. */
export async function runTuneRestore(ctx: TuneCommandContext): Promise<RestoreResult> {
  const { flags } = ctx;
  if (flags.url || flags.local) throw badInput('--restore takes no URL and no --local: it only repairs the autoscaler', { where: '--restore' });
  const spec = (await optionalSpec(ctx))?.spec ?? null;
  const name = modelName(flags, spec, '--restore');
  const { restorePinnedAutoscaler } = await import('../tune/cluster-target.js');
  const result = await restorePinnedAutoscaler({
    name,
    ...(spec ? { engine: spec.scaling.engine } : {}),
    ...kubeTargetOptions(flags),
  });
  ctx.note(result.restored && result.bounds
    ? `Restored ${result.autoscaler} in namespace ${result.namespace} to ${formatBounds(result.bounds)} (mdl tune had pinned it to ${result.pinnedReplicas} since ${result.pinnedAt}).`
    : `${result.autoscaler} in namespace ${result.namespace} is not pinned by mdl tune: nothing to restore.`);
  return result;
}

interface Resolved {
  spec: ModelSpec | null;
  loaded: LoadedSpec | null;
  slo: ReturnType<typeof resolveSlo>;
  replicas: number;
  runtime: string;
  /** Set when the protocol chose the runtime (src/tune/runtime-choice.ts). */
  runtimeNote: string | null;
  windowMs: number | undefined;
  startLevel: number | undefined;
  maxLevel: number | undefined;
  timeout: string;
  local: LocalTarget | null;
  cluster: ClusterTarget | null;
  firstRequest: FirstRequest;
  /** Set by --cluster, whose signal handlers outlive the search (see tuneOnCluster). */
  interrupt?: StopSignals;
}

type TuneOutcome = { result: TuneResult; exitCode: ExitCode };
type LoadOptions = import('../load/engine.js').LoadOptions;
/** The live dashboard, once started: the measure's snapshots and the stop handler reach it through this. */
interface LiveView {
  view: import('../ui/tune-view.js').TuneLiveView | null;
}

/** The request (resolveRequest), the measure and the search (here), then the outputs (writeResults) and the exit code. */
async function tuneWith(ctx: TuneCommandContext, r: Resolved): Promise<TuneOutcome> {
  const { flags } = ctx;
  const { base, redactor } = await resolveRequest(ctx, r);
  const note = (message: string) => ctx.note(redactor.text(message));
  const [{ runLoad }, { engineMeasure }, { runTune }, { metricFor }, { simulatorFor }] = await Promise.all([
    import('../load/engine.js'),
    import('../tune/engine-measure.js'),
    import('../tune/run-tune.js'),
    import('../tune/recommend.js'),
    import('../tune/simulate-adapter.js'),
  ]);
  const metric = metricFor(r.runtime, (r.spec?.resources.gpu ?? 0) > 0);
  const [{ proofMetricPipeline }, { DEFAULT_SYNC_PERIOD_MS }] = await Promise.all([import('../replay/simulate-replay.js'), import('../local/options.js')]);
  const pipeline = proofMetricPipeline(r.local !== null);
  const live: LiveView = { view: null };
  const measure = engineMeasure({
    url: base.url,
    arrival: flags.arrival === 'poisson' ? 'poisson' : 'constant',
    warmupMs: parseWarmup(flags.warmup),
    // The dashboard also draws the step's per-second snapshots.
    runLoad: (o, hooks) =>
      runLoad(
        // The local runtime listens on 127.0.0.1: never through a proxy.
        { ...base, ...o, thresholds: [], ...(r.local ? { direct: true } : {}) },
        {
          ...hooks,
          onSnapshot: (s) => {
            hooks.onSnapshot?.(s);
            live.view?.snapshot(s);
          },
        },
      ),
  });

  const maxErrorRate = parseMaxErrorRate(flags['max-error-rate']);
  const mode: OutputMode = ctx.mode ?? (ctx.json ? 'json' : 'plain');
  const axis: SearchAxis = (flags.axis as SearchAxis | undefined) ?? metric.axis;
  const controller = new AbortController();
  // q in the dashboard, SIGINT and SIGTERM stop the same way: the current window finishes, then the report;
  // a second signal ends the process at once (with --cluster the caller owns the signals, see tuneOnCluster).
  const onStop = () => {
    if (controller.signal.aborted) return;
    if (mode === 'ink') live.view?.stopping();
    else note('Stopping: finishing the current window, then reporting what was measured…');
    controller.abort();
  };
  const stops = r.interrupt ? null : handleStopSignals();
  const interrupt = r.interrupt?.signal ?? stops!.signal;
  const options = tuneOptions(ctx, r, {
    url: redactor.url(base.url),
    measure,
    maxErrorRate,
    simulatorFor: pipeline ? (input) => simulatorFor({ ...input, metricPipeline: pipeline }) : simulatorFor,
    signal: controller.signal,
    onEvent: (e) => {
      if (live.view) return live.view.event(e);
      if (mode === 'json') return;
      const line = formatTuneEvent(e, r.slo.percentile);
      if (line) note(line);
    },
  });
  let result: TuneResult;
  try {
    try {
      if (mode === 'ink') {
        const [{ startTuneView }, { DEFAULT_STABILITY }] = await Promise.all([import('../ui/tune-view.js'), import('../tune/windows.js')]);
        live.view = await startTuneView({ mode, config: { axis, slo: r.slo, maxWindows: DEFAULT_STABILITY.maxWindows, url: redactor.url(base.url), protocol: base.protocol ?? 'http' }, onStop: () => (r.interrupt ?? stops!).stop() });
      }
      if (interrupt.aborted) onStop();
      interrupt.addEventListener('abort', onStop, { once: true });
      result = redactor.value(await runTune(options));
    } catch (error) {
      // Nothing passed and the requests mostly failed: the endpoint or the flags are wrong (exit 99, as loadtest).
      const { ErrorBoundExceeded, errorBoundError } = await import('../load/error-bound.js');
      if (error instanceof ErrorBoundExceeded) throw errorBoundError(error.breach, error.maxErrorRate, redactor.url(base.url));
      throw error;
    } finally {
      interrupt.removeEventListener('abort', onStop);
      // The final frame stays on screen; the text summary follows it.
      await live.view?.finish();
    }
    // The handlers stay in place while the outputs are written, so that a first signal now cannot kill the process mid-write.
    await writeResults(ctx, r, result, { base, note, syncPeriodMs: DEFAULT_SYNC_PERIOD_MS });
  } finally {
    stops?.dispose();
  }
  return { result, exitCode: tuneExitCode(result, interrupt) };
}

/**
 * The request the search sends, from flags over the spec, and the redactor for everything tune shows.
 * Fills in r.firstRequest: the cold-start probe's first request is the search's own.
 */
async function resolveRequest(ctx: TuneCommandContext, r: Resolved): Promise<{ base: LoadOptions; redactor: Redactor }> {
  const { flags } = ctx;
  const { spec, local, timeout } = r;
  const base = await buildLoadOptions(
    {
      url: local?.url ?? flags.url,
      rate: '1',
      duration: '1s',
      timeout,
      ...(flags.protocol ? { protocol: flags.protocol } : {}),
      ...(flags.method ? { method: flags.method } : {}),
      ...(flags.header ? { header: flags.header } : {}),
      ...(flags['spec-headers'] ? { 'spec-headers': true } : {}),
      ...(flags['show-secrets'] ? { 'show-secrets': true } : {}),
      ...(flags.body !== undefined ? { body: flags.body } : {}),
      ...(flags.payload ? { payload: flags.payload } : {}),
      ...(flags.model ? { model: flags.model } : {}),
    },
    spec
      ? {
          ...(spec.loadtest.url ? { url: new URL(spec.loadtest.path, spec.loadtest.url).toString() } : {}),
          protocol: spec.loadtest.protocol,
          ...(spec.loadtest.model ? { model: spec.loadtest.model } : {}),
          headers: spec.loadtest.headers,
          ...(spec.loadtest.payload?.kind === 'file' ? { payload: spec.loadtest.payload.path } : {}),
        }
      : {},
    { env: process.env, warn: (m) => process.stderr.write(`${m}\n`) },
  );
  // What tune prints, writes and returns shows no header value or URL user info (src/load/redact.ts).
  const redactor = createRedactor({ urls: [base.url], headers: base.headers, show: base.showSecrets });
  if (spec?.loadtest.payload?.kind === 'inline' && flags.body === undefined && flags.payload === undefined) {
    base.body = JSON.stringify(spec.loadtest.payload.value);
    if (!base.method) base.method = 'POST';
  }
  const firstBody = base.body ?? (base.payload?.[0] && typeof base.payload[0] === 'object' && 'body' in base.payload[0] ? JSON.stringify((base.payload[0] as { body: unknown }).body) : undefined);
  Object.assign(r.firstRequest, {
    url: base.url,
    ...(base.method ? { method: base.method } : {}),
    ...(firstBody !== undefined ? { body: firstBody } : {}),
    headers: base.headers ?? {},
  });
  return { base, redactor };
}

/** The library call's options: the resolved target and SLO, plus the pieces tuneWith built around them. */
function tuneOptions(
  ctx: TuneCommandContext,
  r: Resolved,
  parts: Pick<TuneOptions, 'url' | 'measure' | 'simulatorFor' | 'signal' | 'onEvent'> & { maxErrorRate: ReturnType<typeof parseMaxErrorRate> },
): TuneOptions {
  const { flags } = ctx;
  const { spec, slo, replicas, runtime, windowMs, startLevel, maxLevel, local, cluster } = r;
  return {
    url: parts.url,
    local: local !== null,
    runtime,
    hasGpu: (spec?.resources.gpu ?? 0) > 0,
    slo,
    replicas,
    cluster: cluster?.info ?? null,
    ...(flags.axis ? { axis: flags.axis as SearchAxis } : {}),
    measure: parts.measure,
    search: {
      maxErrorRate: parts.maxErrorRate,
      ...(windowMs !== undefined ? { windowMs } : {}),
      ...(startLevel !== undefined ? { startLevel } : {}),
      ...(maxLevel !== undefined ? { maxLevel } : {}),
    },
    coldStart: local ? { probe: local.coldStart, where: 'local runtime' } : cluster ? { probe: cluster.coldStart, where: cluster.where } : null,
    traffic: trafficFromSpec(spec),
    current: currentFromSpec(spec),
    price: spec?.cost ?? null,
    // The KEDA trigger tune prints names the spec's deployment and Prometheus, as render does.
    ...(spec
      ? { deployment: { name: spec.name, ...(flags.namespace ? { namespace: flags.namespace } : {}), keda: { serverAddress: spec.scaling.keda.serverAddress, activationThreshold: spec.scaling.keda.activationThreshold } } }
      : {}),
    simulatorFor: parts.simulatorFor,
    ...(flags['max-replicas'] !== undefined ? { maxReplicasLimit: flags['max-replicas'] } : {}),
    signal: parts.signal,
    onEvent: parts.onEvent,
  };
}

/** After the search: notes, the printed result, then --verify, --report and --write, in that order. */
async function writeResults(
  ctx: TuneCommandContext,
  r: Resolved,
  result: TuneResult,
  { base, note, syncPeriodMs }: { base: LoadOptions; note: (message: string) => void; syncPeriodMs: number },
): Promise<void> {
  const { flags } = ctx;
  if (r.runtimeNote) result.notes.unshift(r.runtimeNote);
  if (r.local && result.simulation) {
    result.notes.push(`The simulation modelled the local runtime's metric pipeline: the balancer's average over the ${syncPeriodMs / 1000} s sync period, read at the sync (a cluster's HPA reads each pod's latest scrape, through metrics-server or Prometheus).`);
  }
  note(formatTuneResult(result));
  if (flags.verify) await verifyByReplay(ctx, r, result, base);
  if (flags.report) {
    const { renderTuneReport } = await import('../report/html/tune-report.js');
    await writeOutput(flags.report, renderTuneReport(result), '--report');
    ctx.note(`Report written to ${flags.report}`);
  }
  if (flags.write) await writeBack(ctx, r.loaded, result, flags.force === true);
}

function tuneExitCode(result: TuneResult, interrupt: AbortSignal): ExitCode {
  const passed = result.recommendation !== null && result.simulation?.passed !== false;
  return result.interrupted || interrupt.aborted ? ExitCode.interrupted : passed ? ExitCode.ok : ExitCode.thresholds;
}

/**
 * What --report and --write will write, checked before any load: a multi-minute search must not end by
 * failing to write its result.
 */
function checkOutputs(flags: TuneCommandFlags, loaded: LoadedSpec | null): void {
  if (flags.report) checkWritableFile(flags.report, '--report');
  if (!flags.write) return;
  if (!loaded) throw badInput('--write needs a spec file', { where: '--write', hint: 'Run mdl init, or pass --config <file>.' });
  const { filepath, format } = loaded.source;
  if (format !== 'yaml') {
    throw badInput(`--write edits YAML specs only; ${filepath} is ${format}`, { where: '--write', hint: 'Drop --write and copy the recommended scaling section from the output into the spec by hand, or keep the spec in YAML.' });
  }
  checkWritableFile(filepath, '--write');
}

async function writeOutput(path: string, text: string, flag: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    throw new MdlError(`cannot write ${path}: ${(error as Error).message}`, { where: flag, hint: 'Pick a file in an existing folder that you can write to.' });
  }
}

/**
 * --verify: after the search, replay the spec's traffic on a fresh local runtime running the chosen setting
 * (and with --verify=all the spec's current one and a static fleet sized for the peak), beside its simulation.
 * The search's runtime is stopped first, so the replay has the machine to itself.
 */
async function verifyByReplay(ctx: TuneCommandContext, r: Resolved, result: TuneResult, base: import('../load/engine.js').LoadOptions): Promise<void> {
  const spec = r.spec;
  const skip = (why: string) => {
    result.notes.push(`Not verified by replay: ${why}.`);
    ctx.note(`» not verified by replay: ${why}`);
  };
  if (!spec) return skip('no spec');
  if (result.interrupted) return skip('the run was interrupted');
  if (!result.recommendation) return skip('there is no recommendation');
  if (!spec.traffic) return skip("the spec has no traffic section to replay (add traffic: { baseline, peak, ramp })");
  await r.local?.stop();
  const [{ replaySettings, resolveSettings }, { profileFromTraffic }, { formatReplay }] = await Promise.all([
    import('./replay.js'),
    import('../autoscale/profile.js'),
    import('../replay/format-text.js'),
  ]);
  const t = spec.traffic;
  const profile = profileFromTraffic({ baselinePerSecond: t.baselinePerSecond, peakPerSecond: t.peakPerSecond, rampSeconds: t.rampMs / 1000 });
  const choices = ['recommended'];
  if (ctx.flags.verify === 'all') {
    if (currentFromSpec(spec)) choices.push('current');
    else result.notes.push(`The spec's current setting is not replayed: the local runtime cannot scale on ${spec.scaling.metric.type}.`);
    choices.push('static');
  }
  const settings = await resolveSettings(choices, result, spec, profile, process.cwd());
  settings[0]!.label = result.simulation?.passed === false ? 'best found' : 'chosen';
  const stops = handleStopSignals({ onStop: () => ctx.note('Stopping the replay: no new requests; reporting what was measured…') });
  try {
    const { url: _url, mode: _mode, ...request } = base;
    ctx.note(`» verifying by replay: ${profile.source}, ${settings.map((s) => s.label).join(', ')}`);
    result.verification = await replaySettings({
      spec,
      tune: result,
      slo: { percentile: result.slo.percentile, latencyMs: result.slo.latencyMs, errorRate: result.slo.errorRate },
      profile,
      settings,
      request,
      signal: stops.signal,
      note: ctx.note,
    });
  } finally {
    stops.dispose();
  }
  if (result.verification.interrupted) result.interrupted = true;
  ctx.note(formatReplay(result.verification));
}

async function writeBack(ctx: TuneCommandContext, loaded: LoadedSpec | null, result: TuneResult, force: boolean): Promise<void> {
  if (!loaded) throw badInput('--write needs a spec file', { where: '--write', hint: 'Run mdl init, or pass --config <file>.' });
  const { scalingPatch, writeDecision, writeScaling } = await import('../tune/write-back.js');
  const decision = writeDecision(result, force);
  if (!decision.write || !result.recommendation) {
    ctx.note(`Nothing written: ${decision.write ? 'there is no recommendation' : decision.why}.`);
    return;
  }
  const { filepath, format } = loaded.source;
  if (format !== 'yaml') {
    throw badInput(`--write edits YAML specs only; ${filepath} is ${format}`, { where: filepath, hint: 'Copy the recommended scaling section from the output into the spec by hand.' });
  }
  const text = loaded.source.text ?? (await readFile(filepath, 'utf8'));
  const out = writeScaling(text, scalingPatch(result.recommendation), filepath, loaded.source.environment);
  if (!out.changed) {
    ctx.note(`${filepath} already holds these settings.`);
    return;
  }
  await writeOutput(filepath, out.text, '--write');
  ctx.note(`\nWrote the recommendation to ${filepath}:\n${out.diff}`);
}
