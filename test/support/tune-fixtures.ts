/**
 * A TuneResult built from the queue model and a toy simulator, for report and command tests.
 */
import { ManualClock } from '../../src/clock.js';
import type { ScalingSettings, SimulationPoint, SimulationSummary } from '../../src/tune/prove.js';
import type { TuneResult } from '../../src/tune/result.js';
import { runTune, type TuneOptions } from '../../src/tune/run-tune.js';
import { modelMeasure } from './queue-model.js';

/** Traffic of one diurnal hump; replicas follow it with a 15 s step, as an HPA would without lag. */
export function toySimulate(s: ScalingSettings): SimulationSummary {
  const series: SimulationPoint[] = [];
  let over = 0;
  let hours = 0;
  let peak = 0;
  for (let t = 0; t < 3600; t += 15) {
    const traffic = 10 + 190 * Math.max(0, Math.sin((Math.PI * t) / 3600));
    const replicas = Math.min(s.maxReplicas, Math.max(s.minReplicas, Math.ceil(traffic / (s.target * 5))));
    if (replicas * 60 < traffic) over += 15;
    hours += (replicas * 15) / 3600;
    peak = Math.max(peak, replicas);
    series.push({ second: t, trafficPerSecond: traffic, replicas, readyReplicas: replicas, latencyMs: 200 });
  }
  return { durationSeconds: 3600, secondsOverSlo: over, replicaHours: hours, peakReplicas: peak, series };
}

/** A vLLM endpoint on the queue model, the spec's traffic and current settings, the toy simulator. */
export function sampleTuneOptions(): TuneOptions {
  return {
    url: 'http://127.0.0.1:8080/v1/completions',
    local: false,
    runtime: 'vllm',
    slo: { percentile: 'p95', latencyMs: 300, errorRate: 0.01, source: 'flag' },
    replicas: 1,
    measure: modelMeasure({ slots: 12, serviceMs: 200, noise: 0.02 }),
    traffic: { value: { baselinePerSecond: 10, peakPerSecond: 200, rampSeconds: 600 }, source: 'spec', note: 'traffic in the spec' },
    current: { minReplicas: 1, maxReplicas: 4, target: 16, scaleUp: { stabilizationWindowSeconds: 0, policies: [] }, scaleDown: { stabilizationWindowSeconds: 300, policies: [] } },
    simulatorFor: () => toySimulate,
    clock: new ManualClock(0, Date.UTC(2026, 10, 28)),
  };
}

export async function sampleTuneResult(): Promise<TuneResult> {
  return runTune(sampleTuneOptions());
}
