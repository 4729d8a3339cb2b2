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
    '<%= config.bin %> render --metrics-pipeline > monitoring.yaml',
  ];

  static override flags = {
    output: Flags.string({
      char: 'o',
      default: '-',
      description: 'A folder to write one file per object into, or - for stdout',
    }),
    format: Flags.string({ options: ['yaml', 'json'], default: 'yaml', description: 'Manifest format' }),
    namespace: Flags.string({ char: 'n', description: 'The namespace the manifests go to: scopes the KEDA Prometheus query to it' }),
    'metrics-pipeline': Flags.boolean({
      description: 'Print what the metrics pipeline needs for the scaling metric instead of the manifests: a PodMonitor and the prometheus-adapter rule',
    }),
  };

  public async run(): Promise<RenderResult> {
    const { spec, source } = await this.loadSpec();
    const { renderAndWrite } = await import('../src/cli/render-output.js');
    const result = await renderAndWrite(spec, source.filepath, {
      output: this.flags.output,
      format: this.flags.format as 'yaml' | 'json',
      namespace: this.flags.namespace,
      pipelineOnly: this.flags['metrics-pipeline'],
      stdout: this.jsonEnabled() ? undefined : (text) => process.stdout.write(text),
    });
    if (result.files) this.note(`Wrote ${result.files.length} manifests to ${this.flags.output}: ${result.files.join(', ')}`);
    if (this.flags['metrics-pipeline'] && !result.pipeline.podMonitor) {
      this.note('The scaling metric is not read from the pods\' Prometheus endpoint (cpu and memory come from metrics-server, external metrics from outside): the metrics pipeline needs nothing from this spec.');
    }
    if (result.pipelineFiles) {
      this.note(`Wrote what the metrics pipeline needs (not applied by mdl deploy; apply or merge as you run Prometheus): ${result.pipelineFiles.join(', ')}`);
    }
    return result;
  }
}
