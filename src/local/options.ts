/**
 * What the local runtime takes: plain options, so that `mdl dev`, `mdl loadtest --local` and `mdl tune --local`
 * only map their spec and flags onto them.
 */

/** Kubernetes' HPA scaling policy (autoscaling/v2 HPAScalingPolicy). */
export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

/** One direction of autoscaling/v2 HorizontalPodAutoscalerBehavior. */
export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: ScalingPolicy[];
  /** Per-direction tolerance (a fraction, 0.1 = 10 %); the controller's default is 0.1. */
  tolerance?: number;
}

export interface ScalingBehavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

/**
 * The metric the autoscaler follows:
 * - concurrency: average in-flight requests per replica, measured at the balancer (target: requests);
 * - rps: completed requests per second per replica, measured at the balancer (target: requests per second);
 * - cpu: CPU use of each replica's processes from /proc as a percentage of `cpuRequestCores` (target: percent).
 */
export interface ScalingMetric {
  type: 'concurrency' | 'rps' | 'cpu';
  target: number;
}

export interface LocalScalingOptions {
  minReplicas: number;
  maxReplicas: number;
  metric: ScalingMetric;
  behavior?: ScalingBehavior;
  /** How often the autoscaler runs (the HPA controller's --horizontal-pod-autoscaler-sync-period); 15 s default. */
  syncPeriodMs?: number;
  /** The CPU "request" of one replica, in cores, for the cpu metric; 1 by default. */
  cpuRequestCores?: number;
  /** Turn the autoscaler off: the replica count stays where it is put. */
  enabled?: boolean;
}

export interface LocalRuntimeOptions {
  /**
   * The replica's command. A string without shell syntax is split into arguments and run directly; a string
   * with shell syntax (pipes, &&, $VAR, quotes, redirections) runs through /bin/sh; an array runs as given.
   * `{port}`, `{grpcPort}`, `{metricsPort}` and `{replica}` are filled per replica (src/spec/command-placeholders.ts). A leading `node` means the Node.js running mdl.
   */
  command: string | string[];
  /** Working directory of the replicas (for a spec: the spec file's folder). */
  cwd?: string;
  env?: Record<string, string>;
  /** Name used in output prefixes and status ("iris" → iris-1, iris-2 …). */
  name?: string;
  /** Balancer port; 0 picks a free one. */
  port?: number;
  /** Replicas at start; defaults to scaling.minReplicas. */
  replicas?: number;
  /** Readiness path polled on each replica (kserve-v2: /v2/health/ready). */
  healthPath?: string;
  scaling: LocalScalingOptions;
  /** A replica not ready within this time is killed and restarted (default 120 s). */
  startTimeoutMs?: number;
  /** How long a stopping replica may take to drain its in-flight requests (default 30 s). */
  drainTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL of a replica (default 10 s). */
  stopGraceMs?: number;
  /** Readiness poll interval while starting (default 200 ms); 1 s once ready. */
  readinessIntervalMs?: number;
  /** How long a request waits at the balancer for a ready replica before a 503 (default 30 s). */
  queueTimeoutMs?: number;
  /** First restart delay after a crash; doubles per crash up to 30 s (default 1 s). */
  restartBackoffMs?: number;
  /** Resolve startLocalRuntime only when all initial replicas are ready (default) or when the first is. */
  waitFor?: 'all' | 'first';
}

export const DEFAULT_SYNC_PERIOD_MS = 15_000;

export interface ResolvedOptions extends Required<Omit<LocalRuntimeOptions, 'env' | 'cwd' | 'scaling'>> {
  env: Record<string, string>;
  cwd: string;
  scaling: Required<Omit<LocalScalingOptions, 'behavior'>> & { behavior: ScalingBehavior | undefined };
}

export function resolveOptions(o: LocalRuntimeOptions): ResolvedOptions {
  const scaling = {
    minReplicas: o.scaling.minReplicas,
    maxReplicas: o.scaling.maxReplicas,
    metric: o.scaling.metric,
    behavior: o.scaling.behavior,
    syncPeriodMs: o.scaling.syncPeriodMs ?? DEFAULT_SYNC_PERIOD_MS,
    cpuRequestCores: o.scaling.cpuRequestCores ?? 1,
    enabled: o.scaling.enabled ?? true,
  };
  return {
    command: o.command,
    cwd: o.cwd ?? process.cwd(),
    env: o.env ?? {},
    name: o.name ?? 'replica',
    port: o.port ?? 0,
    replicas: o.replicas ?? scaling.minReplicas,
    healthPath: o.healthPath ?? '/',
    scaling,
    startTimeoutMs: o.startTimeoutMs ?? 120_000,
    drainTimeoutMs: o.drainTimeoutMs ?? 30_000,
    stopGraceMs: o.stopGraceMs ?? 10_000,
    readinessIntervalMs: o.readinessIntervalMs ?? 200,
    queueTimeoutMs: o.queueTimeoutMs ?? 30_000,
    restartBackoffMs: o.restartBackoffMs ?? 1000,
    waitFor: o.waitFor ?? 'all',
  };
}

/** Problems with the options, as messages; empty when they are usable. */
export function checkOptions(o: ResolvedOptions): string[] {
  const problems: string[] = [];
  const { minReplicas, maxReplicas, metric, syncPeriodMs } = o.scaling;
  if (!Number.isInteger(minReplicas) || minReplicas < 1) problems.push(`minReplicas must be a whole number ≥ 1, got ${minReplicas}`);
  if (!Number.isInteger(maxReplicas) || maxReplicas < minReplicas) {
    problems.push(`maxReplicas must be a whole number ≥ minReplicas (${minReplicas}), got ${maxReplicas}`);
  }
  if (!Number.isInteger(o.replicas) || o.replicas < 1) problems.push(`replicas must be a whole number ≥ 1, got ${o.replicas}`);
  if (!(metric.target > 0)) problems.push(`the ${metric.type} target must be above 0, got ${metric.target}`);
  if (!(syncPeriodMs > 0)) problems.push(`the sync period must be above 0, got ${syncPeriodMs} ms`);
  const cmd = Array.isArray(o.command) ? o.command.join(' ') : o.command;
  if (cmd.trim() === '') problems.push('the command is empty');
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) problems.push(`port must be 0–65535, got ${o.port}`);
  return problems;
}
