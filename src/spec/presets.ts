/**
 * Runtime presets (templates/runtimes/<name>.yaml): a partial spec merged under the user's spec (ports,
 * the metrics port and path, health, startup), with the Prometheus metrics each server exports from the
 * metric registry (metric-registry.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { podsMetricName, registryMetric, replicaSumQuery, METRIC_REGISTRY, type RegistryMetric } from './metric-registry.js';
import { RUNTIMES, type MetricType, type RuntimeName } from './schema.js';

export interface PresetMetric extends RegistryMetric {
  /** The name a Prometheus adapter exposes it under, for an HPA Pods metric. */
  pods: string;
  /** PromQL over all replicas ({name} is the spec's name), for KEDA. */
  query: string;
}

export interface RuntimePreset {
  name: RuntimeName;
  description: string;
  /** A partial spec in the input form (human units). */
  defaults: Record<string, unknown>;
  /** The server's own metrics, from the metric registry (src/spec/metric-registry.ts). */
  metrics: Partial<Record<MetricType, PresetMetric>>;
}

const presetSchema = z.strictObject({
  description: z.string(),
  defaults: z.record(z.string(), z.unknown()),
});

function presetMetric(m: RegistryMetric): PresetMetric {
  return { ...m, pods: podsMetricName(m), query: replicaSumQuery(m, { name: '{name}' }) };
}

/** Metrics beside any server's own: NVIDIA's DCGM exporter for gpu. */
export const GENERIC_METRICS: Partial<Record<MetricType, PresetMetric>> = {
  gpu: presetMetric(registryMetric('http', 'gpu')!),
};

/** The folder with init/ and runtimes/, found upward from this module (src/ when run with tsx, dist/src/ when built). */
export function templatesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'templates');
    if (existsSync(join(candidate, 'runtimes'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('templates/runtimes not found next to the mdl installation');
}

const cache = new Map<RuntimeName, RuntimePreset>();

export function isRuntimeName(name: string): name is RuntimeName {
  return (RUNTIMES as readonly string[]).includes(name);
}

/** Loads and checks a preset; a broken preset file is a bug of ours (plain Error, exit 1). */
export function loadPreset(name: RuntimeName): RuntimePreset {
  const cached = cache.get(name);
  if (cached) return cached;
  const file = join(templatesDir(), 'runtimes', `${name}.yaml`);
  const result = presetSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!result.success) {
    throw new Error(`runtime preset ${file} is invalid: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const metrics = Object.fromEntries(Object.entries(METRIC_REGISTRY[name]).map(([type, m]) => [type, presetMetric(m)]));
  const preset: RuntimePreset = { name, ...result.data, metrics };
  cache.set(name, preset);
  return preset;
}

/** The metric a runtime exports for a scaling metric type: its own, else the generic one (gpu: DCGM). */
export function presetMetricFor(preset: RuntimePreset, type: MetricType): PresetMetric | undefined {
  return preset.metrics[type] ?? GENERIC_METRICS[type];
}
