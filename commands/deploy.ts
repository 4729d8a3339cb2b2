import { Flags } from '@oclif/core';
import { MdlCommand } from '../src/cli/base-command.js';
import { durationFlag } from '../src/cli/flags.js';
import { dryRunBare, dryRunFlag, kubeFlags } from '../src/cli/kube-flags.js';
import type { DeployResult } from '../src/kube/deploy.js';
import type { ClientDryRun } from '../src/services/deploy.js';

export default class Deploy extends MdlCommand<typeof Deploy> {
  static override description =
    'Apply the model to a cluster with server-side apply, wait for the rollout and check that its autoscaler can read its metrics';

  static override examples = [
    '<%= config.bin %> deploy',
    '<%= config.bin %> deploy --env prod --context prod-cluster --namespace ml --create-namespace --prune',
    '<%= config.bin %> deploy --manifests manifests.yaml --namespace ml --create-namespace --prune',
    '<%= config.bin %> deploy --manifests manifests.yaml --dry-run=server',
    '<%= config.bin %> deploy --dry-run',
  ];

  static override flags = {
    ...kubeFlags,
    'create-namespace': Flags.boolean({ description: 'Create the namespace if it does not exist' }),
    'dry-run': dryRunFlag({
      client: 'validate the objects and print what would be applied, sending nothing',
      server: 'server-side apply with dryRun=All: the API server validates and reports what it would create or change, storing nothing',
    }),
    wait: Flags.boolean({ allowNo: true, default: true, description: 'Wait for the rollout and read the autoscaler (--no-wait: return after applying)' }),
    timeout: durationFlag({ default: '10m', description: 'How long to wait for the rollout' }),
    'force-conflicts': Flags.boolean({ description: 'Take over fields that another field manager owns' }),
    prune: Flags.boolean({ description: 'Delete objects that mdl applied earlier for this model and that are no longer rendered' }),
    strict: Flags.boolean({ description: 'Fail (exit 4) when the autoscaler cannot read its metrics, instead of warning' }),
  };

  static override bareFlags = dryRunBare;

  public async run(): Promise<DeployResult | ClientDryRun> {
    const { runDeployCommand } = await import('../src/services/deploy.js');
    const result = await runDeployCommand({ flags: this.flags, mode: this.outputMode, note: (m) => this.note(m) });
    if ('objects' in result && !('rollouts' in result) && !this.jsonEnabled()) {
      const { stringify } = await import('yaml');
      process.stdout.write(result.objects.map((o) => stringify(o)).join('---\n'));
    }
    return result;
  }
}
