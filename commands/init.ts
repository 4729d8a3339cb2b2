import { Flags } from '@oclif/core';
import { MdlCommand } from '../src/cli/base-command.js';
import type { InitResult } from '../src/spec/init.js';

export default class Init extends MdlCommand<typeof Init> {
  static override description =
    'Write a commented mdl.config.yaml for a model server, from a runtime template (never overwrites without --force)';

  static override examples = [
    '<%= config.bin %> init --runtime vllm --name chat --image vllm/vllm-openai:v0.11.0',
    '<%= config.bin %> init --runtime kserve-v2 --name sentiment --image ghcr.io/acme/sentiment:1.4.2',
  ];

  static override flags = {
    runtime: Flags.string({
      char: 'r',
      options: ['vllm', 'tgi', 'triton', 'torchserve', 'kserve-v2', 'openai', 'http'],
      default: 'http',
      description: 'Runtime preset: ports, health paths, metrics and scaling defaults',
    }),
    name: Flags.string({ char: 'n', description: 'Service name (default: the folder name)' }),
    image: Flags.string({ char: 'i', description: 'Container image (default: the runtime’s public image)' }),
    force: Flags.boolean({ char: 'f', default: false, description: 'Overwrite an existing spec file' }),
  };

  public async run(): Promise<InitResult> {
    const { initSpec } = await import('../src/spec/init.js');
    const flags = this.flags as { config?: string; runtime: string; name?: string; image?: string; force: boolean };
    const result = initSpec({
      cwd: process.cwd(),
      runtime: flags.runtime,
      force: flags.force,
      ...(flags.config !== undefined ? { file: flags.config } : {}),
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      ...(flags.image !== undefined ? { image: flags.image } : {}),
    });
    this.note(`Wrote ${result.file} (runtime ${result.runtime}) and its JSON Schema ${result.schemaFile}.`);
    this.note('Next: mdl validate, then mdl render.');
    return result;
  }
}
