import { MdlCommand } from '../src/cli/base-command.js';

export default class Schema extends MdlCommand<typeof Schema> {
  static override description = 'Print the JSON Schema of the spec (for editors: yaml-language-server, VS Code)';

  static override examples = ['<%= config.bin %> schema > mdl.config.schema.json'];

  public async run(): Promise<Record<string, unknown>> {
    const { specJsonSchema } = await import('../src/spec/json-schema.js');
    const schema = specJsonSchema();
    if (!this.jsonEnabled()) process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
    return schema;
  }
}
