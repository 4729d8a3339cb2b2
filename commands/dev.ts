import { Flags } from '@oclif/core';
import { MdlCommand } from '../src/cli/base-command.js';
import { durationFlag } from '../src/cli/flags.js';
import { badInput } from '../src/errors.js';

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
    'sync-period': durationFlag({ description: 'Autoscaler sync period, e.g. 15s (the HPA default) or 5s', default: '15s' }),
  };

  public async run(): Promise<void> {
    if (this.jsonEnabled()) {
      throw badInput('mdl dev runs in the foreground and has no JSON result.', {
        where: '--json',
        hint: 'Read the state as JSON from GET <url>/.mdl/status while it runs.',
      });
    }
    const { runDevCommand } = await import('../src/services/dev.js');
    this.resultExitCode = await runDevCommand({ flags: this.flags, mode: this.outputMode, note: (m) => this.note(m) });
  }
}
