/**
 * `mdl tune --check FILE` between flags and the library: read the TuneResult and the spec, simulate the
 * spec's current settings on the measured capacity with the same simulator tune's proof uses
 * (src/tune/simulate-adapter.ts), and return the verdict (src/tune/check.ts). Exit 99 when it fails.
 */
import { badInput, ExitCode, isMdlError } from '../errors.js';
import type { LoadedSpec } from '../spec/load.js';
import { checkReason, judgeSettings, type TuneCheckResult } from '../tune/check.js';
import { defaultColdStart } from '../tune/cold-start.js';
import { readTuneResultFile } from '../tune/read-result.js';
import { resolveSlo } from '../tune/slo.js';
import { proofMetricPipeline } from '../replay/simulate-replay.js';
import { simulatorFor } from '../tune/simulate-adapter.js';
import { currentFromSpec, trafficFromSpec } from '../tune/spec-settings.js';

export interface TuneCheckContext {
  file: string;
  slo?: string[] | undefined;
  /** Flags that make no sense with --check (a target, --write…), by name: any given is an error. */
  conflicting: string[];
  loadSpec: () => Promise<LoadedSpec>;
}

export async function runTuneCheck(ctx: TuneCheckContext): Promise<{ result: TuneCheckResult; exitCode: ExitCode }> {
  if (ctx.conflicting.length > 0) {
    throw badInput(`--check takes no ${ctx.conflicting.join(', ')}: it sends no load and changes nothing`, {
      where: '--check',
      hint: 'Run mdl tune --check FILE alone (with --config/--env/--slo), or tune without --check.',
    });
  }
  const measured = await readTuneResultFile(ctx.file, process.cwd(), '--check');

  const loaded = await ctx.loadSpec();
  const { spec } = loaded;
  const file = loaded.source.filepath.split('/').pop()!;
  const settings = currentFromSpec(spec);
  if (!settings?.metric) {
    throw badInput(`the simulator models the concurrency, rps and cpu metrics; ${file} scales on ${spec.scaling.metric.type}`, {
      where: `${file} scaling.metric.type`,
      hint: 'mdl tune --check judges concurrency, rps or cpu scaling; use mdl simulate with --metric for a what-if.',
    });
  }
  const traffic = trafficFromSpec(spec);
  if (!traffic) {
    throw badInput(`${file} has no traffic section to simulate the settings over`, {
      where: `${file} traffic`,
      hint: 'Add traffic: { baseline: 20rps, peak: 400rps, ramp: 2m }.',
    });
  }
  const hasSpecSlo = Object.values(spec.slo.latency ?? {}).some((v) => v !== undefined);
  // The SLO the spec keeps now; a spec without one is judged by the SLO the tune run searched for.
  const slo = ctx.slo?.length || hasSpecSlo
    ? (() => {
        const r = resolveSlo(ctx.slo, spec.slo);
        return { percentile: r.percentile, latencyMs: r.latencyMs, errorRate: r.errorRate, source: r.source === 'flag' ? '--slo' : `${file} slo` };
      })()
    : { percentile: measured.slo.percentile, latencyMs: measured.slo.latencyMs, errorRate: measured.slo.errorRate, source: `${ctx.file} slo` };
  const coldStartMs = measured.coldStartMs ?? defaultColdStart(measured.target.runtime);

  let simulate;
  try {
    // The pipeline the tune's own proof modelled, so that the check judges as that tune judged.
    const pipeline = proofMetricPipeline(measured.target.local === true);
    simulate = simulatorFor({
      curve: measured.search.curve, axis: measured.search.axis, slo, coldStartMs: coldStartMs.value, traffic: traffic.value, metric: settings.metric,
      ...(pipeline ? { metricPipeline: pipeline } : {}),
    });
  } catch (error) {
    if (!isMdlError(error)) throw error;
    throw badInput(`${ctx.file} has no steady measured step to simulate on: ${(error as Error).message}`, {
      where: `${ctx.file} search.curve`,
      hint: 'Run mdl tune again until it measures a capacity, then check against that result.',
    });
  }
  const verdict = judgeSettings(settings, simulate);
  const result: TuneCheckResult = {
    kind: 'tune-check',
    passed: verdict.passed,
    from: { file: ctx.file, startedAt: measured.startedAt, url: measured.target.url, axis: measured.search.axis, capacityPerSecond: measured.search.capacityPerSecond },
    settings: { ...settings, metric: settings.metric, source: `${file} scaling` },
    slo,
    traffic: { ...traffic.value, source: `${file} traffic` },
    coldStartMs,
    budgetSeconds: verdict.budgetSeconds,
    simulation: verdict.simulation,
    reason: checkReason(verdict, slo),
  };
  return { result, exitCode: verdict.passed ? ExitCode.ok : ExitCode.thresholds };
}
