import { Flags } from '@oclif/core';
import { MdlCommand } from '../src/cli/base-command.js';
import { kubeFlags } from '../src/cli/kube-flags.js';
import type { ModelStatus } from '../src/kube/status.js';
import { parseDurationMs } from '../src/units.js';

export default class Status extends MdlCommand<typeof Status> {
  static override description =
    "Show the model's replicas, pods, autoscaler metrics against targets, conditions and recent scaling events";

  static override examples = ['<%= config.bin %> status --name sentiment', '<%= config.bin %> status --name sentiment --watch', '<%= config.bin %> status --name sentiment --json'];

  static override flags = {
    ...kubeFlags,
    watch: Flags.boolean({ char: 'w', description: 'Keep showing the status until interrupted (or --watch-for passes)' }),
    'watch-for': Flags.string({ description: 'Stop watching after this long (e.g. 5m)' }),
    interval: Flags.string({ default: '2s', description: 'How often --watch refreshes' }),
  };

  public async run(): Promise<ModelStatus> {
    const f = this.flags;
    // The model's name: --name, else the spec's (or the --manifests Deployment's).
    const name = f.name ?? (await import('../src/cli/model-source.js').then((m) => m.loadModelObjects(f))).name;
    const { readStatus, formatStatus } = await import('../src/kube/status.js');
    const read = () => readStatus({ name, context: f.context, namespace: f.namespace });
    let status = await read();
    const show = (s: ModelStatus) => {
      if (!this.jsonEnabled()) process.stdout.write(`${formatStatus(s).join('\n')}\n`);
    };
    if (f.watch && this.outputMode === 'ink') {
      // The live view on stderr; the last reading is printed on stdout when it ends.
      const { watchStatusLive } = await import('../src/cli/status-watch-view.js');
      status = await watchStatusLive(status, read, { intervalMs: parseDurationMs(f.interval), forMs: f['watch-for'] ? parseDurationMs(f['watch-for']) : undefined });
      show(status);
      return status;
    }
    show(status);
    if (f.watch) {
      const intervalMs = parseDurationMs(f.interval);
      const until = f['watch-for'] ? Date.now() + parseDurationMs(f['watch-for']) : Number.POSITIVE_INFINITY;
      let stop = false;
      process.once('SIGINT', () => { stop = true; });
      while (!stop && Date.now() < until) {
        await new Promise((r) => setTimeout(r, intervalMs));
        status = await read();
        if (!this.jsonEnabled()) process.stdout.write(`--- ${new Date().toISOString()}\n`);
        show(status);
      }
    }
    return status;
  }
}
