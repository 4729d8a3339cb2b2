import { MdlCommand } from '../src/cli/base-command.js';

export interface VersionResult {
  mdl: string;
  node: string;
}

export default class Version extends MdlCommand<typeof Version> {
  static override description = 'Print the version of mdl and of the Node.js it runs on';

  public async run(): Promise<VersionResult> {
    const result = { mdl: this.config.version, node: process.versions.node };
    this.note(`mdl ${result.mdl} (Node.js ${result.node})`);
    return result;
  }
}
