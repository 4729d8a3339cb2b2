import { Flags } from '@oclif/core';
import { MdlCommand } from '../src/cli/base-command.js';
import type { RenderResult } from '../src/cli/render-output.js';

export default class Render extends MdlCommand<typeof Render> {
  static override description =
    'Render the Kubernetes manifests of the spec: Deployment, Service, PodDisruptionBudget and the autoscaler (HPA or KEDA ScaledObject)';

  static override examples = [
    '<%= config.bin %> render',
    '<%= config.bin %> render --env prod --output k8s/',
    '<%= config.bin %> render --format json | kubectl apply -f -',
  ];

  static override flags = {
    output: Flags.string({
      char: 'o',
      default: '-',
      description: 'A folder to write one file per object into, or - for stdout',
    }),
    format: Flags.string({ options: ['yaml', 'json'], default: 'yaml', description: 'Manifest format' }),
  };

  public async run(): Promise<RenderResult> {
    const { spec, source } = await this.loadSpec();
    const { renderAndWrite } = await import('../src/cli/render-output.js');
    const result = await renderAndWrite(spec, source.filepath, {
      output: this.flags.output,
      format: this.flags.format as 'yaml' | 'json',
      stdout: this.jsonEnabled() ? undefined : (text) => process.stdout.write(text),
    });
    if (result.files) this.note(`Wrote ${result.files.length} manifests to ${this.flags.output}: ${result.files.join(', ')}`);
    return result;
  }
}
