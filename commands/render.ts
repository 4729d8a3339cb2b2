import { Flags } from '@oclif/core';
import { MdlCommand } from '../src/cli/base-command.js';
import { badInput } from '../src/errors.js';
import type { RenderResult } from '../src/cli/render-output.js';
import { isOutputFormat } from '../src/cli/output-format.js';

export default class Render extends MdlCommand<typeof Render> {
  static override description =
    'Render the Kubernetes manifests of the spec: Deployment, Service, PodDisruptionBudget and the autoscaler (HPA or KEDA ScaledObject)';

  static override examples = [
    '<%= config.bin %> render',
    '<%= config.bin %> render --env prod --out-dir k8s/',
    '<%= config.bin %> render -o json | kubectl apply -f -',
    '<%= config.bin %> render -o name',
  ];

  static override flags = {
    output: Flags.string({
      char: 'o',
      aliases: ['format'],
      default: 'yaml',
      description: 'Output format: yaml (documents), json (a List) or name (kind.group/name lines, as kubectl -o name)',
    }),
    'out-dir': Flags.string({
      description: 'Write one file per object into this folder (in the -o format, yaml or json) instead of printing them',
    }),
  };

  public async run(): Promise<RenderResult> {
    const format = this.flags.output;
    if (!isOutputFormat(format)) {
      // `--output DIR` wrote files before -o became kubectl's output format.
      throw badInput(`--output ${format} is not an output format (yaml, json or name)`, {
        where: '--output',
        hint: format.includes('/') || !/^[a-z]+$/.test(format)
          ? `To write one file per object into a folder, use --out-dir ${format}.`
          : 'Use -o yaml, -o json or -o name; --out-dir DIR writes files.',
      });
    }
    const { spec, source } = await this.loadSpec();
    const { renderAndWrite } = await import('../src/cli/render-output.js');
    const outDir = this.flags['out-dir'];
    const result = await renderAndWrite(spec, source.filepath, {
      outDir,
      format,
      stdout: this.jsonEnabled() ? undefined : (text) => process.stdout.write(text),
    });
    if (result.files) this.note(`Wrote ${result.files.length} manifests to ${outDir}: ${result.files.join(', ')}`);
    return result;
  }
}
