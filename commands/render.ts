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
    '<%= config.bin %> render --metrics-pipeline > monitoring.yaml',
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
    namespace: Flags.string({ char: 'n', description: 'The namespace the manifests go to: scopes the KEDA Prometheus query to it' }),
    'metrics-pipeline': Flags.boolean({
      description: 'Print what the metrics pipeline needs for the scaling metric instead of the manifests: a PodMonitor and the prometheus-adapter rule (with --out-dir, also written under DIR/metrics-pipeline/)',
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
      namespace: this.flags.namespace,
      pipelineOnly: this.flags['metrics-pipeline'],
      stdout: this.jsonEnabled() ? undefined : (text) => process.stdout.write(text),
    });
    if (result.files) this.note(`Wrote ${result.files.length} manifests to ${outDir}: ${result.files.join(', ')}`);
    if (this.flags['metrics-pipeline'] && !result.pipeline.podMonitor) {
      this.note('The scaling metric is not read from the pods\' Prometheus endpoint (cpu and memory come from metrics-server, external metrics from outside): the metrics pipeline needs nothing from this spec.');
    }
    if (result.pipelineFiles) {
      this.note(`Wrote what the metrics pipeline needs (not applied by mdl deploy; apply or merge as you run Prometheus): ${result.pipelineFiles.join(', ')}`);
    }
    return result;
  }
}
