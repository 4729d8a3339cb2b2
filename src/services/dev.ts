/**
 * `mdl dev` between flags and the library: the spec's local runtime (replicas, balancer, autoscaler) in the
 * foreground, drawn live or as plain lines, stopped by the first signal and at once by a second.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, MdlError, badInput } from '../errors.js';
import type { LocalRuntimeEvent } from '../local/events.js';
import { parseDurationMs, UnitError } from '../units.js';
import type { OutputMode } from '../cli/output-mode.js';
import { handleStopSignals, type StopSignals } from '../cli/stop-signals.js';
import type { LocalRuntimeOptions } from '../local/options.js';
import type { ModelSpec } from '../spec/index.js';

export interface DevCommandFlags {
  port?: number | undefined;
  replicas?: number | undefined;
  'sync-period': string;
  /** Replica output lines shown per replica per second (plain mode). */
  'log-rate'?: number | undefined;
  'log-dir'?: string | undefined;
  config?: string | undefined;
  env?: string | undefined;
}

export interface DevContext {
  flags: DevCommandFlags;
  mode: OutputMode;
  /** --json: stdout gets the status document (GET <url>/.mdl/status) once the replicas are ready, not the URL. */
  json?: boolean;
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
  // Every replica line goes to its log file; the terminal gets at most --log-rate a second per replica.
  const { ReplicaLogs } = await import('../local/replica-logs.js');
  const logs = new ReplicaLogs(ctx.flags['log-dir'] ?? mkdtempSync(join(tmpdir(), `mdl-dev-${spec.name}-`)));
  const linesPerSecond = ctx.flags['log-rate'] ?? 20;
  note(`mdl dev: replica output in ${logs.dir}/<replica>.log; at most ${linesPerSecond} lines/s per replica shown here (--log-rate)`);
  const shown = view ? (e: LocalRuntimeEvent) => view.listener(e) : plainReporter(write, { linesPerSecond, logPath: (r) => logs.pathOf(r) });
  const listener = (e: LocalRuntimeEvent) => {
    if (e.type === 'replica-output') logs.write(e.replica, e.line);
    shown(e);
  };
  const starting = startLocalRuntime(options, { listener });
  // A signal while replicas are still starting: wait for the start to settle, then stop them.
  const first = await Promise.race([starting.then((rt) => ({ rt })), signalled.then((signal) => ({ signal }))]).catch(async (error: unknown) => {
    await view?.finish();
    throw error;
  });
  if (!('rt' in first)) {
    view?.stopping();
    await (await starting.catch(() => undefined))?.stop();
    await view?.finish();
    await logs.close();
    throw new MdlError('Interrupted while the replicas were starting; stopped them.', { exitCode: ExitCode.interrupted });
  }
  const runtime = first.rt;
  const printUrl = () => process.stdout.write(ctx.json ? `${JSON.stringify(runtime.status(), null, 2)}\n` : `${runtime.url}\n`);
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
  await logs.close();
  ctx.note('mdl dev: stopped');
  return ExitCode.interrupted;
}
