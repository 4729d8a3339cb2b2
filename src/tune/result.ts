/**
 * TuneResult: what `mdl tune --json` prints and `--report` renders. Plain JSON with a schemaVersion.
 */
import type { TuneCost } from './cost.js';
import type { Knee } from './knee.js';
import type { Proof } from './prove.js';
import type { TuneClusterInfo } from './cluster-target.js';
import type { Recommendation } from './recommend.js';
import type { ReplayDocument } from '../replay/types.js';
import type { CapacityPoint, CapacityResult, LatencyPercentiles, SearchAxis, Slo, Sourced } from './types.js';

/** 2: the completions per second of each step, hold and saturation probe (`search.curve[]`,
 *  `search.confirmation`, `search.unconfirmed[]`, `search.saturationProbe`) were `achievedPerSecond` and are
 *  `completedPerSecond`, as in the LoadResult (src/load/types.ts); beside each, `sentPerSecond`. Version-1
 *  files are still read (src/tune/read-result.ts). */
export const TUNE_RESULT_SCHEMA_VERSION = 2;

export interface TuneResult {
  schemaVersion: typeof TUNE_RESULT_SCHEMA_VERSION;
  /** url: its user info redacted unless --show-secrets (src/load/redact.ts). cluster: the deployed model whose
   *  autoscaler was pinned for the run (`--cluster`). */
  target: { url: string; local: boolean; runtime: string; cluster?: TuneClusterInfo };
  startedAt: string;
  durationMs: number;
  /** True when the run was stopped early; what it holds was measured until then. */
  interrupted: boolean;
  slo: Slo & { source: 'flag' | 'spec' | 'default' };
  replicas: number;
  axis: SearchAxis;
  search: CapacityResult;
  knee: Knee | null;
  /** outputTokensPerSecond: only for targets that stream tokens (openai). */
  capacityPerReplica: { level: Sourced<number>; perSecond: Sourced<number>; outputTokensPerSecond?: Sourced<number> } | null;
  coldStartMs: Sourced<number> | null;
  recommendation: Recommendation | null;
  /** Recommended vs current settings on a simulated HPA; null when it could not be run (see notes). */
  simulation: Proof | null;
  /** Money beside replica-hours, when the spec has a cost; null otherwise or when nothing was simulated. */
  cost: TuneCost | null;
  /**
   * `--verify`: the chosen setting (with `--verify=all` also the spec's current one and a static fleet sized
   * for the peak) replayed on the local runtime over the spec's traffic, beside its simulation. Absent without it.
   */
  verification?: ReplayDocument;
  /** Things the reader must know: limits hit, pieces not run and why. */
  notes: string[];
}

/** A curve point as --json prints it: no latency for a step that got no answers. */
export type CapacityPointJson = Omit<CapacityPoint, 'latencyMs'> & { latencyMs: LatencyPercentiles | null };

export type TuneResultJson = Omit<TuneResult, 'search'> & { search: Omit<CapacityResult, 'curve'> & { curve: CapacityPointJson[] } };

/** The TuneResult for --json: the latency placeholders of steps without answers become null. */
export function tuneResultJson(r: TuneResult): TuneResultJson {
  return { ...r, search: { ...r.search, curve: r.search.curve.map((p) => (p.answered === 0 ? { ...p, latencyMs: null } : p)) } };
}
