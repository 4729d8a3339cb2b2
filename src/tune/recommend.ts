/**
 * From measured per-replica capacity to autoscaler settings: the metric (chosen for the runtime and
 * explained), the target, min/max replicas and scaling behaviour. Pure: every number carries where it came
 * from, and the formulas are in the notes so a user can redo them.
 */
import { hpaMetric, kedaTrigger as manifestKedaTrigger } from '../manifests/autoscaler.js';
import { podsMetricName, registryMetric, type SeriesKind } from '../spec/metric-registry.js';
import { DEFAULT_KEDA_SERVER } from '../spec/resolve.js';
import type { MetricSpec, RuntimeName } from '../spec/index.js';
import type { SearchAxis, Sourced } from './types.js';

export type Runtime = RuntimeName;
export type MetricKind = 'concurrency' | 'queue' | 'rps' | 'cpu';

export interface MetricChoice {
  /** The spec's scaling.metric.type that `tune --write` writes. */
  kind: MetricKind;
  /** Which axis the capacity search must use so that its numbers are in this metric's unit. */
  axis: SearchAxis;
  /** Per-replica Prometheus series the metric is read from, from the metric registry (null for CPU, read by metrics-server). */
  prometheusMetric: string | null;
  /** Gauge or counter (a counter is read as a rate); null with prometheusMetric. */
  seriesKind: SeriesKind | null;
  why: string;
  alternative: string;
}

const LLM_WHY =
  'LLM servers batch requests on the GPU: CPU stays low while requests queue, so CPU never triggers; ' +
  'the number of requests a replica holds tracks its latency directly.';
const CPU_WHY =
  'a CPU-bound server saturates its cores at capacity, so requests per second (what the search measured) ' +
  'track its load; CPU utilization works too once its value at capacity is known.';

/** Which metric type tune recommends for each runtime, and why; the series come from the metric registry. */
const CHOICES: Record<Runtime, { kind: Exclude<MetricKind, 'cpu'>; axis: SearchAxis; why: string; alternative: (series: (t: MetricKind) => string) => string }> = {
  vllm: { kind: 'concurrency', axis: 'concurrency', why: LLM_WHY, alternative: (m) => `queue: ${m('queue')} with a small target (1–5) when latency matters more than cost` },
  tgi: { kind: 'concurrency', axis: 'concurrency', why: LLM_WHY, alternative: (m) => `queue: ${m('queue')} with a small target (1–5)` },
  openai: {
    kind: 'concurrency',
    axis: 'concurrency',
    why: `${LLM_WHY} For llama.cpp's server that is the requests holding a slot.`,
    alternative: (m) => `queue: ${m('queue')} (requests waiting for a slot) with a small target (1–5)`,
  },
  triton: {
    kind: 'queue',
    axis: 'concurrency',
    why: 'Triton queues requests per model and exports no in-flight gauge; pending requests track latency on GPU and CPU backends alike.',
    alternative: (m) => `rps: ${m('rps')} as a rate, when the server is CPU-bound`,
  },
  torchserve: { kind: 'rps', axis: 'rate', why: CPU_WHY, alternative: () => 'cpu: Resource metric cpu, type Utilization, with the utilization measured at capacity' },
  'kserve-v2': { kind: 'rps', axis: 'rate', why: CPU_WHY, alternative: (m) => `concurrency: ${m('concurrency')}, when the server is GPU-bound or requests are long` },
  http: { kind: 'rps', axis: 'rate', why: CPU_WHY, alternative: () => 'cpu: Resource metric cpu, type Utilization; concurrency when requests are long' },
};

function runtimeOf(runtime: string): Runtime {
  return runtime in CHOICES ? (runtime as Runtime) : 'http';
}

function choice(runtime: Runtime, kind: Exclude<MetricKind, 'cpu'>, axis: SearchAxis, why: string, alternative: string): MetricChoice {
  const m = registryMetric(runtime, kind);
  return { kind, axis, prometheusMetric: m?.series ?? null, seriesKind: m?.kind ?? null, why, alternative };
}

export function metricFor(runtimeName: string, hasGpu = false): MetricChoice {
  const runtime = runtimeOf(runtimeName);
  const c = CHOICES[runtime];
  const series = (t: MetricKind) => registryMetric(runtime, t)?.series ?? `${t} (no known series)`;
  const chosen = choice(runtime, c.kind, c.axis, c.why, c.alternative(series));
  // A GPU makes any server batch-bound rather than CPU-bound: hold requests, not rate — when the server
  // exports its in-flight requests; otherwise its rate still follows the load.
  if (hasGpu && chosen.kind === 'rps' && registryMetric(runtime, 'concurrency')) {
    return choice(runtime, 'concurrency', 'concurrency', 'the server runs on a GPU, so CPU utilization does not follow its load; in-flight requests do.', `rps: ${chosen.prometheusMetric ?? 'requests per second'}`);
  }
  return chosen;
}

/** The deployment the recommendation is for, so its KEDA trigger names real values rather than placeholders. */
export interface RecommendTarget {
  /** The Deployment's name (the spec's name). */
  name: string;
  namespace?: string;
  keda: { serverAddress: string; activationThreshold: number };
}

export interface TrafficShape {
  baselinePerSecond: number;
  peakPerSecond: number;
  rampSeconds: number;
}

export interface RecommendInput {
  runtime: string;
  hasGpu?: boolean;
  /** The axis the capacity search used. */
  axis: SearchAxis;
  /** Per-replica capacity in the search axis's unit (concurrency or requests per second). */
  capacityLevel: Sourced<number>;
  /** Per-replica completions per second at that level. */
  capacityPerSecond: Sourced<number>;
  /** Latency at capacity (for converting rate to concurrency: Little's law). */
  latencyAtCapacityMs: number;
  coldStartMs: Sourced<number>;
  traffic?: Sourced<TrafficShape>;
  /** Floor for minReplicas (availability); 2 unless told. */
  minReplicasFloor?: Sourced<number>;
  /** Relative headroom for measurement noise. */
  noiseHeadroom?: number;
  /** Extra over peak for maxReplicas. */
  maxMargin?: number;
  /** Seconds between the load change and the autoscaler seeing it: sync period plus metric window. */
  metricLagSeconds?: number;
  /** The spec's deployment, when tune has a spec; without it the KEDA trigger keeps <name>. */
  deployment?: RecommendTarget;
}

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface Recommendation {
  metric: MetricChoice;
  /** Per-replica target in the metric's unit. */
  target: Sourced<number>;
  capacityPerReplica: Sourced<number>;
  headroom: {
    scaleUpLagSeconds: Sourced<number>;
    growthPerSecond: Sourced<number>;
    lagFraction: Sourced<number>;
    noiseFraction: Sourced<number>;
  };
  minReplicas: Sourced<number>;
  maxReplicas: Sourced<number>;
  behavior: {
    scaleUp: { stabilizationWindowSeconds: Sourced<number>; policies: ScalingPolicy[]; selectPolicy: 'Max'; note: string };
    scaleDown: { stabilizationWindowSeconds: Sourced<number>; policies: ScalingPolicy[]; selectPolicy: 'Max'; note: string };
  };
  /** The HPA autoscaling/v2 metric block and the KEDA trigger for this metric and target: what `mdl render` emits after `tune --write`. */
  hpaMetric: Record<string, unknown>;
  kedaTrigger: Record<string, unknown> | null;
  /** What the KEDA trigger was built for. */
  deployment?: RecommendTarget;
}

export const RECOMMEND_DEFAULTS = {
  noiseHeadroom: 0.1,
  maxMargin: 1.25,
  metricLagSeconds: 30,
  minReplicasFloor: 2,
  /** The lag headroom never takes more than half the capacity: beyond that, minReplicas must absorb ramps. */
  maxLagFraction: 0.5,
} as const;

export function recommend(input: RecommendInput): Recommendation {
  const metric = metricFor(input.runtime, input.hasGpu);
  const noise = input.noiseHeadroom ?? RECOMMEND_DEFAULTS.noiseHeadroom;
  const lagS = (input.metricLagSeconds ?? RECOMMEND_DEFAULTS.metricLagSeconds) + input.coldStartMs.value / 1000;
  const traffic = input.traffic?.value;

  // Capacity in the metric's unit. The search ran on the metric's axis, so usually no conversion; when it
  // did not, Little's law converts (in-flight = rate × latency).
  const capacity = capacityInMetricUnit(metric, input);

  const growth = traffic && traffic.rampSeconds > 0 ? Math.max(0, traffic.peakPerSecond - traffic.baselinePerSecond) / traffic.rampSeconds : 0;
  // Traffic grows by growth × lag while new replicas start; relative to the middle of the ramp, that is the
  // share of each replica's capacity to keep free.
  const mid = traffic ? Math.max((traffic.baselinePerSecond + traffic.peakPerSecond) / 2, 1e-9) : 1;
  const lagFraction = Math.min(RECOMMEND_DEFAULTS.maxLagFraction, traffic ? (growth * lagS) / mid : 0);
  const rawTarget = (capacity.value * (1 - noise)) / (1 + lagFraction);
  const target = metric.axis === 'concurrency' ? Math.max(1, Math.floor(rawTarget)) : roundTo(rawTarget, 2);

  const perReplicaPerSecond = input.capacityPerSecond.value * (target / capacity.value);
  const floor = input.minReplicasFloor ?? { value: RECOMMEND_DEFAULTS.minReplicasFloor, source: 'default', note: 'availability: survive one replica lost' };
  const fromBaseline = traffic ? Math.ceil(traffic.baselinePerSecond / Math.max(perReplicaPerSecond, 1e-9)) : 0;
  const minReplicas = Math.max(floor.value, fromBaseline);
  const margin = input.maxMargin ?? RECOMMEND_DEFAULTS.maxMargin;
  const fromPeak = traffic ? Math.ceil((traffic.peakPerSecond * margin) / Math.max(perReplicaPerSecond, 1e-9)) : minReplicas * 5;
  const maxReplicas = Math.max(minReplicas, fromPeak);

  // Scale-up must add, every 15 s, the replicas the ramp needs in 15 s — twice over, since the HPA sees load late.
  const podsPer15s = Math.max(4, Math.ceil((2 * growth * 15) / Math.max(perReplicaPerSecond, 1e-9)));
  const coldS = input.coldStartMs.value / 1000;
  const downWindow = Math.max(300, Math.ceil((2 * coldS) / 30) * 30);

  const targetNote =
    `capacity ${fmt(capacity.value)} × (1 − noise ${pct(noise)}) / (1 + lag ${pct(lagFraction)})` +
    (metric.axis === 'concurrency' ? ', rounded down' : '');
  return {
    metric,
    target: { value: target, source: 'derived', note: targetNote },
    capacityPerReplica: capacity,
    headroom: {
      scaleUpLagSeconds: {
        value: roundTo(lagS, 1),
        source: input.coldStartMs.source === 'measured' ? 'derived' : input.coldStartMs.source,
        note: `metric lag ${input.metricLagSeconds ?? RECOMMEND_DEFAULTS.metricLagSeconds} s + cold start ${fmt(coldS)} s (${input.coldStartMs.source})`,
      },
      growthPerSecond: {
        value: roundTo(growth, 3),
        source: input.traffic ? input.traffic.source : 'default',
        note: traffic ? `(peak ${fmt(traffic.peakPerSecond)} − baseline ${fmt(traffic.baselinePerSecond)}) / ramp ${fmt(traffic.rampSeconds)} s` : 'no traffic section: no ramp assumed',
      },
      lagFraction: {
        value: roundTo(lagFraction, 4),
        source: 'derived',
        note: `growth × lag / mid-ramp traffic, at most ${pct(RECOMMEND_DEFAULTS.maxLagFraction)}`,
      },
      noiseFraction: { value: noise, source: input.noiseHeadroom === undefined ? 'default' : 'flag', note: 'window-to-window variation allowed by steady state' },
    },
    minReplicas: {
      value: minReplicas,
      source: fromBaseline > floor.value ? 'derived' : floor.source,
      note: traffic
        ? `max(${floor.note} ${floor.value}, ceil(baseline ${fmt(traffic.baselinePerSecond)}/s ÷ ${fmt(perReplicaPerSecond)}/s per replica at target) = ${fromBaseline})`
        : `${floor.note}`,
    },
    maxReplicas: {
      value: maxReplicas,
      source: traffic ? 'derived' : 'default',
      note: traffic
        ? `ceil(peak ${fmt(traffic.peakPerSecond)}/s × ${margin} ÷ ${fmt(perReplicaPerSecond)}/s per replica at target)`
        : 'no traffic section: 5 × minReplicas',
    },
    behavior: {
      scaleUp: {
        stabilizationWindowSeconds: { value: 0, source: 'default', note: 'react at once: scale-up lag is the cost' },
        policies: [
          { type: 'Percent', value: 100, periodSeconds: 15 },
          { type: 'Pods', value: podsPer15s, periodSeconds: 15 },
        ],
        selectPolicy: 'Max',
        note: `double, or add ${podsPer15s} pods per 15 s (2 × the ramp's ${fmt(growth * 15)}/s per 15 s ÷ per-replica rate), whichever is more`,
      },
      scaleDown: {
        stabilizationWindowSeconds: {
          value: downWindow,
          source: 'derived',
          note: `max(300 s, 2 × cold start ${fmt(coldS)} s): a replica removed costs a cold start to get back`,
        },
        policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }],
        selectPolicy: 'Max',
        note: 'at most half the replicas per minute',
      },
    },
    hpaMetric: hpaMetricBlock(metric, target),
    kedaTrigger: kedaTrigger(metric, target, input.deployment),
    ...(input.deployment ? { deployment: input.deployment } : {}),
  };
}

function capacityInMetricUnit(metric: MetricChoice, input: RecommendInput): Sourced<number> {
  const fromAxis = input.capacityLevel;
  if (metric.kind === 'rps') {
    return { value: input.capacityPerSecond.value, source: input.capacityPerSecond.source, note: `completions per second per replica at capacity (${input.capacityPerSecond.note})` };
  }
  if (metric.kind === 'cpu') return fromAxis;
  // Concurrency: either measured directly, or converted from a rate with Little's law.
  if (input.axis === 'rate') {
    const value = (input.capacityPerSecond.value * input.latencyAtCapacityMs) / 1000;
    return { value, source: 'derived', note: `Little's law: ${fmt(input.capacityPerSecond.value)}/s × ${fmt(input.latencyAtCapacityMs)} ms` };
  }
  return fromAxis;
}

/** The metric as the resolved spec holds it after `tune --write` (src/spec/resolve.ts). */
function asMetricSpec(metric: MetricChoice, target: number): MetricSpec {
  if (metric.kind === 'cpu') return { type: 'cpu', target: Math.round(target), targetKind: 'utilization' };
  const out: MetricSpec = { type: metric.kind, target, targetKind: 'averageValue', name: metric.kind };
  if (metric.prometheusMetric !== null && metric.seriesKind !== null) {
    const m = { series: metric.prometheusMetric, kind: metric.seriesKind };
    Object.assign(out, { name: podsMetricName(m), series: m.series, seriesKind: m.kind, querySource: 'registry' });
  }
  return out;
}

/** The HPA's spec.metrics entry, built by the same code as `mdl render`'s. */
export function hpaMetricBlock(metric: MetricChoice, target: number): Record<string, unknown> {
  return hpaMetric(asMetricSpec(metric, target));
}

/** The KEDA trigger, built by the same code as `mdl render`'s; null when the metric has no known series. */
export function kedaTrigger(metric: MetricChoice, target: number, deployment?: RecommendTarget): Record<string, unknown> | null {
  if (!metric.prometheusMetric) return null;
  const keda = deployment?.keda ?? { serverAddress: DEFAULT_KEDA_SERVER, activationThreshold: 0 };
  return manifestKedaTrigger(asMetricSpec(metric, target), keda, deployment?.name ?? '<name>', { namespace: deployment?.namespace });
}

function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(Math.abs(x) < 10 ? 2 : 1);
}
function pct(x: number): string {
  return `${roundTo(x * 100, 1)} %`;
}
