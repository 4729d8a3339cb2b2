export { startLocalRuntime, type LocalRuntime, type StartOptions } from './runtime.js';
export type { LocalRuntimeOptions, LocalScalingOptions, ScalingBehavior, ScalingMetric, ScalingPolicy, ScalingRules } from './options.js';
export { DEFAULT_SYNC_PERIOD_MS } from './options.js';
export type { LocalRuntimeEvent, LocalRuntimeListener, RuntimeEvents } from './events.js';
export type { LocalRuntimeStatus, ReplicaStatus, ScalingEvent } from './status.js';
export { localOptionsFromSpec, type LocalFlags } from './from-spec.js';
export { toReplicaEvents, newReplicaEventMemory, type ReplicaEventMemory } from './replica-events.js';
