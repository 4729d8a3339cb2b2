/**
 * `mdl deploy` between flags and the library: the objects (from the spec or --manifests), the client dry
 * run, or server-side apply with the rollout watched live or as plain lines.
 */
import { badInput, ExitCode, MdlError } from '../errors.js';
import type { DeployEvent, DeployResult } from '../kube/deploy.js';
import type { KubeObject } from '../kube/types.js';
import { DURATION_EXPECTED, parseDurationMs } from '../units.js';
import type { OutputMode } from '../cli/output-mode.js';
import { handleStopSignals, type StopSignals } from '../cli/stop-signals.js';
import { loadModelObjects } from './model-source.js';
import { kubeTargetOptions } from '../kube/context.js';
import { dryRunMode } from '../cli/kube-flags.js';
import { validateObjects } from './validate-objects.js';
import type { ModelSourceFlags } from './model-source.js';

export interface DeployCommandFlags extends ModelSourceFlags {
  'create-namespace': boolean;
  'dry-run'?: string | undefined;
  wait: boolean;
  timeout: string;
  'force-conflicts': boolean;
  prune: boolean;
  strict: boolean;
}

export interface DeployContext {
  flags: DeployCommandFlags;
  mode: OutputMode;
  note: (message: string) => void;
}

/** --dry-run client: the objects as they would be applied, nothing sent. */
export interface ClientDryRun {
  objects: KubeObject[];
}

export async function runDeployCommand(ctx: DeployContext): Promise<DeployResult | ClientDryRun> {
  const f = ctx.flags;
  let timeoutMs: number;
  try {
    timeoutMs = parseDurationMs(f.timeout);
  } catch {
    throw badInput(`--timeout ${f.timeout} is not ${DURATION_EXPECTED}`, { where: '--timeout' });
  }
  const source = await loadModelObjects(f);
  const kube = await import('../kube/deploy.js');
  const dryRun = dryRunMode(f['dry-run']);
  if (dryRun === 'client') {
    await validateObjects(source, f.manifests);
    const { resolveKubeTarget } = await import('../kube/context.js');
    // The context's namespace when a kubeconfig is there; without one, default. A kubeconfig or context
    // the flags name must exist, though: a typo there is not silently "default".
    const namespace = f.namespace ?? (await resolveKubeTarget(kubeTargetOptions(f)).then((t) => t.namespace, (error: unknown) => {
      if (f.kubeconfig || f.context) throw error;
      return 'default';
    }));
    const objects = kube.clientDryRun(source.objects, namespace, source.name);
    for (const o of objects) ctx.note(`${o.kind}/${o.metadata.name} would be applied in ${namespace} (client dry run)`);
    return { objects };
  }
  // q in the live view, SIGINT and SIGTERM stop waiting (what was applied stays applied), exit 130; a second
  // signal exits at once.
  const stops = handleStopSignals();
  try {
    return await deployUntilStopped(ctx, f, source, timeoutMs, stops, dryRun);
  } finally {
    stops.dispose();
  }
}

async function deployUntilStopped(
  ctx: DeployContext,
  f: DeployCommandFlags,
  source: Awaited<ReturnType<typeof loadModelObjects>>,
  timeoutMs: number,
  stops: StopSignals,
  dryRun: 'server' | undefined,
): Promise<DeployResult> {
  const kube = await import('../kube/deploy.js');
  const note = ctx.note;
  const controller = stops;
  // On a terminal, --wait shows the rollout live (pods, counters, HPA).
  const live = f.wait && !dryRun && ctx.mode === 'ink'
    ? (await import('../cli/deploy-watch-view.js')).deployLiveView({ title: source.name, note, onStop: () => stops.stop() })
    : undefined;
  const deploying = kube.deploy(source.objects, {
    name: source.name,
    ...kubeTargetOptions(f),
    createNamespace: f['create-namespace'],
    ...(dryRun ? { dryRun } : {}),
    wait: f.wait,
    timeoutMs,
    forceConflicts: f['force-conflicts'],
    prune: f.prune,
    strict: f.strict,
    ...(source.specPath ? { specPath: source.specPath } : {}),
    onEvent: (event) => {
      if (!live?.onEvent(event)) renderDeployEvent(event, note);
    },
    signal: controller.signal,
  });
  let result: DeployResult;
  try {
    result = await deploying;
    if (stops.received && f.wait) throw interrupted();
  } catch (error) {
    const reported = stops.received ? interrupted() : error;
    await live?.finish({ ok: false, message: (reported as Error).message });
    throw reported;
  }
  await live?.finish({ ok: true, message: `rolled out: ${result.rollouts.map((r) => `${r.deployment} ${r.status.ready}/${r.status.desired} ready`).join(', ')}` });
  const changed = result.objects.filter((o) => o.action !== 'unchanged').length;
  note(`${result.dryRun ? 'dry run: ' : ''}${changed} of ${result.objects.length} objects ${result.dryRun ? 'would change' : 'changed'}` +
    `${result.pruned.length ? `, ${result.pruned.length} pruned` : ''}`);
  return result;
}

function interrupted(): MdlError {
  return new MdlError('Stopped waiting for the rollout; what was applied stays applied.', {
    exitCode: ExitCode.interrupted,
    hint: 'See where it got to with mdl status, or wait again with mdl deploy (nothing changed is applied again).',
  });
}

/** Plain lines on stderr, one per event that matters. */
function renderDeployEvent(event: DeployEvent, note: (message: string) => void): void {
  switch (event.type) {
    case 'target':
      note(`context ${event.context} (${event.server}), namespace ${event.namespace}`);
      break;
    case 'applied':
      note(`${event.ref} ${event.action}${event.dryRun ? ' (server dry run)' : ''}`);
      break;
    case 'pruned':
      note(`${event.ref} pruned`);
      break;
    case 'rollout':
      note(event.status.message);
      break;
    case 'pod':
      note(`  pod ${event.pod.name}: ${event.pod.deleted ? 'deleted' : `${event.pod.phase}${event.pod.ready ? ', ready' : ''}`}${event.pod.reason ? ` (${event.pod.reason})` : ''}`);
      break;
    case 'reconnect':
      note(`  lost the watch on ${event.deployment} (${event.reason}); reconnecting`);
      break;
    case 'hpa': {
      const s = event.state;
      const conds = s.conditions.map((c) => `${c.type}=${c.status}`).join(' ');
      note(`hpa ${s.name}: ${s.currentReplicas} replicas (min ${s.minReplicas}, max ${s.maxReplicas}) ${conds}`);
      break;
    }
    case 'warning':
      note(`Warning: ${event.message}${event.hint ? `\n  ${event.hint}` : ''}`);
      break;
    case 'phase':
      break;
  }
}
