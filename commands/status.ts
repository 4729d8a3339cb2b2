import { Flags } from '@oclif/core';
import { MdlCommand } from '../src/cli/base-command.js';
import { durationFlag } from '../src/cli/flags.js';
import { kubeFlags } from '../src/cli/kube-flags.js';
import { OUTPUT_FORMATS } from '../src/cli/output-format.js';
import type { ModelStatus } from '../src/kube/status.js';

export default class Status extends MdlCommand<typeof Status> {
  static override description =
    "Show the model's replicas, pods, autoscaler metrics against targets, conditions and recent scaling events";

  static override examples = [
    '<%= config.bin %> status --name sentiment',
    '<%= config.bin %> status --name sentiment --watch',
    '<%= config.bin %> status --name sentiment -o yaml',
    '<%= config.bin %> status --name sentiment -o name',
    '<%= config.bin %> status --name sentiment --json',
  ];

  static override flags = {
    ...kubeFlags,
    output: Flags.string({
      char: 'o',
      options: [...OUTPUT_FORMATS],
      description: 'Print the status as yaml or json (the --json document), or name: kind.group/name lines of its Deployment, pods and HPA (default: text)',
    }),
    watch: Flags.boolean({ char: 'w', description: 'Keep showing the status until interrupted (or --watch-for passes)' }),
    'watch-for': durationFlag({ description: 'Stop watching after this long (e.g. 5m)', dependsOn: ['watch'] }),
    // At least 1 s: a shorter poll asks the API server for the same objects many times a second.
    interval: durationFlag({ default: '2s', minMs: 1000, description: 'How often --watch refreshes (at least 1s)' }),
  };

  public async run(): Promise<ModelStatus> {
    const [{ runStatusCommand }, { formatStatus, formatStatusAs }] = await Promise.all([import('../src/services/status.js'), import('../src/kube/status.js')]);
    const format = this.flags.output as 'yaml' | 'json' | 'name' | undefined;
    const toYaml = format === 'yaml' ? (await import('yaml')).stringify : undefined;
    const print = (line: string) => {
      if (!this.jsonEnabled()) process.stdout.write(`${line}\n`);
    };
    const { status, exitCode } = await runStatusCommand({
      flags: this.flags,
      mode: this.outputMode,
      show: (s) => print(format ? formatStatusAs(s, format, toYaml ?? JSON.stringify) : formatStatus(s).join('\n')),
      separator: print,
    });
    this.resultExitCode = exitCode;
    return status;
  }
}
