import { Flags } from '@oclif/core';
import { MdlCommand } from '../src/cli/base-command.js';
import { kubeFlags } from '../src/cli/kube-flags.js';
import { loadModelObjects } from '../src/cli/model-source.js';
import { badInput } from '../src/errors.js';
import type { DeployEvent, DeployResult } from '../src/kube/deploy.js';
import { DURATION_EXPECTED, parseDurationMs } from '../src/units.js';

export default class Deploy extends MdlCommand<typeof Deploy> {
  static override description =
    'Apply the model to a cluster with server-side apply, wait for the rollout and check that its autoscaler can read its metrics';

  static override examples = [
    '<%= config.bin %> deploy',
    '<%= config.bin %> deploy --env prod --context prod-cluster --namespace ml --create-namespace --prune',
    '<%= config.bin %> deploy --manifests manifests.yaml --namespace ml --create-namespace --prune',
    '<%= config.bin %> deploy --manifests manifests.yaml --dry-run server',
  ];

  static override flags = {
    ...kubeFlags,
    'create-namespace': Flags.boolean({ description: 'Create the namespace if it does not exist' }),
    'dry-run': Flags.string({ options: ['server', 'client'], description: 'server: validate on the API server and change nothing; client: print what would be applied' }),
    wait: Flags.boolean({ allowNo: true, default: true, description: 'Wait for the rollout and read the autoscaler (--no-wait: return after applying)' }),
    timeout: Flags.string({ default: '10m', description: 'How long to wait for the rollout' }),
    'force-conflicts': Flags.boolean({ description: 'Take over fields that another field manager owns' }),
    prune: Flags.boolean({ description: 'Delete objects that mdl applied earlier for this model and that are no longer rendered' }),
    strict: Flags.boolean({ description: 'Fail (exit 4) when the autoscaler cannot read its metrics, instead of warning' }),
  };

  public async run(): Promise<DeployResult | { objects: unknown[] }> {
    const f = this.flags;
    let timeoutMs: number;
    try {
      timeoutMs = parseDurationMs(f.timeout);
    } catch {
      throw badInput(`--timeout ${f.timeout} is not ${DURATION_EXPECTED}`, { where: '--timeout' });
    }
    const source = await loadModelObjects(f);
    const kube = await import('../src/kube/deploy.js');
    if (f['dry-run'] === 'client') {
      const { resolveKubeTarget } = await import('../src/kube/context.js');
      const namespace = f.namespace ?? (await resolveKubeTarget({ context: f.context }).then((t) => t.namespace, () => 'default'));
      const objects = kube.clientDryRun(source.objects, namespace, source.name);
      if (!this.jsonEnabled()) {
        const { stringify } = await import('yaml');
        process.stdout.write(objects.map((o) => stringify(o)).join('---\n'));
      }
      return { objects };
    }
    // On a terminal, --wait shows the rollout live (pods, counters, HPA); q or Ctrl+C stops waiting.
    const controller = new AbortController();
    const live = f.wait && !f['dry-run'] && this.outputMode === 'ink'
      ? (await import('../src/cli/deploy-watch-view.js')).deployLiveView({ title: source.name, note: (line) => this.note(line), onStop: () => controller.abort() })
      : undefined;
    const deploying = kube.deploy(source.objects, {
      name: source.name,
      context: f.context,
      namespace: f.namespace,
      createNamespace: f['create-namespace'],
      dryRun: f['dry-run'] as 'server' | undefined,
      wait: f.wait,
      timeoutMs,
      forceConflicts: f['force-conflicts'],
      prune: f.prune,
      strict: f.strict,
      ...(source.specPath ? { specPath: source.specPath } : {}),
      onEvent: (event) => {
        if (!live?.onEvent(event)) this.render(event);
      },
      ...(live ? { signal: controller.signal } : {}),
    });
    let result: DeployResult;
    try {
      result = await deploying;
    } catch (error) {
      await live?.finish({ ok: false, message: (error as Error).message });
      throw error;
    }
    await live?.finish({ ok: true, message: `rolled out: ${result.rollouts.map((r) => `${r.deployment} ${r.status.ready}/${r.status.desired} ready`).join(', ')}` });
    const changed = result.objects.filter((o) => o.action !== 'unchanged').length;
    this.note(`${result.dryRun ? 'dry run: ' : ''}${changed} of ${result.objects.length} objects ${result.dryRun ? 'would change' : 'changed'}` +
      `${result.pruned.length ? `, ${result.pruned.length} pruned` : ''}`);
    return result;
  }

  /** Plain lines on stderr, one per event that matters. */
  private render(event: DeployEvent): void {
    switch (event.type) {
      case 'target':
        this.note(`context ${event.context} (${event.server}), namespace ${event.namespace}`);
        break;
      case 'applied':
        this.note(`${event.ref} ${event.action}${event.dryRun ? ' (server dry run)' : ''}`);
        break;
      case 'pruned':
        this.note(`${event.ref} pruned`);
        break;
      case 'rollout':
        this.note(event.status.message);
        break;
      case 'pod':
        this.note(`  pod ${event.pod.name}: ${event.pod.deleted ? 'deleted' : `${event.pod.phase}${event.pod.ready ? ', ready' : ''}`}${event.pod.reason ? ` (${event.pod.reason})` : ''}`);
        break;
      case 'reconnect':
        this.note(`  lost the watch on ${event.deployment} (${event.reason}); reconnecting`);
        break;
      case 'hpa': {
        const s = event.state;
        const conds = s.conditions.map((c) => `${c.type}=${c.status}`).join(' ');
        this.note(`hpa ${s.name}: ${s.currentReplicas} replicas (min ${s.minReplicas}, max ${s.maxReplicas}) ${conds}`);
        break;
      }
      case 'warning':
        this.note(`Warning: ${event.message}${event.hint ? `\n  ${event.hint}` : ''}`);
        break;
      case 'phase':
        break;
    }
  }
}
