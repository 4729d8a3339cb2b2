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
  return piecewiseLinear(trace.map((p) => ({ tS: p.tS, value: p.cores })), tMs);
}

/**
 * The Pods-path trace (test/cluster/pods-fidelity.test.ts): requests in flight over all pods, for an HPA
 * targeting 4 a pod — a quiet start, a ramp to 5 pods, a step to the maximum of 6, a drop to 2 pods' worth through the
 * scale-down stabilization, and a quiet tail.
 */
export const GAUGE_TRACE: { tS: number; inFlight: number }[] = [
  { tS: 0, inFlight: 2 },
  { tS: 20, inFlight: 2 },
  { tS: 70, inFlight: 18 },
  { tS: 110, inFlight: 18 },
  { tS: 112, inFlight: 23 },
  { tS: 140, inFlight: 23 },
  { tS: 140.25, inFlight: 6 },
  { tS: 220, inFlight: 6 },
];

export const GAUGE_TRACE_MS = GAUGE_TRACE[GAUGE_TRACE.length - 1]!.tS * 1000;

/** Requests in flight at trace time `tMs`, linear between the points. */
export function inFlightAt(tMs: number, trace = GAUGE_TRACE): number {
  return piecewiseLinear(trace.map((p) => ({ tS: p.tS, value: p.inFlight })), tMs);
}

function piecewiseLinear(trace: { tS: number; value: number }[], tMs: number): number {
  const tS = tMs / 1000;
  if (tS <= trace[0]!.tS) return trace[0]!.value;
  for (let i = 1; i < trace.length; i++) {
    const b = trace[i]!;
    if (tS <= b.tS) {
      const a = trace[i - 1]!;
      return a.value + ((b.value - a.value) * (tS - a.tS)) / (b.tS - a.tS);
    }
  }
  return trace[trace.length - 1]!.value;
}
