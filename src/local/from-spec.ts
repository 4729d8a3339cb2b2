/**
 * ModelSpec (src/spec, resolved) → local runtime options. `mdl dev`, `mdl loadtest --local` and
 * `mdl tune --local` all start the runtime through this mapping, so they run the same thing.
 */
import { badInput } from '../errors.js';
import type { ModelSpec, ScalingRulesSpec } from '../spec/index.js';
import type { LocalRuntimeOptions, ScalingBehavior, ScalingMetric, ScalingRules } from './options.js';

export interface LocalFlags {
  /** Balancer port (0 or undefined: a free one). */
  port?: number;
  /** Replicas at start; above maxReplicas raises the max so the count asked for is the count run. */
  replicas?: number;
  syncPeriodMs?: number;
  /** Keep the replica count fixed (capacity measurement). */
  autoscale?: boolean;
}

export function localOptionsFromSpec(spec: ModelSpec, flags: LocalFlags = {}): LocalRuntimeOptions {
  const local = spec.local;
  if (!local) {
    throw badInput('The spec has no local.command, so mdl cannot run the model on this machine.', {
      where: 'local.command',
      hint: 'Add e.g.  local: { command: "python serve.py --port {port}" }  ({port} is filled in per replica).',
    });
  }
  const { minReplicas, maxReplicas } = spec.scaling;
  const min = Math.max(minReplicas, 1); // no scale to zero on the local runtime
  const replicas = flags.replicas ?? Math.max(local.replicas, min);
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw badInput(`--replicas must be a whole number ≥ 1, got ${replicas}`, { where: '--replicas' });
  }
  return {
    command: local.command,
    cwd: local.cwd,
    env: local.env,
    name: spec.name,
    port: flags.port ?? 0,
    replicas,
    // Without a path the cluster would use a TCP check; any HTTP answer on / is the closest local stand-in.
    healthPath: spec.health.readiness.path ?? '/',
    startTimeoutMs: Math.max(spec.health.startup.maxLoadMs, 10_000),
    drainTimeoutMs: Math.max(spec.shutdown.drainMs, 1000) + spec.shutdown.gracePeriodMs,
    scaling: {
      minReplicas: Math.min(min, replicas),
      maxReplicas: Math.max(maxReplicas, replicas, min),
      metric: localMetric(spec),
      behavior: localBehavior(spec.scaling.behavior),
      enabled: flags.autoscale ?? true,
      ...(flags.syncPeriodMs === undefined ? {} : { syncPeriodMs: flags.syncPeriodMs }),
      ...(spec.resources.cpuCores === undefined ? {} : { cpuRequestCores: spec.resources.cpuCores }),
    },
  };
}

function localMetric(spec: ModelSpec): ScalingMetric {
  const m = spec.scaling.metric;
  if (m.type === 'concurrency' || m.type === 'rps' || m.type === 'cpu') return { type: m.type, target: m.target };
  throw badInput(`mdl dev can scale on concurrency, rps or cpu; the spec asks for ${m.type}.`, {
    where: 'scaling.metric.type',
    hint: 'Add an environment overlay for local runs that sets a concurrency or rps metric, and pass it with --env.',
  });
}

function localBehavior(b: ModelSpec['scaling']['behavior']): ScalingBehavior | undefined {
  if (!b) return undefined;
  const rules = (r: ScalingRulesSpec | undefined): ScalingRules | undefined =>
    r && {
      ...(r.stabilizationMs === undefined ? {} : { stabilizationWindowSeconds: Math.round(r.stabilizationMs / 1000) }),
      ...(r.selectPolicy === undefined ? {} : { selectPolicy: r.selectPolicy }),
      ...(r.tolerance === undefined ? {} : { tolerance: r.tolerance }),
      ...(r.policies === undefined
        ? {}
        : { policies: r.policies.map((p) => ({ type: p.type, value: p.value, periodSeconds: Math.round(p.periodMs / 1000) })) }),
    };
  return { scaleUp: rules(b.scaleUp), scaleDown: rules(b.scaleDown) };
}
