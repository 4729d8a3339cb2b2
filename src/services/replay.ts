/**
 * `mdl replay` between flags and the library: the spec (its local runtime and request), the TuneResult (the
 * measured capacity curve and cold start the simulation uses, and the recommended setting), the profile and
 * the settings to run; then one replay per setting (src/replay/run-replay.ts). `mdl tune --verify` calls
 * `replaySettings` with the TuneResult it just made.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { looksLikeProfileFile, parseProfileFile, parseProfileShape, peakRate, profileFromTraffic, rampStartS, type Profile } from '../autoscale/profile.js';
import { handleStopSignals } from '../cli/stop-signals.js';
import { badInput, ExitCode } from '../errors.js';
import type { LoadOptions } from '../load/engine.js';
import type { LoadedSpec, ModelSpec } from '../spec/index.js';
import { readTuneResultFile, type TuneResultFile } from '../tune/read-result.js';
import type { Slo } from '../tune/types.js';
import { parseDurationMs, UnitError } from '../units.js';
import type { ReplayDocument, ReplayRun } from '../replay/types.js';
import type { ReplaySettings } from '../replay/settings.js';

export interface ReplayFlags {
  from?: string;
  settings?: string[];
  profile?: string;
  'sync-period'?: string;
  seed?: number;
  timeout?: string;
}

export interface ReplayContext {
  flags: ReplayFlags;
  cwd: string;
  loadSpec: () => Promise<LoadedSpec>;
  note: (line: string) => void;
}

async function readText(path: string, cwd: string, where: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw badInput(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { where, hint: 'Check the path; it is relative to the current directory.' });
  }
}

/** --profile: a file of rows, a named shape, or (neither) the spec's traffic. */
export async function resolveProfile(value: string | undefined, spec: ModelSpec, cwd: string): Promise<Profile> {
  if (value !== undefined) {
    if (looksLikeProfileFile(value)) return parseProfileFile(await readText(value, cwd, '--profile'), value);
    return parseProfileShape(value, '--profile');
  }
  const t = spec.traffic;
  if (!t) {
    throw badInput('no profile to replay: the spec has no traffic section and no --profile was given', {
      where: '--profile',
      hint: 'Pass --profile spike,baseline=20,peak=300,at=30s,rise=15s,hold=90s,duration=3m (or a CSV/JSONL file of seconds,rps rows), or add traffic: { baseline: 20rps, peak: 300rps, ramp: 15s } to the spec.',
    });
  }
  return profileFromTraffic({ baselinePerSecond: t.baselinePerSecond, peakPerSecond: t.peakPerSecond, rampSeconds: t.rampMs / 1000 });
}

export async function readTuneResult(path: string | undefined, cwd: string): Promise<TuneResultFile> {
  if (!path) {
    throw badInput('replay needs the measured capacity and cold start to simulate with', {
      where: '--from',
      hint: 'Pass --from tune.json, written by  mdl tune --local --json > tune.json.',
    });
  }
  return readTuneResultFile(path, cwd, '--from');
}

function coldStartOf(tune: TuneResultFile, spec: ModelSpec): { ms: number; source: string } {
  const c = tune.coldStartMs;
  if (c) return { ms: c.value, source: `tune (${c.source}: ${c.note})` };
  return { ms: spec.health.startup.maxLoadMs, source: "the spec's health.startup worst case" };
}

/** --settings values → the settings to replay, in order, with labels. */
export async function resolveSettings(choices: string[], tune: TuneResultFile, spec: ModelSpec, profile: Profile, cwd: string): Promise<Array<{ label: string; settings: ReplaySettings }>> {
  const [{ recommendedSettings, staticSettings, staticFleetFor, parseSettingsFile, parseStaticChoice, SETTINGS_HINT }, { currentFromSpec }] = await Promise.all([
    import('../replay/settings.js'),
    import('../tune/spec-settings.js'),
  ]);
  const metric = tune.recommendation?.metric.kind ?? 'rps';
  const out: Array<{ label: string; settings: ReplaySettings }> = [];
  for (const choice of choices) {
    if (choice === 'recommended') {
      if (!tune.recommendation) throw badInput('the TuneResult has no recommendation to replay', { where: '--settings', hint: SETTINGS_HINT });
      out.push({ label: 'recommended', settings: recommendedSettings(tune.recommendation) });
    } else if (choice === 'current') {
      const current = currentFromSpec(spec);
      if (!current) throw badInput(`the spec's scaling metric (${spec.scaling.metric.type}) cannot run on the local runtime`, { where: 'scaling.metric.type', hint: 'Use an --env overlay with a concurrency, rps or cpu metric.' });
      out.push({ label: 'current', settings: { ...current, metric: current.metric ?? metric } });
    } else if (choice === 'static' || parseStaticChoice(choice) !== null) {
      const perSecond = tune.capacityPerReplica?.perSecond.value;
      const n = parseStaticChoice(choice) ?? (perSecond ? staticFleetFor(peakRate(profile), perSecond) : null);
      if (n === null) throw badInput('a static fleet sized for the peak needs the measured capacity, and the TuneResult has none', { where: '--settings', hint: 'Give the size: --settings static:4.' });
      out.push({ label: `static ${n}`, settings: staticSettings(n, metric, tune.recommendation?.target.value ?? 1) });
    } else {
      out.push({ label: choice, settings: parseSettingsFile(await readText(choice, cwd, '--settings'), choice) });
    }
  }
  return out;
}

export interface ReplaySettingsInput {
  spec: ModelSpec;
  tune: TuneResultFile;
  slo: Slo;
  profile: Profile;
  settings: Array<{ label: string; settings: ReplaySettings }>;
  request: Omit<LoadOptions, 'url' | 'mode'>;
  syncPeriodMs?: number;
  seed?: number;
  signal?: AbortSignal;
  note: (line: string) => void;
}

/** One replay per setting, one after the other (each on a fresh runtime); stops after the run the signal interrupts. */
export async function replaySettings(input: ReplaySettingsInput): Promise<ReplayDocument> {
  const [{ runReplay }, { localOptionsFromSpec }] = await Promise.all([import('../replay/run-replay.js'), import('../local/from-spec.js')]);
  const started = Date.now();
  const cold = coldStartOf(input.tune, input.spec);
  const runtime = localOptionsFromSpec(input.spec, input.syncPeriodMs === undefined ? {} : { syncPeriodMs: input.syncPeriodMs });
  const runs: ReplayRun[] = [];
  for (const s of input.settings) {
    if (input.signal?.aborted) break;
    runs.push(
      await runReplay({
        label: s.label,
        settings: s.settings,
        profile: input.profile,
        slo: input.slo,
        runtime,
        path: input.spec.loadtest.path,
        request: input.request,
        tune: { curve: input.tune.search.curve, axis: input.tune.search.axis, coldStartMs: cold.ms, coldStartSource: cold.source },
        ...(input.seed !== undefined ? { seed: input.seed } : {}),
        ...(input.signal ? { signal: input.signal } : {}),
        note: input.note,
      }),
    );
  }
  return {
    schemaVersion: 1,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    interrupted: input.signal?.aborted === true || runs.some((r) => r.measured.interrupted),
    model: input.spec.name,
    profile: { source: input.profile.source, points: input.profile.points, rampStartS: rampStartS(input.profile), peakPerSecond: peakRate(input.profile) },
    slo: input.slo,
    capacity: { source: `the TuneResult's capacity curve (${input.tune.search.curve.length} steps)`, perSecond: input.tune.capacityPerReplica?.perSecond.value ?? null },
    ...(input.spec.cost ? { price: input.spec.cost } : {}),
    runs,
  };
}

/** The request the replay sends: the spec's loadtest section (method, body or payload, headers). */
export async function replayRequest(spec: ModelSpec, timeout: string | undefined, slo: Slo): Promise<Omit<LoadOptions, 'url' | 'mode'>> {
  const { buildLoadOptions, specDefaults } = await import('../cli/loadtest-options.js');
  const t = timeout ?? `${Math.max(5000, Math.round(slo.latencyMs * 10))}ms`;
  const { url: _url, mode: _mode, ...request } = await buildLoadOptions({ url: 'http://127.0.0.1/', rate: '1', duration: '1s', timeout: t }, specDefaults(spec));
  return request;
}

export async function runReplayCommand(ctx: ReplayContext): Promise<{ doc: ReplayDocument; exitCode: ExitCode }> {
  const { flags } = ctx;
  const { spec } = await ctx.loadSpec();
  if (!spec.local) {
    throw badInput('mdl replay runs the spec\'s model on the local runtime, and the spec has no local.command', {
      where: 'local.command',
      hint: 'Add e.g.  local: { command: "python serve.py --port {port}" }  ({port} is filled in per replica).',
    });
  }
  const tune = await readTuneResult(flags.from, ctx.cwd);
  const profile = await resolveProfile(flags.profile, spec, ctx.cwd);
  const settings = await resolveSettings(flags.settings?.length ? flags.settings.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean) : ['recommended'], tune, spec, profile, ctx.cwd);
  let syncPeriodMs: number | undefined;
  if (flags['sync-period'] !== undefined) {
    try {
      syncPeriodMs = parseDurationMs(flags['sync-period']);
    } catch (error) {
      throw badInput(`--sync-period: ${(error as UnitError).message}`, { where: '--sync-period', hint: `Use ${(error as UnitError).expected}.` });
    }
    if (!(syncPeriodMs >= 1000)) throw badInput('--sync-period must be at least 1s', { where: '--sync-period' });
  }
  const slo: Slo = { percentile: tune.slo.percentile, latencyMs: tune.slo.latencyMs, errorRate: tune.slo.errorRate };
  const request = await replayRequest(spec, flags.timeout, slo);
  // Ctrl-C and SIGTERM stop the load; what was measured is kept and reported (exit 130); a second signal
  // exits at once (src/cli/stop-signals.ts).
  const stops = handleStopSignals({ onStop: () => ctx.note('Stopping: no new requests; reporting what was measured…') });
  try {
    const doc = await replaySettings({
      spec,
      tune,
      slo,
      profile,
      settings,
      request,
      ...(syncPeriodMs !== undefined ? { syncPeriodMs } : {}),
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      signal: stops.signal,
      note: ctx.note,
    });
    return { doc, exitCode: doc.interrupted ? ExitCode.interrupted : ExitCode.ok };
  } finally {
    stops.dispose();
  }
}
