import { Flags } from '@oclif/core';
import { MdlCommand } from '../src/cli/base-command.js';
import type { ReplayDocument } from '../src/replay/types.js';

export default class Replay extends MdlCommand<typeof Replay> {
  static override description =
    "Play a traffic profile against the local runtime (mdl dev) running given autoscaler settings, record each second, simulate the same profile with the same settings, and show both side by side";

  static override examples = [
    '<%= config.bin %> replay --from tune.json',
    '<%= config.bin %> replay --from tune.json --settings recommended,current,static --profile spike,baseline=20,peak=300,at=30s,rise=15s,hold=90s,duration=3m',
    '<%= config.bin %> replay --from tune.json --settings my-setting.json --profile trace.csv --json > replay.json',
  ];

  static override flags = {
    from: Flags.string({ description: 'TuneResult JSON (mdl tune --local --json): the capacity curve and cold start to simulate with, and the recommended setting', helpGroup: 'INPUT' }),
    settings: Flags.string({
      description: 'Settings to replay, in order: recommended (the TuneResult\'s), current (the spec\'s scaling), static (a fleet sized for the peak), static:N, or a JSON file {metric, target, minReplicas, maxReplicas, scaleUp?, scaleDown?}; repeatable or comma-separated (default recommended)',
      multiple: true,
      helpGroup: 'INPUT',
    }),
    profile: Flags.string({
      description: "Traffic: a CSV/JSONL file of (seconds, requests per second) rows, or a shape: step,from=A,to=B,at=T | spike,baseline=B,peak=P,at=T,rise=T,hold=T | diurnal,baseline=B,peak=P | steady,rate=R | ramp,from=A,to=B,over=T, each with duration=T (default: the spec's traffic: baseline for 2 ramps, the ramp, the peak for 6 ramps, ramp down, baseline for 2 ramps)",
      helpGroup: 'INPUT',
    }),
    'sync-period': Flags.string({ description: "How often the runtime's autoscaler runs (default 15s)", helpGroup: 'RUNTIME' }),
    seed: Flags.integer({ description: 'Seed of the Poisson arrivals (default 1)', helpGroup: 'RUNTIME' }),
    timeout: Flags.string({ description: 'Per-request timeout (default: 10 × the SLO latency, at least 5s)', helpGroup: 'RUNTIME' }),
  };

  public async run(): Promise<ReplayDocument> {
    const [{ runReplayCommand }, { formatReplay }] = await Promise.all([import('../src/services/replay.js'), import('../src/replay/format-text.js')]);
    const { doc, exitCode } = await runReplayCommand({
      flags: {
        ...(this.flags.from !== undefined ? { from: this.flags.from } : {}),
        ...(this.flags.settings !== undefined ? { settings: this.flags.settings } : {}),
        ...(this.flags.profile !== undefined ? { profile: this.flags.profile } : {}),
        ...(this.flags['sync-period'] !== undefined ? { 'sync-period': this.flags['sync-period'] } : {}),
        ...(this.flags.seed !== undefined ? { seed: this.flags.seed } : {}),
        ...(this.flags.timeout !== undefined ? { timeout: this.flags.timeout } : {}),
      },
      cwd: process.cwd(),
      loadSpec: () => this.loadSpec(),
      note: (m) => this.note(m),
    });
    this.note(formatReplay(doc));
    this.resultExitCode = exitCode;
    return doc;
  }
}
