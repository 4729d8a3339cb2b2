/**
 * Runtime presets (templates/runtimes/<name>.yaml): a partial spec merged under the user's spec, and
 * the Prometheus metrics each server exports for the scaling metric types that make sense for it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { RUNTIMES, type MetricType, type RuntimeName } from './schema.js';

export interface PresetMetric {
  /** The series the server exports. */
  series: string;
  /** The name a Prometheus adapter exposes it under, for an HPA Pods metric. */
  pods: string;
  /** PromQL over all replicas ({name} is the spec's name), for KEDA. */
  query: string;
  /** Unit of a utilization gauge: fraction (0..1) or percent (0..100). */
  scale?: 'fraction' | 'percent';
}

export interface RuntimePreset {
  name: RuntimeName;
  description: string;
  /** A partial spec in the input form (human units). */
  defaults: Record<string, unknown>;
  metrics: Partial<Record<MetricType, PresetMetric>>;
}

const presetMetricSchema = z.strictObject({
  series: z.string().min(1),
  pods: z.string().min(1),
  query: z.string().min(1),
  scale: z.enum(['fraction', 'percent']).optional(),
});

const presetSchema = z.strictObject({
  description: z.string(),
  defaults: z.record(z.string(), z.unknown()),
  metrics: z.partialRecord(z.enum(['concurrency', 'rps', 'queue', 'gpu']), presetMetricSchema),
});

/** Metrics any server may export (common client-library names, NVIDIA DCGM exporter): the fallback. */
export const GENERIC_METRICS: Partial<Record<MetricType, PresetMetric>> = {
  concurrency: {
    series: 'http_requests_in_flight',
    pods: 'http_requests_in_flight',
    query: 'sum(http_requests_in_flight{pod=~"{name}-.*"})',
  },
  rps: {
    series: 'http_requests_total',
    pods: 'http_requests_per_second',
    query: 'sum(rate(http_requests_total{pod=~"{name}-.*"}[1m]))',
  },
  gpu: {
    series: 'DCGM_FI_DEV_GPU_UTIL',
    pods: 'DCGM_FI_DEV_GPU_UTIL',
    query: 'sum(DCGM_FI_DEV_GPU_UTIL{pod=~"{name}-.*"})',
    scale: 'percent',
  },
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
  const preset: RuntimePreset = { name, ...result.data, metrics: result.data.metrics };
  cache.set(name, preset);
  return preset;
}

/** The metric a runtime exports for a scaling metric type: its own, else the generic one. */
export function presetMetricFor(preset: RuntimePreset, type: MetricType): PresetMetric | undefined {
  return preset.metrics[type] ?? GENERIC_METRICS[type];
}
