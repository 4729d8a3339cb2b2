/**
 * `mdl dev` between flags and the library: the spec's local runtime (replicas, balancer, autoscaler) in the
 * foreground, drawn live or as plain lines, stopped by the first signal and at once by a second.
 */
import { ExitCode, MdlError, badInput } from '../errors.js';
import { parseDurationMs, UnitError } from '../units.js';
import type { OutputMode } from '../cli/output-mode.js';
import { handleStopSignals, type StopSignals } from '../cli/stop-signals.js';
import type { LocalRuntimeOptions } from '../local/options.js';
import type { ModelSpec } from '../spec/index.js';

export interface DevCommandFlags {
  port?: number | undefined;
  replicas?: number | undefined;
  'sync-period': string;
  config?: string | undefined;
  env?: string | undefined;
}

export interface DevContext {
  flags: DevCommandFlags;
  mode: OutputMode;
  note: (message: string) => void;
}

/** Runs until a signal (or q in the live view); returns the exit code (130: interrupted). */
export async function runDevCommand(ctx: DevContext): Promise<ExitCode> {
  const { flags } = ctx;
  let syncPeriodMs: number;
  try {
    syncPeriodMs = parseDurationMs(flags['sync-period']);
  } catch (error) {
    if (error instanceof UnitError) throw badInput(`--sync-period: ${error.message}`, { where: '--sync-period', hint: `Use ${error.expected}.` });
    throw error;
  }
  const { loadSpec } = await import('../spec/index.js');
  const { localOptionsFromSpec } = await import('../local/from-spec.js');
  const { spec } = await loadSpec({ configPath: flags.config, cwd: process.cwd(), env: flags.env });
  const options = localOptionsFromSpec(spec, {
    port: flags.port,
    replicas: flags.replicas,
    syncPeriodMs,
  });

  const write = (line: string) => process.stderr.write(`${line}\n`);
  // The first signal (or q) drains and stops the replicas; a second one exits at once, and the guards take
  // the replicas down with them.
  const stops = handleStopSignals();
  const signalled = new Promise<string>((resolve) => stops.signal.addEventListener('abort', () => resolve(stops.received ?? 'stop'), { once: true }));
  try {
    return await runUntilStopped(ctx, spec, options, syncPeriodMs, stops, signalled, write);
  } finally {
    stops.dispose();
  }
}

async function runUntilStopped(
  ctx: DevContext,
  spec: ModelSpec,
  options: LocalRuntimeOptions,
  syncPeriodMs: number,
  stops: StopSignals,
  signalled: Promise<string>,
  write: (line: string) => void,
): Promise<ExitCode> {
  const { startLocalRuntime } = await import('../local/runtime.js');
  const { plainReporter } = await import('../local/plain-reporter.js');
  // On a terminal the live view owns stderr; in plain mode the lines below are the interface (CI, e2e tests).
  const view =
    ctx.mode === 'ink'
      ? await (await import('../ui/dev-view.js')).startDevView({ title: spec.name, onStop: () => stops.stop() })
      : undefined;
  const note = (line: string) => {
    if (!view) ctx.note(line);
  };
  note(`mdl dev: starting ${options.replicas} replica(s) of ${spec.name}: ${[options.command].flat().join(' ')}`);
  const starting = startLocalRuntime(options, { listener: view ? (e) => view.listener(e) : plainReporter(write) });
  // A signal while replicas are still starting: wait for the start to settle, then stop them.
  const first = await Promise.race([starting.then((rt) => ({ rt })), signalled.then((signal) => ({ signal }))]).catch(async (error: unknown) => {
    await view?.finish();
    throw error;
  });
  if (!('rt' in first)) {
    view?.stopping();
    await (await starting.catch(() => undefined))?.stop();
    await view?.finish();
    throw new MdlError('Interrupted while the replicas were starting; stopped them.', { exitCode: ExitCode.interrupted });
  }
  const runtime = first.rt;
  const printUrl = () => process.stdout.write(`${runtime.url}\n`);
  if (view) view.url(runtime.url, printUrl);
  else printUrl();
  const m = options.scaling.metric;
  note(
    `mdl dev: ${spec.name} at ${runtime.url} · ${options.scaling.minReplicas}–${options.scaling.maxReplicas} replicas on ` +
      `${m.type} (target ${m.target}) · sync every ${syncPeriodMs / 1000} s · status: ${runtime.url}/.mdl/status · Ctrl-C stops`,
  );
  const signal = await signalled;
  note(`mdl dev: ${signal}: draining and stopping replicas…`);
  view?.stopping();
  await runtime.stop();
  await view?.finish();
  ctx.note('mdl dev: stopped');
  return ExitCode.interrupted;
}
