import type { FidelitySettings } from './compare.js';

/**
 * The CPU demand trace the fidelity check plays (total cores over trace time): a baseline, a ramp, a
 * plateau, a spike, a fall and a low tail, so that the HPA scales up step by step, hits maxReplicas, and
 * scales down through its stabilization window.
 */
export const FIDELITY_TRACE: { tS: number; cores: number }[] = [
  { tS: 0, cores: 0.4 },
  { tS: 15, cores: 0.4 },
  { tS: 75, cores: 2.8 },
  { tS: 110, cores: 2.8 },
  { tS: 112, cores: 5 },
  { tS: 135, cores: 5 },
  { tS: 145, cores: 0.9 },
  { tS: 200, cores: 0.9 },
];

/** The cluster's settings (test/support/cluster/cluster.ts) and the fidelity test's HPA, as the simulator takes them. */
export const FIDELITY_SETTINGS: FidelitySettings = {
  // No spec.behavior: the controller's legacy path (scale-up limit max(2·current, 4), downscale stabilization
  // from the controller flag).
  scaling: { minReplicas: 1, maxReplicas: 8, metric: 'cpu', target: 50 },
  syncPeriodMs: 2000, // --horizontal-pod-autoscaler-sync-period=2s
  downscaleStabilizationMs: 10_000, // --horizontal-pod-autoscaler-downscale-stabilization=10s
  tolerance: 0.1, // the controller default
  scrapeIntervalMs: 15_000, // metrics-server --metric-resolution=15s
  stepsPerSync: 8,
  replayStepMs: 50,
  // kwok's cumulative CPU starts at 0 on a pod's first scrape, and metrics-server drops zero points.
  scrapesToFirstSample: 3,
};

export const FIDELITY_TRACE_MS = FIDELITY_TRACE[FIDELITY_TRACE.length - 1]!.tS * 1000;

/** Demand in cores at trace time `tMs`, linear between the points. */
export function demandAt(tMs: number, trace = FIDELITY_TRACE): number {
  const tS = tMs / 1000;
  if (tS <= trace[0]!.tS) return trace[0]!.cores;
  for (let i = 1; i < trace.length; i++) {
    const b = trace[i]!;
    if (tS <= b.tS) {
      const a = trace[i - 1]!;
      return a.cores + ((b.cores - a.cores) * (tS - a.tS)) / (b.tS - a.tS);
    }
  }
  return trace[trace.length - 1]!.cores;
}
