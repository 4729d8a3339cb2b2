import { Flags } from '@oclif/core';
import { MdlCommand } from '../src/cli/base-command.js';
import { kubeFlags } from '../src/cli/kube-flags.js';
import { badInput } from '../src/errors.js';
import type { DeleteResult } from '../src/kube/deploy.js';

export default class Delete extends MdlCommand<typeof Delete> {
  static override description = "Delete every object of the model from the cluster (the members of its ApplySet)";

  static override examples = ['<%= config.bin %> delete --name sentiment --yes'];

  static override flags = {
    ...kubeFlags,
    yes: Flags.boolean({ char: 'y', description: 'Do not ask for confirmation (required when stdin is not a terminal)' }),
  };

  public async run(): Promise<DeleteResult> {
    const f = this.flags;
    // The model's name: --name, else the spec's (or the --manifests Deployment's).
    const name = f.name ?? (await import('../src/services/model-source.js').then((m) => m.loadModelObjects(f))).name;
    if (!f.yes) {
      if (!process.stdin.isTTY) throw badInput(`Refusing to delete "${name}" without confirmation`, { where: '--yes', hint: 'Pass --yes to delete without asking.' });
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(`Delete every object of model "${name}"? [y/N] `);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) throw badInput('Not deleted', { hint: 'Answer y to delete, or pass --yes.' });
    }
    const { deleteModel } = await import('../src/kube/deploy.js');
    const result = await deleteModel({ name, context: f.context, namespace: f.namespace });
    for (const ref of result.deleted) this.note(`${ref} deleted`);
    this.note(result.deleted.length ? `deleted ${result.deleted.length} objects of ${name} from ${result.namespace}` : `nothing of ${name} found in ${result.namespace}`);
    return result;
  }
}
