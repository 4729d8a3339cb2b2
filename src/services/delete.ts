/**
 * `mdl delete` between flags and the library: the model's name, the confirmation (not needed for a dry
 * run, which changes nothing), then the ApplySet's members deleted or, with --dry-run, listed.
 */
import { badInput } from '../errors.js';
import type { DeleteResult } from '../kube/deploy.js';
import { kubeTargetOptions } from '../kube/context.js';
import { dryRunMode } from '../cli/kube-flags.js';
import type { ModelSourceFlags } from './model-source.js';

export interface DeleteCommandFlags extends ModelSourceFlags {
  yes: boolean;
  'dry-run'?: string | undefined;
}

export async function runDeleteCommand(ctx: { flags: DeleteCommandFlags; note: (message: string) => void }): Promise<DeleteResult> {
  const f = ctx.flags;
  // The model's name: --name, else the spec's (or the --manifests Deployment's).
  const name = f.name ?? (await import('./model-source.js').then((m) => m.loadModelObjects(f))).name;
  const dryRun = dryRunMode(f['dry-run']);
  if (!f.yes && !dryRun) {
    if (!process.stdin.isTTY) throw badInput(`Refusing to delete "${name}" without confirmation`, { where: '--yes', hint: 'Pass --yes to delete without asking, or --dry-run to see what would be deleted.' });
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(`Delete every object of model "${name}"? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) throw badInput('Not deleted', { hint: 'Answer y to delete, or pass --yes.' });
  }
  const { deleteModel } = await import('../kube/deploy.js');
  const result = await deleteModel({ name, ...kubeTargetOptions(f), ...(dryRun ? { dryRun } : {}) });
  const suffix = dryRun ? ` (${dryRun} dry run)` : '';
  for (const ref of result.deleted) ctx.note(`${ref} ${dryRun ? 'would be deleted' : 'deleted'}${suffix}`);
  ctx.note(result.deleted.length
    ? `${dryRun ? 'would delete' : 'deleted'} ${result.deleted.length} objects of ${name} from ${result.namespace}${suffix}`
    : `nothing of ${name} found in ${result.namespace}`);
  return result;
}
