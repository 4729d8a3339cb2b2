/**
 * From the validated input (human units, preset defaults already merged) to the resolved ModelSpec:
 * units become numbers, defaults fill the gaps, and combinations that cannot work are reported as
 * issues with the key path they concern. Pure: no I/O.
 */
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { PERCENT_EXPECTED, RATE_EXPECTED, parseDurationMs, parsePercent, parseQuantity, parseRatePerSecond } from '../units.js';
import { suggest } from './issues.js';
import { presetMetricFor, type RuntimePreset } from './presets.js';
import type { GpuPriceTable } from './prices.js';
import { RESERVED_POD_ANNOTATIONS, type SpecParsed } from './schema.js';
import { defaultProgressDeadlineMs, startupChecks } from './startup.js';
import type { CostSpec, EnvVarSpec, MetricSpec, ModelSpec, ProbeSpec, ScalingRulesSpec } from './types.js';

export interface SpecIssue {
  path: (string | number)[];
  message: string;
  hint?: string;
}

export const DEFAULT_GPU_RESOURCE = 'nvidia.com/gpu';
export const DEFAULT_KEDA_SERVER = 'http://prometheus-operated.monitoring.svc:9090';

const ms = (text: string | undefined, fallback: number): number => (text === undefined ? fallback : parseDurationMs(text));
const quantityText = (q: string | number | undefined): string | undefined => (q === undefined ? undefined : String(q));

export interface ResolveContext {
  preset: RuntimePreset;
  /** The GPU list prices `cost.gpu` names (loaded by the caller: this module does no I/O). */
  gpuPrices?: GpuPriceTable;
  /** Folder of the spec file: relative paths (payload, local.cwd) resolve against it. */
  baseDir: string;
  environment?: string;
}

export type ResolveResult = { ok: true; spec: ModelSpec } | { ok: false; issues: SpecIssue[] };

export function resolveSpec(input: SpecParsed, ctx: ResolveContext): ResolveResult {
  const issues: SpecIssue[] = [];
  const issue = (path: (string | number)[], message: string, hint?: string) =>
    issues.push(hint === undefined ? { path, message } : { path, message, hint });

  // Each part reports into the one issue list, in this order, so that every problem is told at once.
  const port = input.port ?? 8080;
  const resources = resolveResources(input.resources ?? {}, issue);
  const env = resolveEnv(input.env);
  const health = resolveHealth(input.health ?? {}, port, issue);
  const progressDeadlineMs = resolveProgressDeadline(input.rollout, health.startup, issue);
  const podAnnotations = resolvePodAnnotations(input.podAnnotations, issue);
  const shutdown = { drainMs: ms(input.shutdown?.drain, 10_000), gracePeriodMs: ms(input.shutdown?.gracePeriod, 30_000) };
  const rollout = resolveRollout(input.rollout, resources.gpu, progressDeadlineMs, issue);
  const scaling = resolveScaling(input, ctx, resources, issue);
  const slo = resolveSloTargets(input.slo ?? {}, issue);
  const traffic = resolveTraffic(input.traffic, issue);
  const loadtest = resolveLoadtest(input, ctx);
  const local = resolveLocal(input.local, ctx, scaling.minReplicas, health.readiness);
  const cost = resolveCost(input.cost, resources.gpu, ctx.gpuPrices, issue);
  if (issues.length > 0) return { ok: false, issues };

  const spec: ModelSpec = {
    name: input.name,
    version: input.image === undefined ? 'latest' : imageVersion(input.image),
    runtime: input.runtime ?? 'http',
    port,
    env,
    resources: resourcesSpec(resources),
    nodeSelector: { ...(input.nodeSelector ?? {}) },
    tolerations: [...(input.tolerations ?? [])],
    podAnnotations,
    health,
    metrics: { path: input.metrics?.path ?? '/metrics', port: input.metrics?.port ?? port },
    shutdown,
    rollout,
    disruption: { maxUnavailable: input.disruption?.maxUnavailable ?? 1 },
    scaling,
    slo,
    loadtest,
  };
  if (input.image !== undefined) spec.image = input.image;
  if (input.command) spec.command = [...input.command];
  if (input.args) spec.args = [...input.args];
  if (traffic) spec.traffic = traffic;
  if (cost) spec.cost = cost;
  if (local) spec.local = local;
  if (ctx.environment !== undefined) spec.environment = ctx.environment;
  return { ok: true, spec };
}

type IssueFn = (path: (string | number)[], message: string, hint?: string) => void;
type ResourcesInput = NonNullable<SpecParsed['resources']>;

/** The resources as given, with their quantities parsed once: scaling and the spec both need them. */
interface ParsedResources {
  res: ResourcesInput;
  gpu: number;
  cpuCores: number | undefined;
  memoryBytes: number | undefined;
}

function resolveResources(res: ResourcesInput, issue: IssueFn): ParsedResources {
  const gpu = res.gpu ?? 0;
  if (res.gpuResource !== undefined && gpu === 0) {
    issue(['resources', 'gpuResource'], 'a GPU resource name is set but no GPUs are requested', 'Set resources.gpu to the number of GPUs per replica, or remove gpuResource.');
  }
  if (res.gpuProduct !== undefined && gpu === 0) {
    issue(['resources', 'gpuProduct'], 'a GPU model is set but no GPUs are requested', 'Set resources.gpu to the number of GPUs per replica, or remove gpuProduct.');
  }
  const cpuCores = res.cpu === undefined ? undefined : parseQuantity(res.cpu);
  const memoryBytes = res.memory === undefined ? undefined : parseQuantity(res.memory);
  const limits = res.limits ?? {};
  if (limits.cpu !== undefined && cpuCores !== undefined && parseQuantity(limits.cpu) < cpuCores) {
    issue(['resources', 'limits', 'cpu'], `the CPU limit ${limits.cpu} is below the request ${res.cpu}`, 'Raise the limit or lower resources.cpu.');
  }
  if (limits.memory !== undefined && memoryBytes !== undefined && parseQuantity(limits.memory) < memoryBytes) {
    issue(['resources', 'limits', 'memory'], `the memory limit ${limits.memory} is below the request ${res.memory}`, 'Raise the limit or lower resources.memory.');
  }
  return { res, gpu, cpuCores, memoryBytes };
}

/** The memory limit defaults to the request; the CPU limit stays unset unless given. */
function resourcesSpec({ res, gpu, cpuCores, memoryBytes }: ParsedResources): ModelSpec['resources'] {
  const out: ModelSpec['resources'] = { gpu, gpuResource: res.gpuResource ?? DEFAULT_GPU_RESOURCE, limits: {} };
  const limits = res.limits ?? {};
  const cpuText = quantityText(res.cpu);
  const memText = quantityText(res.memory);
  if (cpuText !== undefined) out.cpu = cpuText;
  if (cpuCores !== undefined) out.cpuCores = cpuCores;
  if (memText !== undefined) out.memory = memText;
  if (memoryBytes !== undefined) out.memoryBytes = memoryBytes;
  if (res.gpuProduct !== undefined) out.gpuProduct = res.gpuProduct;
  const limCpu = quantityText(limits.cpu);
  const limMem = quantityText(limits.memory) ?? memText;
  if (limCpu !== undefined) out.limits.cpu = limCpu;
  if (limMem !== undefined) out.limits.memory = limMem;
  return out;
}

function resolveEnv(input: SpecParsed['env']): EnvVarSpec[] {
  return Object.entries(input ?? {}).map(([name, v]) => {
    if (typeof v === 'object') {
      return 'secret' in v ? { name, secret: { name: v.secret, key: v.key } } : { name, configMap: { name: v.configMap, key: v.key } };
    }
    return { name, value: String(v) };
  });
}

type HealthInput = NonNullable<SpecParsed['health']>;

function resolveHealth(health: HealthInput, port: number, issue: IssueFn): ModelSpec['health'] {
  const probe = (p: HealthInput['readiness'] | undefined, defaults: { periodMs: number; timeoutMs: number; failureThreshold: number }): ProbeSpec => {
    const out: ProbeSpec = {
      port: p?.port ?? port,
      periodMs: ms(p?.period, defaults.periodMs),
      timeoutMs: ms(p?.timeout, defaults.timeoutMs),
      failureThreshold: p?.failureThreshold ?? defaults.failureThreshold,
    };
    if (p?.path !== undefined) out.path = p.path;
    return out;
  };
  const readiness = probe(health.readiness, { periodMs: 5000, timeoutMs: 2000, failureThreshold: 3 });
  const liveness = probe(health.liveness, { periodMs: 10_000, timeoutMs: 2000, failureThreshold: 3 });
  for (const [key, p] of [['readiness', readiness], ['liveness', liveness]] as const) {
    if (p.periodMs < 1000 || p.timeoutMs < 1000) {
      issue(['health', key], `probe period and timeout must be at least 1s (Kubernetes counts whole seconds)`, 'Use values such as period: 5s, timeout: 2s.');
    }
  }
  const startup = { maxLoadMs: ms(health.startup?.maxLoadTime, 120_000), periodMs: ms(health.startup?.period, 10_000) };
  if (startup.periodMs < 1000) issue(['health', 'startup', 'period'], 'the startup check period must be at least 1s');
  return { readiness, liveness, startup };
}

/** The rollout deadline must outlast the startup check, or a slow but healthy load reads as a failed rollout. */
function resolveProgressDeadline(rollout: SpecParsed['rollout'], startup: ModelSpec['health']['startup'], issue: IssueFn): number {
  const progressDeadlineMs = ms(rollout?.progressDeadline, defaultProgressDeadlineMs(startup));
  if (rollout?.progressDeadline !== undefined && startup.periodMs >= 1000 && progressDeadlineMs <= startupChecks(startup).budgetMs) {
    issue(['rollout', 'progressDeadline'],
      `progressDeadline (${rollout.progressDeadline}) is not longer than the startup check lets a pod load (${startupChecks(startup).budgetMs / 1000}s): a rollout whose pods load slowly but in time would be reported as failed`,
      'Raise rollout.progressDeadline, or lower health.startup.maxLoadTime.');
  }
  return progressDeadlineMs;
}

function resolvePodAnnotations(input: SpecParsed['podAnnotations'], issue: IssueFn): Record<string, string> {
  const podAnnotations = { ...(input ?? {}) };
  for (const key of RESERVED_POD_ANNOTATIONS) {
    if (key in podAnnotations) {
      issue(['podAnnotations', key], `mdl sets the pod annotation ${key} itself`,
        key.startsWith('prometheus.io/') ? 'Remove it; set metrics.port and metrics.path to change where Prometheus scrapes.' : 'Remove it.');
    }
  }
  return podAnnotations;
}

function resolveRollout(rollout: SpecParsed['rollout'], gpu: number, progressDeadlineMs: number, issue: IssueFn): ModelSpec['rollout'] {
  // Rolling update: without spare GPUs a new pod can only start after an old one stopped.
  const surgeDefault = gpu > 0 ? 0 : '25%';
  const maxSurge = rollout?.maxSurge ?? surgeDefault;
  const surgeIsZero = maxSurge === 0 || maxSurge === '0%';
  const maxUnavailable = rollout?.maxUnavailable ?? (surgeIsZero ? 1 : 0);
  if (surgeIsZero && (maxUnavailable === 0 || maxUnavailable === '0%')) {
    issue(['rollout', 'maxUnavailable'], 'maxSurge and maxUnavailable are both 0, so a rollout could never progress', 'Allow one of them: maxUnavailable: 1 (no spare GPUs needed) or maxSurge: 1.');
  }
  return { maxSurge, maxUnavailable, progressDeadlineMs };
}

function resolveScaling(input: SpecParsed, ctx: ResolveContext, { res, gpu }: ParsedResources, issue: IssueFn): ModelSpec['scaling'] {
  const sc = input.scaling ?? {};
  const minReplicas = sc.minReplicas ?? 1;
  const maxReplicas = sc.maxReplicas ?? Math.max(minReplicas, 1);
  const engine = sc.engine ?? 'hpa';
  if (minReplicas > maxReplicas) {
    issue(['scaling', 'minReplicas'], `minReplicas (${minReplicas}) is above maxReplicas (${maxReplicas})`, 'Make minReplicas at most maxReplicas.');
  }
  if (minReplicas === 0 && engine === 'hpa') {
    issue(['scaling', 'minReplicas'], 'minReplicas 0 (scale to zero) needs engine: keda; a HorizontalPodAutoscaler cannot scale to zero', 'Set scaling.engine: keda, or minReplicas: 1.');
  }
  const metricInput = sc.metric ?? { type: 'cpu' as const, target: '70%' };
  const metric = resolveMetric(metricInput, ctx, input.name, gpu, engine, issue);
  if (engine === 'keda' && minReplicas === 0 && (metric.type === 'cpu' || metric.type === 'memory')) {
    issue(['scaling', 'metric', 'type'], `KEDA cannot scale to zero on ${metric.type}: an idle pod still uses some, and at zero pods there is nothing to measure`, 'Use a metric that is zero when idle (concurrency, rps, queue), or minReplicas: 1.');
  }
  const autoscaled = engine === 'keda' || maxReplicas > minReplicas;
  if (autoscaled && (metric.type === 'cpu' || metric.type === 'memory') && res[metric.type] === undefined) {
    issue(['scaling', 'metric', 'type'], `${metric.type} utilization is measured against the ${metric.type} request, but resources.${metric.type} is not set`, `Set resources.${metric.type} (e.g. ${metric.type === 'cpu' ? 'cpu: "1"' : 'memory: 2Gi'}), or scale on another metric.`);
  }
  const behavior = resolveBehavior(sc.behavior, issue);
  const keda = {
    serverAddress: sc.keda?.serverAddress ?? DEFAULT_KEDA_SERVER,
    pollingIntervalMs: ms(sc.keda?.pollingInterval, 30_000),
    cooldownPeriodMs: ms(sc.keda?.cooldownPeriod, 300_000),
    activationThreshold: sc.keda?.activationThreshold ?? 0,
  };
  if (sc.keda !== undefined && engine !== 'keda') {
    issue(['scaling', 'keda'], 'KEDA settings are given but the engine is hpa', 'Set scaling.engine: keda, or remove scaling.keda.');
  }
  const scaling: ModelSpec['scaling'] = { minReplicas, maxReplicas, metric, engine, keda, autoscaled };
  if (behavior) scaling.behavior = behavior;
  return scaling;
}

type SloInput = NonNullable<SpecParsed['slo']>;

function resolveSloTargets(slo: SloInput, issue: IssueFn): ModelSpec['slo'] {
  const latency: ModelSpec['slo']['latency'] = {};
  if (slo.p50 !== undefined) latency.p50Ms = parseDurationMs(slo.p50);
  if (slo.p90 !== undefined) latency.p90Ms = parseDurationMs(slo.p90);
  if (slo.p95 !== undefined) latency.p95Ms = parseDurationMs(slo.p95);
  if (slo.p99 !== undefined) latency.p99Ms = parseDurationMs(slo.p99);
  const order = [['p50', latency.p50Ms], ['p90', latency.p90Ms], ['p95', latency.p95Ms], ['p99', latency.p99Ms]] as const;
  let last: readonly [string, number | undefined] | undefined;
  for (const entry of order) {
    if (entry[1] === undefined) continue;
    if (last && last[1]! > entry[1]) {
      issue(['slo', entry[0]], `${entry[0]} (${slo[entry[0]]}) is below ${last[0]} (${slo[last[0] as 'p50']}): a higher percentile cannot be faster`, 'Order the latency targets p50 ≤ p90 ≤ p95 ≤ p99.');
    }
    last = entry;
  }
  const sloOut: ModelSpec['slo'] = { latency };
  if (slo.errorRate !== undefined) sloOut.errorRate = parsePercent(slo.errorRate);
  return sloOut;
}

function resolveTraffic(t: SpecParsed['traffic'], issue: IssueFn): ModelSpec['traffic'] {
  if (!t) return undefined;
  const baselinePerSecond = parseRatePerSecond(t.baseline);
  const peakPerSecond = parseRatePerSecond(t.peak);
  if (peakPerSecond < baselinePerSecond) {
    issue(['traffic', 'peak'], `the peak (${t.peak}) is below the baseline (${t.baseline})`, 'Make peak at least baseline.');
  }
  if (t.ramp !== undefined && t.rampSeconds !== undefined) {
    issue(['traffic', 'rampSeconds'], 'both ramp and rampSeconds are set', 'Keep one: ramp: 2m or rampSeconds: 120.');
  }
  const rampMs = t.ramp !== undefined ? parseDurationMs(t.ramp) : t.rampSeconds !== undefined ? t.rampSeconds * 1000 : 60_000;
  return { baselinePerSecond, peakPerSecond, rampMs };
}

/** The request the load test sends; a payload file resolves against the spec's folder. */
function resolveLoadtest(input: SpecParsed, ctx: ResolveContext): ModelSpec['loadtest'] {
  const lt = input.loadtest ?? {};
  const protocol = lt.protocol ?? 'http';
  const loadtest: ModelSpec['loadtest'] = {
    protocol,
    path: lt.path ?? (protocol === 'openai' ? '/v1/completions' : protocol === 'kserve-v2' ? `/v2/models/${lt.model ?? input.name}/infer` : '/'),
    method: lt.method ?? 'POST',
    headers: { ...(lt.headers ?? {}) },
  };
  if (lt.url !== undefined) loadtest.url = lt.url;
  if (lt.model !== undefined) loadtest.model = lt.model;
  if (lt.payload !== undefined) {
    loadtest.payload =
      typeof lt.payload === 'string'
        ? { kind: 'file', path: isAbsolute(lt.payload) ? lt.payload : resolvePath(ctx.baseDir, lt.payload) }
        : { kind: 'inline', value: lt.payload };
  }
  return loadtest;
}

function resolveLocal(l: SpecParsed['local'], ctx: ResolveContext, minReplicas: number, readiness: ProbeSpec): ModelSpec['local'] {
  if (!l) return undefined;
  const local: NonNullable<ModelSpec['local']> = {
    command: l.command,
    replicas: l.replicas ?? Math.max(1, minReplicas),
    healthPath: l.healthPath ?? readiness.path ?? '/',
    cwd: l.cwd === undefined ? ctx.baseDir : resolvePath(ctx.baseDir, l.cwd),
    env: { ...(l.env ?? {}) },
  };
  if (l.port !== undefined) local.port = l.port;
  return local;
}

/** The spec's own price wins; else a GPU product's list price × the GPUs per replica (at least one). */
function resolveCost(input: SpecParsed['cost'], gpus: number, table: GpuPriceTable | undefined, issue: IssueFn): CostSpec | undefined {
  if (!input) return undefined;
  if (input.perReplicaHour !== undefined) {
    if (input.currency === undefined) {
      issue(['cost', 'currency'], 'a price needs a currency', `Add currency next to perReplicaHour, e.g. cost: { perReplicaHour: ${input.perReplicaHour}, currency: USD }.`);
      return undefined;
    }
    return { perReplicaHour: input.perReplicaHour, currency: input.currency, source: 'spec' };
  }
  if (input.gpu === undefined) {
    issue(['cost'], 'cost names neither a price nor a GPU product', 'Set cost.perReplicaHour with cost.currency, or cost.gpu (e.g. A100-40GB).');
    return undefined;
  }
  const products = Object.keys(table?.perGpuHour ?? {});
  const perGpuHour = table?.perGpuHour[input.gpu];
  if (table === undefined || perGpuHour === undefined) {
    const near = suggest(input.gpu, products);
    issue(['cost', 'gpu'], `no list price for GPU product "${input.gpu}"`,
      `${near ? `Did you mean "${near}"? ` : ''}Priced products${table ? ` (as of ${table.asOf})` : ''}: ${products.join(', ') || 'none'}; or set cost.perReplicaHour and cost.currency.`);
    return undefined;
  }
  if (input.currency !== undefined && input.currency !== table.currency) {
    issue(['cost', 'currency'], `the list prices are in ${table.currency}, not ${input.currency}`, `Drop currency, or set your own cost.perReplicaHour in ${input.currency}.`);
    return undefined;
  }
  const count = Math.max(1, gpus);
  return {
    perReplicaHour: Math.round(perGpuHour * count * 100) / 100,
    currency: table.currency,
    source: `list price of ${input.gpu} as of ${table.asOf}${count > 1 ? ` × ${count} GPUs` : ''} (${table.source})`,
  };
}

function resolveMetric(
  m: NonNullable<NonNullable<SpecParsed['scaling']>['metric']>,
  ctx: ResolveContext,
  name: string,
  gpu: number,
  engine: 'hpa' | 'keda',
  issue: IssueFn,
): MetricSpec {
  const at = ['scaling', 'metric', 'target'];
  const target = m.target;
  const number = (): number => {
    if (typeof target === 'number') return target;
    const n = Number(target);
    if (target.trim() !== '' && Number.isFinite(n) && n > 0) return n;
    try {
      const q = parseQuantity(target);
      if (q > 0) return q;
    } catch {
      // reported below
    }
    issue(at, `"${target}" is not a positive number`, `Write the target for ${m.type} as a number, e.g. target: 8.`);
    return 1;
  };
  const percentOf = (scale: 'percent' | 'fraction'): number => {
    if (typeof target === 'number') return target;
    try {
      const f = parsePercent(target);
      if (f <= 0) throw new Error('zero');
      return scale === 'percent' ? Math.round(f * 10000) / 100 : f;
    } catch {
      issue(at, `"${target}" is not a percentage`, `Write the ${m.type} target as ${PERCENT_EXPECTED}.`);
      return 1;
    }
  };

  if (m.type === 'cpu' || m.type === 'memory') {
    const t = percentOf('percent');
    if (!Number.isInteger(t)) issue(at, `utilization targets are whole percentages (got ${t})`, 'Round the target, e.g. 70%.');
    for (const key of ['name', 'query', 'selector'] as const) {
      if (m[key] !== undefined) issue(['scaling', 'metric', key], `${m.type} is a resource metric and takes no ${key}`, `Remove scaling.metric.${key}, or use type: external for a custom metric.`);
    }
    return { type: m.type, target: t, targetKind: 'utilization' };
  }

  if (m.type === 'external') {
    if (m.name === undefined) issue(['scaling', 'metric'], 'an external metric needs its name', 'Set scaling.metric.name to the metric as the external metrics API exposes it.');
    if (engine === 'keda' && m.query === undefined) issue(['scaling', 'metric'], 'with engine: keda an external metric needs a PromQL query', 'Set scaling.metric.query.');
    const out: MetricSpec = { type: 'external', target: number(), targetKind: 'averageValue', name: m.name ?? 'external' };
    if (m.query !== undefined) out.query = m.query.replaceAll('{name}', name);
    if (m.selector !== undefined) out.selector = { ...m.selector };
    return out;
  }

  if (m.type === 'gpu' && gpu === 0) {
    issue(['scaling', 'metric', 'type'], 'scaling on gpu needs GPUs, but resources.gpu is not set', 'Set resources.gpu, or pick another metric type.');
  }
  const known = presetMetricFor(ctx.preset, m.type);
  if (!known && m.name === undefined) {
    issue(['scaling', 'metric', 'name'], `the ${ctx.preset.name} runtime exports no ${m.type} metric that mdl knows`, `Set scaling.metric.name (and query for KEDA), or use a type the preset knows: ${Object.keys(ctx.preset.metrics).join(', ') || 'cpu, memory, concurrency, rps, gpu'}.`);
  }
  if (engine === 'keda' && !known && m.query === undefined) {
    issue(['scaling', 'metric', 'query'], `with engine: keda a ${m.type} metric needs a PromQL query`, 'Set scaling.metric.query.');
  }
  let t: number;
  if (m.type === 'rps') {
    try {
      t = parseRatePerSecond(target);
      if (t <= 0) throw new Error('zero');
    } catch {
      issue(at, `"${target}" is not a rate`, `Write the rps target as ${RATE_EXPECTED}.`);
      t = 1;
    }
  } else if (m.type === 'gpu') {
    t = percentOf(known?.scale ?? 'percent');
  } else {
    t = number();
  }
  const out: MetricSpec = { type: m.type, target: t, targetKind: 'averageValue', name: m.name ?? known?.pods ?? m.type };
  const query = m.query ?? known?.query;
  if (query !== undefined) out.query = query.replaceAll('{name}', name);
  if (m.query === undefined && known) out.querySource = 'registry';
  if (known && m.name === undefined) {
    out.series = known.series;
    out.seriesKind = known.kind;
  }
  if (m.selector !== undefined) out.selector = { ...m.selector };
  return out;
}

function resolveBehavior(
  b: NonNullable<SpecParsed['scaling']>['behavior'],
  issue: IssueFn,
): ModelSpec['scaling']['behavior'] {
  if (!b) return undefined;
  const rules = (r: NonNullable<typeof b.scaleUp> | undefined, key: 'scaleUp' | 'scaleDown'): ScalingRulesSpec | undefined => {
    if (!r) return undefined;
    const out: ScalingRulesSpec = {};
    if (r.stabilization !== undefined && r.stabilizationSeconds !== undefined) {
      issue(['scaling', 'behavior', key, 'stabilizationSeconds'], 'both stabilization and stabilizationSeconds are set', 'Keep one: stabilization: 5m or stabilizationSeconds: 300.');
    }
    const stabilizationMs = r.stabilization !== undefined ? parseDurationMs(r.stabilization) : r.stabilizationSeconds !== undefined ? r.stabilizationSeconds * 1000 : undefined;
    if (stabilizationMs !== undefined) {
      out.stabilizationMs = stabilizationMs;
      if (stabilizationMs > 3_600_000) {
        issue(['scaling', 'behavior', key, r.stabilization !== undefined ? 'stabilization' : 'stabilizationSeconds'], 'the stabilization window is above 1h, the Kubernetes maximum');
      }
    }
    if (r.policies) {
      out.policies = r.policies.map((p, i) => {
        const periodMs = parseDurationMs(p.period);
        if (periodMs < 1000 || periodMs > 1_800_000) {
          issue(['scaling', 'behavior', key, 'policies', i, 'period'], `the policy period ${p.period} is outside 1s..30m, the range Kubernetes accepts`);
        }
        return { type: p.type, value: p.value, periodMs };
      });
    }
    if (r.selectPolicy !== undefined) out.selectPolicy = r.selectPolicy;
    if (r.tolerance !== undefined) out.tolerance = parsePercent(r.tolerance);
    return out;
  };
  const out: NonNullable<ModelSpec['scaling']['behavior']> = {};
  const up = rules(b.scaleUp, 'scaleUp');
  const down = rules(b.scaleDown, 'scaleDown');
  if (up) out.scaleUp = up;
  if (down) out.scaleDown = down;
  return out;
}

/** "ghcr.io/acme/sentiment:1.4.2" → "1.4.2"; a digest → its first 12 hex digits; no tag → "latest". */
export function imageVersion(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at + 1).replace(/^sha256:/, '').slice(0, 12);
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  const tag = colon >= 0 ? image.slice(colon + 1) : 'latest';
  // Label values: at most 63 characters of [A-Za-z0-9_.-].
  return tag.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '') || 'latest';
}
