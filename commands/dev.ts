import { Flags } from '@oclif/core';
import { MdlCommand } from '../src/cli/base-command.js';
import { ExitCode, MdlError, badInput } from '../src/errors.js';
import { parseDurationMs, UnitError } from '../src/units.js';

export default class Dev extends MdlCommand<typeof Dev> {
  static override description =
    "Run the spec's model on this machine: replicas as local processes behind one balancer port, autoscaled " +
    'by the HPA algorithm on the metric the spec names. Runs in the foreground until Ctrl-C.';

  static override examples = [
    '<%= config.bin %> dev -c examples/demo/mdl.config.yaml',
    '<%= config.bin %> dev --port 8080 --replicas 2 --sync-period 5s',
  ];

  static override flags = {
    port: Flags.integer({ char: 'p', description: 'Balancer port on 127.0.0.1 (default: a free port)', env: 'MDL_DEV_PORT', min: 0, max: 65535 }),
    replicas: Flags.integer({ char: 'r', description: "Replicas at start (default: the spec's minReplicas)", min: 1 }),
    'sync-period': Flags.string({ description: 'Autoscaler sync period, e.g. 15s (the HPA default) or 5s', default: '15s' }),
  };

  public async run(): Promise<void> {
    if (this.jsonEnabled()) {
      throw badInput('mdl dev runs in the foreground and has no JSON result.', {
        where: '--json',
        hint: 'Read the state as JSON from GET <url>/.mdl/status while it runs.',
      });
    }
    let syncPeriodMs: number;
    try {
      syncPeriodMs = parseDurationMs(this.flags['sync-period']);
    } catch (error) {
      if (error instanceof UnitError) throw badInput(`--sync-period: ${error.message}`, { where: '--sync-period', hint: `Use ${error.expected}.` });
      throw error;
    }
    const { loadSpec } = await import('../src/spec/index.js');
    const { localOptionsFromSpec } = await import('../src/local/from-spec.js');
    const { startLocalRuntime } = await import('../src/local/runtime.js');
    const { plainReporter } = await import('../src/local/plain-reporter.js');
    const { spec } = await loadSpec({ configPath: this.flags.config, cwd: process.cwd(), env: this.flags.env });
    const options = localOptionsFromSpec(spec, {
      port: this.flags.port,
      replicas: this.flags.replicas,
      syncPeriodMs,
    });

    const write = (line: string) => process.stderr.write(`${line}\n`);
    let stopRequested: ((signal: NodeJS.Signals) => void) | undefined;
    const signalled = new Promise<NodeJS.Signals>((resolve) => (stopRequested = resolve));
    const onSignal = (signal: NodeJS.Signals) => stopRequested?.(signal);
    // On a terminal the live view owns stderr; in plain mode the lines below are the interface (CI, e2e tests).
    const view =
      this.outputMode === 'ink'
        ? await (await import('../src/ui/dev-view.js')).startDevView({ title: spec.name, onStop: () => onSignal('SIGINT') })
        : undefined;
    const note = (line: string) => {
      if (!view) this.note(line);
    };
    note(`mdl dev: starting ${options.replicas} replica(s) of ${spec.name}: ${[options.command].flat().join(' ')}`);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
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
    // A second signal stops at once: the guards take the replicas down with them.
    const force = () => process.exit(ExitCode.interrupted);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.once('SIGINT', force);
    process.once('SIGTERM', force);
    await runtime.stop();
    await view?.finish();
    this.note('mdl dev: stopped');
    this.resultExitCode = ExitCode.interrupted;
  }
}
