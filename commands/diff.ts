import { Flags } from '@oclif/core';
import { MdlCommand } from '../src/cli/base-command.js';
import { kubeFlags } from '../src/cli/kube-flags.js';
import { loadModelObjects } from '../src/services/model-source.js';
import { kubeTargetOptions } from '../src/kube/context.js';
import { ExitCode } from '../src/errors.js';
import type { ObjectDiff } from '../src/kube/apply.js';

export interface DiffResult {
  context: string;
  namespace: string;
  changed: boolean;
  diffs: ObjectDiff[];
}

export default class Diff extends MdlCommand<typeof Diff> {
  static override description =
    "Show what deploy would change, from a server-side dry-run. Exit 0: no change; 1: changes; above 1: error (kubectl diff's convention)";

  // A bug must not read as "there are changes".
  static override unexpectedExitCode = ExitCode.badInput;

  static override examples = ['<%= config.bin %> diff --manifests manifests.yaml', '<%= config.bin %> diff --manifests manifests.yaml --prune'];

  static override flags = {
    ...kubeFlags,
    prune: Flags.boolean({ description: 'Also show the objects that deploy --prune would delete' }),
    'force-conflicts': Flags.boolean({ description: 'Diff as if deploy took over fields owned by another field manager' }),
  };

  public async run(): Promise<DiffResult> {
    const f = this.flags;
    const source = await loadModelObjects(f);
    const { diff } = await import('../src/kube/deploy.js');
    const result = await diff(source.objects, {
      name: source.name, ...kubeTargetOptions(f), prune: f.prune, forceConflicts: f['force-conflicts'],
      ...(source.specPath ? { specPath: source.specPath } : {}),
    });
    if (!this.jsonEnabled()) {
      for (const d of result.diffs) if (d.patch) process.stdout.write(d.patch.replace(/^=+\n/m, ''));
      this.note(result.changed ? `${result.diffs.filter((d) => d.patch).length} objects would change` : 'no changes');
    }
    // kubectl diff: 1 means "there are differences", not a failure of the command.
    if (result.changed) this.resultExitCode = ExitCode.unexpected;
    return { context: result.context, namespace: result.namespace, changed: result.changed, diffs: result.diffs };
  }
}
