import { MdlCommand } from '../src/cli/base-command.js';
import type { ValidateResult } from '../src/cli/render-output.js';

export default class Validate extends MdlCommand<typeof Validate> {
  static override description =
    'Check the spec and the manifests it renders; without --env, the base spec and every environment. Exit 0 when valid, 2 when not';

  static override examples = ['<%= config.bin %> validate', '<%= config.bin %> validate --env prod --json'];

  public async run(): Promise<ValidateResult> {
    const { validateSpecFile } = await import('../src/cli/render-output.js');
    const flags = this.flags as { config?: string; env?: string };
    const result = await validateSpecFile({
      cwd: process.cwd(),
      ...(flags.config !== undefined ? { configPath: flags.config } : {}),
      ...(flags.env !== undefined ? { env: flags.env } : {}),
    });
    for (const v of result.variants) {
      this.note(`✓ ${result.file}${v.environment ? ` (env ${v.environment})` : ''}: ${v.objects.join(', ')}`);
    }
    return result;
  }
}
