import { Flags } from '@oclif/core';
import { MdlCommand } from '../src/cli/base-command.js';
import { durationFlag } from '../src/cli/flags.js';
import { badInput } from '../src/errors.js';

export default class Dev extends MdlCommand<typeof Dev> {
  static override description =
    "Run the spec's model on this machine: replicas as local processes behind one balancer port, autoscaled " +
    'by the HPA algorithm on the metric the spec names. Runs in the foreground until Ctrl-C; with --json, prints ' +
    'the status document once the replicas are ready.';

  static override examples = [
    '<%= config.bin %> dev -c examples/demo/mdl.config.yaml',
    '<%= config.bin %> dev --port 8080 --replicas 2 --sync-period 5s',
    '<%= config.bin %> dev --json > status.json   # the status document once ready; runs until a signal',
    '<%= config.bin %> dev --log-rate 5 --log-dir logs/',
  ];

  static override flags = {
    port: Flags.integer({ char: 'p', description: 'Balancer port on 127.0.0.1 (default: a free port)', env: 'MDL_DEV_PORT', min: 0, max: 65535 }),
    replicas: Flags.integer({ char: 'r', description: "Replicas at start (default: the spec's minReplicas)", min: 1 }),
    'sync-period': durationFlag({ description: 'Autoscaler sync period, e.g. 15s (the HPA default) or 5s', default: '15s' }),
    'log-rate': Flags.integer({
      description: 'Replica output lines shown per replica per second on stderr; the rest are counted in a note (0: none shown)',
      default: 20,
      min: 0,
    }),
    'log-dir': Flags.string({ description: "Folder for each replica's full output, <replica>.log (default: a new folder under the OS temp folder)" }),
  };

  public async run(): Promise<void> {
    const { runDevCommand } = await import('../src/services/dev.js');
    // With --json the status document is printed by the service once the replicas are ready; the command
    // returns nothing, so oclif prints no second document when it ends.
    this.resultExitCode = await runDevCommand({ flags: this.flags, mode: this.outputMode, json: this.jsonEnabled(), note: (m) => this.note(m) });
  }
}
