import { Flags } from '@oclif/core';
import { MdlCommand } from '../src/cli/base-command.js';
import { dryRunBare, dryRunFlag, kubeFlags } from '../src/cli/kube-flags.js';
import type { DeleteResult } from '../src/kube/deploy.js';

export default class Delete extends MdlCommand<typeof Delete> {
  static override description = "Delete every object of the model from the cluster (the members of its ApplySet)";

  static override examples = [
    '<%= config.bin %> delete --name sentiment --yes',
    '<%= config.bin %> delete --name sentiment --dry-run=server',
  ];

  static override flags = {
    ...kubeFlags,
    yes: Flags.boolean({ char: 'y', description: 'Do not ask for confirmation (required when stdin is not a terminal)' }),
    'dry-run': dryRunFlag({
      client: 'list what would be deleted, deleting nothing',
      server: 'send each DELETE with dryRun=All: the API server checks it (RBAC, admission) and removes nothing',
    }),
  };

  static override bareFlags = dryRunBare;

  public async run(): Promise<DeleteResult> {
    const { runDeleteCommand } = await import('../src/services/delete.js');
    return runDeleteCommand({ flags: this.flags, note: (m) => this.note(m) });
  }
}
