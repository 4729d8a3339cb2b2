import { createHash } from 'node:crypto';
import type { ModelSpec } from '../spec/index.js';
import { RENDERED_POD_ANNOTATIONS } from '../spec/schema.js';

export const MANAGED_BY = 'mdl';
export const SPEC_HASH_ANNOTATION = RENDERED_POD_ANNOTATIONS.specHash;
/** On an HPA or ScaledObject while `mdl tune` pins its replica count: the bounds to restore (JSON). */
export const TUNE_PINNED_FROM_ANNOTATION = 'mdl.dev/tune-pinned-from';

/** The labels that select the pods: stable across versions, so a rollout keeps the same selector. */
export function selectorLabels(spec: ModelSpec): Record<string, string> {
  return { 'app.kubernetes.io/name': spec.name, 'app.kubernetes.io/instance': spec.name };
}

/** Recommended labels (app.kubernetes.io/*) on every object and pod. */
export function commonLabels(spec: ModelSpec): Record<string, string> {
  return {
    ...selectorLabels(spec),
    'app.kubernetes.io/version': spec.version,
    'app.kubernetes.io/component': 'model-server',
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** JSON with object keys sorted, so equal specs hash equally whatever the key order. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A short hash of what the pods run, on the pod template: a change to it rolls the pods. What only the
 * autoscaler, the rollout strategy, the disruption budget or mdl itself reads (scaling, rollout, disruption,
 * cost, slo, traffic, loadtest, local) is left out, so a `tune --write` of new HPA settings restarts no pod;
 * the local section's absolute paths are left out too, so the same spec gives the same hash on every machine.
 */
export function specHash(spec: ModelSpec): string {
  const {
    local: _local, loadtest: _loadtest, slo: _slo, traffic: _traffic, environment: _env,
    scaling: _scaling, rollout: _rollout, disruption: _disruption, cost: _cost, ...podSide
  } = spec;
  return createHash('sha256').update(stableStringify(podSide)).digest('hex').slice(0, 16);
}

/** A number as a Kubernetes quantity string: 8 → "8", 0.8 → "800m", 2.5 → "2500m". */
export function toQuantity(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const milli = Math.round(value * 1000);
  if (Math.abs(value * 1000 - milli) < 1e-9) return `${milli}m`;
  const micro = Math.round(value * 1e6);
  return `${micro}u`;
}

export const seconds = (ms: number): number => Math.ceil(ms / 1000);
