/**
 * The model spec as users write it: the zod schema is the single source of truth for validation, the
 * input TypeScript type (SpecInput), the JSON Schema printed by `mdl schema`, and the README's spec
 * reference. Fields that take human units are plain strings here; resolve.ts turns them into numbers
 * with the unit in the name (latencyMs, ratePerSecond) for the resolved ModelSpec.
 */
import { z } from 'zod';
import { describePlaceholders } from './command-placeholders.js';
import {
  DURATION_EXPECTED,
  PERCENT_EXPECTED,
  QUANTITY_EXPECTED,
  RATE_EXPECTED,
  UnitError,
  isQuantity,
  parseDurationMs,
  parsePercent,
  parseRatePerSecond,
} from '../units.js';

// A CLI validates one small document per process: compiling a fast parser per object schema (zod's
// default) costs more than it saves.
z.config({ jitless: true });

export const RUNTIMES = ['vllm', 'tgi', 'triton', 'torchserve', 'kserve-v2', 'openai', 'http'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

export const METRIC_TYPES = ['cpu', 'memory', 'concurrency', 'rps', 'queue', 'gpu', 'external'] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

export const PROTOCOLS = ['http', 'kserve-v2', 'openai'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** A string checked by a units.ts parser, so the message says what was expected. */
function unitString(check: (value: string) => unknown, expected: string, description: string, kind: string, example: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? undefined : `expected ${expected}`) })
    .superRefine((value, ctx) => {
      try {
        check(value);
      } catch (error) {
        const message = error instanceof UnitError ? error.message : String(error);
        ctx.addIssue({ code: 'custom', message: `${message}; expected ${expected}`, params: { expected } });
      }
    })
    .meta({ description, examples: [example], 'x-mdl-type': kind });
}

export const duration = (description: string) => unitString(parseDurationMs, DURATION_EXPECTED, description, 'duration', '30s');
export const percent = (description: string) => unitString(parsePercent, PERCENT_EXPECTED, description, 'percentage', '1%');
export const quantity = (description: string) =>
  z
    .union([z.string(), z.number().nonnegative()], { error: `expected ${QUANTITY_EXPECTED}` })
    .superRefine((value, ctx) => {
      if (typeof value === 'string' && !isQuantity(value)) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a quantity; expected ${QUANTITY_EXPECTED}` });
      }
    })
    .meta({ description, examples: ['500m', '4Gi'], 'x-mdl-type': 'quantity' });
export const rate = (description: string) =>
  z
    .union([z.string(), z.number().nonnegative()], { error: `expected ${RATE_EXPECTED}` })
    .superRefine((value, ctx) => {
      try {
        parseRatePerSecond(value);
      } catch (error) {
        const message = error instanceof UnitError ? error.message : String(error);
        ctx.addIssue({ code: 'custom', message: `${message}; expected ${RATE_EXPECTED}` });
      }
    })
    .meta({ description, examples: ['20rps'], 'x-mdl-type': 'rate' });

const positiveInt = (description: string) => z.number().int().positive().meta({ description });
const nonNegativeInt = (description: string) => z.number().int().nonnegative().meta({ description });

// DNS-1035 label: Kubernetes Service names, also used for every object we render.
const NAME_RE = /^[a-z]([-a-z0-9]{0,50}[a-z0-9])?$/;

// A Kubernetes annotation key: an optional DNS subdomain prefix and "/", then a name of at most 63 characters.
const ANNOTATION_KEY_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** The pod annotations the renderer writes from other fields (src/manifests/workload.ts takes its keys from
 *  here), so a podAnnotations entry may not set them. */
export const RENDERED_POD_ANNOTATIONS = {
  scrape: 'prometheus.io/scrape',
  port: 'prometheus.io/port',
  path: 'prometheus.io/path',
  specHash: 'mdl.dev/spec-hash',
} as const;
export const RESERVED_POD_ANNOTATIONS: readonly string[] = Object.values(RENDERED_POD_ANNOTATIONS);

const envValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z
    .strictObject({
      secret: z.string().min(1).meta({ description: 'Name of the Secret' }),
      key: z.string().min(1).meta({ description: 'Key in the Secret' }),
    })
    .meta({ description: 'Value from a Secret key (never written into the manifests in clear)' }),
  z
    .strictObject({
      configMap: z.string().min(1).meta({ description: 'Name of the ConfigMap' }),
      key: z.string().min(1).meta({ description: 'Key in the ConfigMap' }),
    })
    .meta({ description: 'Value from a ConfigMap key' }),
]);

const probe = (what: string) =>
  z
    .strictObject({
      path: z
        .string()
        .regex(/^\//, 'an HTTP path starting with /')
        .optional()
        .meta({ description: `HTTP path of the ${what} check; without it a TCP check on the port is used` }),
      port: z.number().int().min(1).max(65535).optional().meta({ description: 'Port of the check (default: port)' }),
      period: duration('How often the check runs').optional(),
      timeout: duration('How long one check may take').optional(),
      failureThreshold: positiveInt('Consecutive failures before the check fails').optional(),
    })
    .meta({ description: `The ${what} check` });

const scalingRules = (direction: 'up' | 'down') =>
  z
    .strictObject({
      stabilization: duration(
        `Window over which the ${direction === 'up' ? 'lowest' : 'highest'} recommendation wins (HPA stabilizationWindowSeconds)`,
      ).optional(),
      stabilizationSeconds: nonNegativeInt('The same window in seconds (alternative to stabilization)').optional(),
      policies: z
        .array(
          z.strictObject({
            type: z.enum(['Pods', 'Percent']).meta({ description: 'Pods: a number of pods; Percent: of current replicas' }),
            value: positiveInt('How many pods, or what percent, per period'),
            period: duration('The period the value applies to (1s to 30m)'),
          }),
        )
        .optional()
        .meta({ description: `Rate limits for scaling ${direction}` }),
      selectPolicy: z
        .enum(['Max', 'Min', 'Disabled'])
        .optional()
        .meta({ description: 'Which policy wins when several apply; Disabled turns this direction off' }),
      tolerance: percent(
        `Change of the metric ratio ignored before scaling ${direction} (Kubernetes 1.33+; cluster default 10%)`,
      ).optional(),
    })
    .meta({ description: `Scale-${direction} behaviour` });

const metric = z
  .strictObject({
    type: z.enum(METRIC_TYPES).meta({
      description:
        'cpu/memory: resource utilization; concurrency: in-flight requests per pod; rps: requests per second per pod; ' +
        'queue: waiting requests per pod; gpu: GPU or KV-cache utilization per pod; external: a metric from outside the pods',
    }),
    target: z
      .union([z.number().positive(), z.string()])
      .meta({
        description:
          'Target per pod: a percentage for cpu/memory/gpu ("70%"), a count for concurrency/queue (8), a rate for rps ("20rps"), a number or quantity for external',
      }),
    name: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Metric name as the metrics API exposes it (default from the runtime preset)' }),
    query: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'PromQL query for KEDA (default from the runtime preset); its value is compared with target × replicas' }),
    selector: z
      .record(z.string(), z.string())
      .optional()
      .meta({ description: 'Label selector of an external metric' }),
  })
  .meta({ description: 'The metric the autoscaler follows' });

const keda = z
  .strictObject({
    serverAddress: z
      .string()
      .url()
      .optional()
      .meta({ description: 'Prometheus server KEDA queries (default http://prometheus-operated.monitoring.svc:9090)' }),
    pollingInterval: duration('How often KEDA checks the trigger (default 30s)').optional(),
    cooldownPeriod: duration('Wait after the last active trigger before scaling to zero (default 5m)').optional(),
    activationThreshold: z
      .number()
      .nonnegative()
      .optional()
      .meta({ description: 'Metric value above which the workload leaves zero replicas (default 0)' }),
  })
  .meta({ description: 'KEDA settings, used with engine: keda' });

const scaling = z
  .strictObject({
    minReplicas: nonNegativeInt('Fewest replicas; 0 means scale to zero (needs engine: keda)').optional(),
    maxReplicas: positiveInt('Most replicas').optional(),
    metric: metric.optional(),
    behavior: z
      .strictObject({ scaleUp: scalingRules('up').optional(), scaleDown: scalingRules('down').optional() })
      .optional()
      .meta({ description: 'Scaling behaviour (HPA spec.behavior); unset fields keep the Kubernetes defaults' }),
    engine: z
      .enum(['hpa', 'keda'])
      .optional()
      .meta({ description: 'hpa: a HorizontalPodAutoscaler; keda: a KEDA ScaledObject (which owns its own HPA)' }),
    keda: keda.optional(),
  })
  .meta({ description: 'Replica bounds and the autoscaler; with minReplicas equal to maxReplicas no autoscaler is rendered' });

const toleration = z.strictObject({
  key: z.string().optional().meta({ description: 'Taint key to tolerate' }),
  operator: z.enum(['Equal', 'Exists']).optional().meta({ description: 'Equal (default) or Exists' }),
  value: z.string().optional().meta({ description: 'Taint value (with Equal)' }),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional().meta({ description: 'Taint effect; empty means all' }),
  tolerationSeconds: z.number().int().nonnegative().optional().meta({ description: 'How long a NoExecute taint is tolerated' }),
});

/** Every field except environments: an environment overlay may set any of these. */
export const specFields = {
  $schema: z.string().optional().meta({ description: 'JSON Schema for editors (ignored by mdl)' }),
  name: z
    .string()
    .regex(NAME_RE, 'lowercase letters, digits and "-", starting with a letter, at most 52 characters')
    .meta({ description: 'Name of the model service; names every Kubernetes object' }),
  image: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Container image, e.g. ghcr.io/acme/sentiment:1.4.2 (needed to render manifests; `mdl dev` runs without one)' }),
  runtime: z
    .enum(RUNTIMES)
    .optional()
    .meta({ description: 'Runtime preset: ports, health paths, metrics, startup time and scaling metrics (default http)' }),
  port: z.number().int().min(1).max(65535).optional().meta({ description: 'Port the server listens on (default from the preset)' }),
  command: z.array(z.string()).optional().meta({ description: 'Container entrypoint (overrides the image)' }),
  args: z.array(z.string()).optional().meta({ description: 'Container arguments' }),
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'an environment variable name'), envValue)
    .optional()
    .meta({ description: 'Environment variables: a value, {secret, key} or {configMap, key}' }),
  resources: z
    .strictObject({
      cpu: quantity('CPU request, e.g. "2" or 500m').optional(),
      memory: quantity('Memory request (and limit), e.g. 4Gi').optional(),
      gpu: nonNegativeInt('GPUs per replica, set as a limit (and request)').optional(),
      gpuResource: z.string().min(1).optional().meta({ description: 'Extended resource name of the GPU (default nvidia.com/gpu)' }),
      gpuProduct: z
        .string()
        .min(1)
        .optional()
        .meta({ description: 'GPU model to schedule on (node label nvidia.com/gpu.product), e.g. NVIDIA-A100-SXM4-80GB' }),
      limits: z
        .strictObject({
          cpu: quantity('CPU limit (default: none, to avoid throttling)').optional(),
          memory: quantity('Memory limit (default: the memory request)').optional(),
        })
        .optional()
        .meta({ description: 'Limits when they differ from the defaults' }),
    })
    .optional()
    .meta({ description: 'Resources of one replica' }),
  nodeSelector: z.record(z.string(), z.string()).optional().meta({ description: 'Node labels the pods must match' }),
  tolerations: z.array(toleration).optional().meta({ description: 'Tolerations (a GPU toleration is added when gpu > 0)' }),
  podAnnotations: z
    .record(z.string().regex(ANNOTATION_KEY_RE, 'an annotation key: an optional DNS prefix and "/", then letters, digits, "-", "_" or "."'), z.string())
    .optional()
    .meta({ description: `Annotations on the pods, e.g. for a service mesh or the cluster autoscaler (mdl sets ${RESERVED_POD_ANNOTATIONS.join(', ')} itself)` }),
  health: z
    .strictObject({
      readiness: probe('readiness').optional(),
      liveness: probe('liveness').optional(),
      startup: z
        .strictObject({
          maxLoadTime: duration('Worst-case time from container start to ready (image already pulled, model loaded)').optional(),
          period: duration('How often the startup check runs (default 10s)').optional(),
        })
        .optional()
        .meta({ description: 'The startup check, sized so the slowest model load still passes' }),
    })
    .optional()
    .meta({ description: 'Health checks (default from the preset)' }),
  metrics: z
    .strictObject({
      path: z.string().regex(/^\//, 'an HTTP path starting with /').optional().meta({ description: 'HTTP path of the metrics endpoint' }),
      port: z.number().int().min(1).max(65535).optional().meta({ description: 'Port of the metrics endpoint (default: port)' }),
    })
    .optional()
    .meta({ description: 'Where the server exposes Prometheus metrics (default from the preset)' }),
  shutdown: z
    .strictObject({
      drain: duration('Time to finish in-flight requests after the pod leaves the Service (preStop)').optional(),
      gracePeriod: duration('Time the server gets after the drain to exit (default 30s)').optional(),
    })
    .optional()
    .meta({ description: 'Graceful shutdown' }),
  rollout: z
    .strictObject({
      maxSurge: z
        .union([nonNegativeInt('Extra pods'), z.string().regex(/^\d+%$/, 'a count or a percentage like 25%')])
        .optional()
        .meta({ description: 'Extra pods during a rollout; 0 needs no spare GPUs (default 25%, 0 when gpu > 0)' }),
      maxUnavailable: z
        .union([nonNegativeInt('Pods down'), z.string().regex(/^\d+%$/, 'a count or a percentage like 25%')])
        .optional()
        .meta({ description: 'Pods that may be unavailable during a rollout (default 0, or 1 when maxSurge is 0)' }),
      progressDeadline: duration(
        'How long a rollout may go without progress before Kubernetes marks it failed (progressDeadlineSeconds; default 10m, longer when health.startup allows a longer load)',
      ).optional(),
    })
    .optional()
    .meta({ description: 'Rolling update' }),
  disruption: z
    .strictObject({
      maxUnavailable: nonNegativeInt('Pods a voluntary disruption (drain) may take down at once (default 1)').optional(),
    })
    .optional()
    .meta({ description: 'PodDisruptionBudget' }),
  scaling: scaling.optional(),
  slo: z
    .strictObject({
      p50: duration('Median latency').optional(),
      p90: duration('90th percentile latency').optional(),
      p95: duration('95th percentile latency').optional(),
      p99: duration('99th percentile latency').optional(),
      errorRate: percent('Largest share of failed requests, e.g. 1%').optional(),
    })
    .optional()
    .meta({ description: 'Service level objective the load test checks and tuning keeps' }),
  traffic: z
    .strictObject({
      baseline: rate('Usual request rate, e.g. 20rps'),
      peak: rate('Peak request rate, e.g. 400rps'),
      ramp: duration('Time from baseline to peak').optional(),
      rampSeconds: nonNegativeInt('Time from baseline to peak, in seconds (alternative to ramp)').optional(),
    })
    .optional()
    .meta({ description: 'Expected traffic, used to size and simulate the autoscaler' }),
  cost: z
    .strictObject({
      perReplicaHour: z.number().positive().optional().meta({ description: 'Price of one replica for an hour, e.g. 4.10 (needs currency)' }),
      currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code such as USD').optional().meta({ description: 'Currency of perReplicaHour, e.g. USD' }),
      gpu: z
        .string()
        .min(1)
        .optional()
        .meta({ description: 'GPU product priced from the dated list-price table (templates/gpu-prices.yaml), times resources.gpu; perReplicaHour overrides it' }),
    })
    .optional()
    .meta({ description: 'What a replica costs, so tune, simulate, replay and the report show money beside replica-hours (and, for openai targets, the price of a million output tokens)' }),
  loadtest: z
    .strictObject({
      url: z.string().url().optional().meta({ description: 'Base URL of the endpoint to load; `mdl loadtest --local` loads the balancer of the local runtime instead' }),
      protocol: z.enum(PROTOCOLS).optional().meta({ description: 'Request shape (default from the preset)' }),
      path: z.string().regex(/^\//, 'an HTTP path starting with /').optional().meta({ description: 'Request path (default from the protocol)' }),
      method: z.enum(['GET', 'POST', 'PUT']).optional().meta({ description: 'HTTP method (default POST)' }),
      model: z.string().min(1).optional().meta({ description: 'Model name sent in requests (openai, kserve-v2)' }),
      payload: z
        .union([z.string().min(1), z.record(z.string(), z.unknown())])
        .optional()
        .meta({ description: 'Request body: a file (JSON or JSONL, one request per line) relative to the spec, or an inline object' }),
      headers: z.record(z.string(), z.string()).optional().meta({ description: "Extra request headers, sent to loadtest.url's origin only (--spec-headers: anywhere); values may read the environment: ${TOKEN}" }),
    })
    .optional()
    .meta({ description: 'How `mdl loadtest` talks to the endpoint' }),
  local: z
    .strictObject({
      command: z
        .string()
        .regex(/\{port\}/, 'a command containing the {port} placeholder')
        .meta({ description: `Command that starts one replica on this machine; placeholders filled per replica: ${describePlaceholders()}` }),
      replicas: positiveInt('Replicas to start (default: scaling.minReplicas, at least 1)').optional(),
      port: z.number().int().min(1).max(65535).optional().meta({ description: 'Port of the local endpoint (default: a free port)' }),
      healthPath: z
        .string()
        .regex(/^\//, 'an HTTP path starting with /')
        .optional()
        .meta({ description: 'Readiness path of a local replica (default: health.readiness.path)' }),
      cwd: z.string().optional().meta({ description: 'Working directory, relative to the spec (default: its folder)' }),
      env: z.record(z.string(), z.string()).optional().meta({ description: 'Extra environment for the local processes' }),
    })
    .optional()
    .meta({ description: 'How `mdl dev` runs the server on this machine' }),
};

export const KNOWN_TOP_LEVEL_KEYS = [...Object.keys(specFields), 'environments'];

/** One environment overlay: any spec field, merged over the base (objects deep, arrays replaced). */
export const EnvironmentSchema = z.record(z.string(), z.unknown()).meta({
  description: 'An overlay: any spec field, merged over the base spec (objects merge, arrays replace)',
});

export const SpecSchema = z
  .strictObject({
    ...specFields,
    environments: z
      .record(z.string().regex(/^[a-z0-9][-a-z0-9_]*$/, 'a lowercase environment name'), EnvironmentSchema)
      .optional()
      .meta({ description: 'Named overlays chosen with --env, e.g. prod: { scaling: { minReplicas: 3 } }' }),
  })
  .meta({ title: 'mdl model spec', description: 'A model server and how it is deployed, load-tested and autoscaled' });

/** The spec as written in mdl.config.yaml (after YAML parsing, before defaults and units). */
export type SpecInput = z.input<typeof SpecSchema>;
/** The spec after validation, still in human units. */
export type SpecParsed = z.output<typeof SpecSchema>;
