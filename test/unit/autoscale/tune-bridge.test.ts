import assert from 'node:assert/strict';
import { capacityFromSteps, tuneSimulatorFactory, type MeasuredStep } from '../../../src/autoscale/tune-bridge.js';
import { generateTraffic, parseProfileSpec } from '../../../src/autoscale/traffic.js';

const lat = (p95: number) => ({ p50: p95 / 2, p90: p95 * 0.9, p95, p99: p95 * 1.5 });
const steps: MeasuredStep[] = [
  { axis: 'concurrency', level: 2, latencyMs: lat(100), errorRate: 0, achievedPerSecond: 20 },
  { axis: 'concurrency', level: 8, latencyMs: lat(200), errorRate: 0, achievedPerSecond: 40 },
];
const slo = { percentile: 'p95' as const, latencyMs: 300, errorRate: 0.01 };
const settings = (target: number, max: number) => ({
  minReplicas: 2,
  maxReplicas: max,
  target,
  scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent' as const, value: 100, periodSeconds: 15 }] },
  scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent' as const, value: 100, periodSeconds: 15 }] },
});

describe('simulator for mdl tune', () => {
  it('uses the SLO percentile of the measured steps as the capacity curve', () => {
    assert.deepEqual(capacityFromSteps(steps, slo).points.map((p) => p.latencyMs), [100, 200]);
    assert.deepEqual(capacityFromSteps(steps, { ...slo, percentile: 'p99' }).points.map((p) => p.latencyMs), [150, 300]);
  });
  it('turns candidate settings into a summary; a too-low maximum shows up as time over the SLO', () => {
    const traffic = generateTraffic(parseProfileSpec('spike,baseline=20,peak=300,at=10m,duration=1h'), 15_000);
    const simulateFn = tuneSimulatorFactory({ traffic })(steps, 60_000, slo);
    const roomy = simulateFn(settings(6, 20));
    const capped = simulateFn(settings(6, 4));
    assert.equal(roomy.durationSeconds, 3600);
    assert.ok(capped.peakReplicas <= 4);
    assert.ok(capped.secondsOverSlo > roomy.secondsOverSlo);
    assert.ok(roomy.series.length <= 300 && roomy.series.length > 0);
  });
});
