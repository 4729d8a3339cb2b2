/**
 * `mdl loadtest --local`: the spec's model on this machine through the local runtime — with its autoscaler
 * on, so the dashboard shows the replicas scaling under the load — stopped when the test ends.
 */
import { badInput } from '../errors.js';
import type { ModelSpec } from '../spec/index.js';

export interface LocalEndpoint {
  /** The spec's request path on the balancer. */
  url: string;
  stop(): Promise<void>;
}

export async function startLocalEndpoint(spec: ModelSpec | undefined, flags: { replicas?: number | undefined; syncPeriodMs?: number | undefined }): Promise<LocalEndpoint> {
  if (!spec) {
    throw badInput('--local needs a spec with local.command', {
      where: '--local',
      hint: 'Run mdl init, or pass --config <file>; or give the URL of a running server instead of --local.',
    });
  }
  const { localOptionsFromSpec, startLocalRuntime } = await import('../local/index.js');
  const runtime = await startLocalRuntime(localOptionsFromSpec(spec, {
    ...(flags.replicas === undefined ? {} : { replicas: flags.replicas }),
    ...(flags.syncPeriodMs === undefined ? {} : { syncPeriodMs: flags.syncPeriodMs }),
  }));
  return { url: new URL(spec.loadtest.path, runtime.url).toString(), stop: () => runtime.stop() };
}
