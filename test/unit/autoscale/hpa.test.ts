/**
 * The controller step. Cases named Test* are transcribed from kubernetes/kubernetes
 * pkg/controller/podautoscaler/horizontal_test.go (same inputs, same expected replicas and condition reasons).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  convertDesiredReplicasWithBehaviorRate,
  convertDesiredReplicasWithRules,
  createHpaState,
  hpaStep,
  replicasChangePerPeriod,
  resolveBehavior,
  scaleDownLimit,
  scaleUpLimit,
  stabilizeRecommendation,
  stabilizeRecommendationWithBehaviors,
  storeScaleEvent,
} from '../../../src/autoscale/hpa.js';
import type { HpaScalingRules, HpaSpec, HpaState, PodStatus, ScaleEvent } from '../../../src/autoscale/types.js';

const NOW = 10_000_000_000;
const MIN = 60_000;

/** generateScalingRules(pods, podsPeriod, percent, percentPeriod, stabilizationWindow). */
function rules(pods: number, podsPeriod: number, percent: number, percentPeriod: number, window: number): HpaScalingRules {
  const policies: HpaScalingRules['policies'] = [];
  if (pods !== 0) policies.push({ type: 'Pods', value: pods, periodSeconds: podsPeriod });
  if (percent !== 0) policies.push({ type: 'Percent', value: percent, periodSeconds: percentPeriod });
  // Upstream leaves Policies nil when both are zero, so the defaults apply.
  return { stabilizationWindowSeconds: window, selectPolicy: 'Max', ...(policies.length ? { policies } : {}) };
}

/** generateEventsUniformDistribution: events centred in equal segments of the last `period` seconds. */
function uniformEvents(raw: number[], period: number): ScaleEvent[] {
  const segment = period / raw.length;
  return raw.map((change, idx) => ({
    replicaChange: change,
    timestampMs: NOW - Math.trunc(period - segment * (idx + 1) + segment / 2) * 1000,
    outdated: false,
  }));
}

function stateWith(partial: Partial<HpaState>): HpaState {
  return { ...createHpaState(), recommendations: [], ...partial };
}

describe('HPA controller normalization (upstream horizontal_test.go)', () => {
  describe('TestConvertDesiredReplicasWithRules', () => {
    const cases: [number, number, number, number, number, string, string][] = [
      [5, 7, 3, 8, 7, 'DesiredWithinRange', 'prenormalized desired replicas within range'],
      [3, 1, 2, 8, 2, 'TooFewReplicas', 'prenormalized desired replicas < minReplicas'],
      [1, 0, 0, 10, 0, 'DesiredWithinRange', 'prenormalized desired zeroed replicas within range'],
      [20, 1000, 1, 10, 10, 'TooManyReplicas', 'maxReplicas is the limit because maxReplicas < scaleUpLimit'],
      [3, 1000, 1, 2000, 6, 'ScaleUpLimit', 'scaleUpLimit is the limit because scaleUpLimit < maxReplicas'],
    ];
    for (const [current, desired, min, max, expected, reason, name] of cases) {
      it(name, () => {
        const r = convertDesiredReplicasWithRules(current, desired, min, max);
        assert.deepEqual([r.replicas, r.reason], [expected, reason]);
      });
    }
  });

  it('TestCalculateScaleUpLimitWithScalingRules', () => {
    const b = resolveBehavior({
      scaleUp: { stabilizationWindowSeconds: 300, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }, { type: 'Percent', value: 50, periodSeconds: 60 }] },
    });
    assert.equal(scaleUpLimit(1, [], [], b.scaleUp, NOW), 2);
  });

  it('TestCalculateScaleDownLimitWithBehaviors', () => {
    const b = resolveBehavior({
      scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }, { type: 'Percent', value: 50, periodSeconds: 60 }] },
    });
    assert.equal(scaleDownLimit(5, [], [], b.scaleDown, NOW), 3);
  });

  describe('TestNormalizeDesiredReplicas (legacy 5 min downscale window)', () => {
    const cases: [string, [number, number][], number, number, number][] = [
      ['empty log', [], 5, 5, 1],
      ['stabilize', [[4, -2 * MIN], [5, -1 * MIN]], 3, 5, 3],
      ['no stabilize', [[1, -2 * MIN], [2, -1 * MIN]], 3, 3, 3],
      ['no stabilize - old recommendations', [[10, -10 * MIN], [9, -9 * MIN]], 3, 3, 2],
      ['stabilize - old recommendations', [[10, -10 * MIN], [4, -1 * MIN], [5, -2 * MIN], [9, -9 * MIN]], 3, 5, 4],
    ];
    for (const [name, recs, desired, expected, logLength] of cases) {
      it(name, () => {
        const state = stateWith({ recommendations: recs.map(([replicas, ago]) => ({ replicas, timestampMs: NOW + ago })) });
        assert.equal(stabilizeRecommendation(state, desired, 5 * MIN, NOW), expected);
        assert.equal(state.recommendations!.length, logLength);
      });
    }
  });

  describe('TestNormalizeDesiredReplicasWithBehavior', () => {
    const cases: [string, [number, number][], number, number, number, number[], number, number][] = [
      ['empty recommendations for scaling down', [], 100, 5, 5, [5], 0, 0],
      ['simple scale down stabilization', [[4, -2 * MIN], [5, -1 * MIN]], 100, 3, 5, [4, 5, 3], 0, 180],
      ['simple scale up stabilization', [[4, -2 * MIN], [5, -1 * MIN]], 1, 7, 4, [4, 5, 7], 300, 0],
      ['no scale down stabilization', [[1, -2 * MIN], [2, -1 * MIN]], 100, 3, 3, [1, 2, 3], 300, 0],
      ['no scale up stabilization', [[4, -2 * MIN], [5, -1 * MIN]], 1, 3, 3, [4, 5, 3], 0, 300],
      ['no scale down stabilization, reuse recommendation element', [[10, -10 * MIN], [9, -9 * MIN]], 100, 3, 3, [10, 3], 0, 0],
      ['no scale up stabilization, reuse recommendation element', [[10, -10 * MIN], [9, -9 * MIN]], 1, 100, 100, [10, 100], 0, 0],
      ['scale down stabilization, reuse one of obsolete recommendation element', [[10, -10 * MIN], [4, -1 * MIN], [5, -2 * MIN], [9, -9 * MIN]], 100, 3, 5, [10, 4, 5, 3], 0, 180],
      ['scale up stabilization, reuse one of obsolete recommendation element', [[10, -100 * MIN], [6, -1 * MIN], [5, -2 * MIN], [9, -3 * MIN]], 1, 100, 5, [100, 6, 5, 9], 300, 0],
    ];
    for (const [name, recs, current, desired, expected, stored, upWindow, downWindow] of cases) {
      it(name, () => {
        const state = stateWith({ recommendations: recs.map(([replicas, ago]) => ({ replicas, timestampMs: NOW + ago })) });
        const behavior = resolveBehavior({
          scaleUp: { stabilizationWindowSeconds: upWindow },
          scaleDown: { stabilizationWindowSeconds: downWindow },
        });
        assert.equal(stabilizeRecommendationWithBehaviors(state, current, desired, behavior, NOW), expected);
        assert.deepEqual(state.recommendations!.map((r) => r.replicas), stored);
      });
    }
  });

  describe('TestScalingWithRules', () => {
    interface C {
      name: string;
      up?: ScaleEvent[];
      down?: ScaleEvent[];
      min: number;
      max: number;
      upRules?: HpaScalingRules;
      downRules?: HpaScalingRules;
      current: number;
      desired: number;
      expected: number;
      reason: string;
    }
    const cases: C[] = [
      { name: 'prenormalized desired replicas within range', current: 5, desired: 7, min: 3, max: 8, expected: 7, reason: 'DesiredWithinRange' },
      { name: 'prenormalized desired replicas < minReplicas', current: 3, desired: 1, min: 2, max: 8, expected: 2, reason: 'TooFewReplicas' },
      { name: 'prenormalized desired replicas within range when minReplicas is 0', current: 1, desired: 0, min: 0, max: 10, expected: 0, reason: 'DesiredWithinRange' },
      { name: 'maxReplicas is the limit because maxReplicas < scaleUpLimit', current: 20, desired: 1000, min: 1, max: 10, expected: 10, reason: 'TooManyReplicas' },
      { name: 'desired replica count is more than the maximum replica count', current: 100, desired: 1000, min: 100, max: 150, expected: 150, reason: 'TooManyReplicas' },
      { name: 'scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies', current: 3, desired: 1000, min: 1, max: 2000, upRules: rules(0, 0, 1, 60, 0), expected: 4, reason: 'ScaleUpLimit' },
      { name: 'scaleDownLimit is the limit because scaleDownLimit > minReplicas with user defined policies', current: 1000, desired: 3, min: 3, max: 2000, downRules: rules(20, 60, 0, 0, 0), expected: 980, reason: 'ScaleDownLimit' },
      { name: 'scaleUp with default behavior', min: 1, max: 1000, current: 10, desired: 50, expected: 20, reason: 'ScaleUpLimit' },
      { name: 'scaleUp with pods policy larger than percent policy', min: 1, max: 1000, upRules: rules(100, 60, 100, 60, 0), current: 10, desired: 500, expected: 110, reason: 'ScaleUpLimit' },
      { name: 'scaleUp with percent policy larger than pods policy', min: 1, max: 1000, upRules: rules(2, 60, 100, 60, 0), current: 10, desired: 500, expected: 20, reason: 'ScaleUpLimit' },
      { name: 'scaleUp with spec MaxReplicas limitation with large pod policy', min: 1, max: 1000, upRules: rules(100, 60, 0, 0, 0), current: 10, desired: 50, expected: 50, reason: 'DesiredWithinRange' },
      { name: 'scaleUp with spec MaxReplicas limitation with large percent policy', min: 1, max: 1000, upRules: rules(10000, 60, 0, 0, 0), current: 10, desired: 50, expected: 50, reason: 'DesiredWithinRange' },
      { name: 'scaleUp with pod policy limitation', min: 1, max: 1000, upRules: rules(30, 60, 0, 0, 0), current: 10, desired: 50, expected: 40, reason: 'ScaleUpLimit' },
      { name: 'scaleUp with percent policy limitation', min: 1, max: 1000, upRules: rules(0, 0, 200, 60, 0), current: 10, desired: 50, expected: 30, reason: 'ScaleUpLimit' },
      { name: 'scaleDown with percent policy larger than pod policy', min: 1, max: 1000, downRules: rules(20, 60, 1, 60, 300), current: 100, desired: 2, expected: 80, reason: 'ScaleDownLimit' },
      { name: 'scaleDown with pod policy larger than percent policy', min: 1, max: 1000, downRules: rules(2, 60, 1, 60, 300), current: 100, desired: 2, expected: 98, reason: 'ScaleDownLimit' },
      { name: 'scaleDown with spec MinReplicas=nil limitation with large pod policy', min: 1, max: 1000, downRules: rules(100, 60, 0, 0, 300), current: 10, desired: 0, expected: 1, reason: 'TooFewReplicas' },
      { name: 'scaleDown with spec MinReplicas limitation with large percent policy', min: 5, max: 1000, downRules: rules(0, 0, 100, 60, 300), current: 10, desired: 2, expected: 5, reason: 'TooFewReplicas' },
      { name: 'scaleDown with pod policy limitation', min: 1, max: 1000, downRules: rules(5, 60, 0, 0, 300), current: 10, desired: 2, expected: 5, reason: 'ScaleDownLimit' },
      { name: 'scaleDown with percent policy limitation', min: 1, max: 1000, downRules: rules(0, 0, 50, 60, 300), current: 10, desired: 5, expected: 5, reason: 'DesiredWithinRange' },
      { name: 'scaleUp with spec MaxReplicas limitation with large pod policy and events', up: uniformEvents([1, 5, 9], 120), min: 1, max: 200, upRules: rules(300, 60, 0, 0, 0), current: 100, desired: 500, expected: 200, reason: 'TooManyReplicas' },
      { name: 'scaleUp with spec MaxReplicas limitation with large percent policy and events', up: uniformEvents([1, 5, 9], 120), min: 1, max: 200, upRules: rules(0, 0, 10000, 60, 0), current: 100, desired: 500, expected: 200, reason: 'TooManyReplicas' },
      { name: 'scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events', up: uniformEvents([1, 5, 9], 120), min: 1, max: 1000, upRules: rules(5, 120, 0, 0, 0), current: 100, desired: 500, expected: 100, reason: 'ScaleUpLimit' },
      { name: 'scaleUp with pod policy and previous scale up events', up: uniformEvents([1, 5, 9], 120), min: 1, max: 1000, upRules: rules(150, 120, 0, 0, 0), current: 100, desired: 500, expected: 235, reason: 'ScaleUpLimit' },
      { name: 'scaleUp with percent policy and previous scale up events', up: uniformEvents([1, 5, 9], 120), min: 1, max: 1000, upRules: rules(0, 0, 200, 120, 0), current: 100, desired: 500, expected: 255, reason: 'ScaleUpLimit' },
      { name: 'scaleDown with default policy and previous events', down: uniformEvents([1, 5, 9], 120), min: 1, max: 1000, current: 10, desired: 5, expected: 5, reason: 'DesiredWithinRange' },
      { name: 'scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events', down: uniformEvents([1, 5, 9], 120), min: 1, max: 1000, downRules: rules(115, 120, 0, 0, 300), current: 100, desired: 0, expected: 1, reason: 'TooFewReplicas' },
      { name: 'scaleDown with spec MinReplicas limitation with large pod policy and previous events', down: uniformEvents([1, 5, 9], 120), min: 5, max: 1000, downRules: rules(130, 120, 0, 0, 300), current: 100, desired: 0, expected: 5, reason: 'TooFewReplicas' },
      { name: 'scaleDown with spec MinReplicas limitation with large percent policy and previous events', down: uniformEvents([1, 5, 9], 120), min: 5, max: 1000, downRules: rules(0, 0, 100, 120, 300), current: 100, desired: 2, expected: 5, reason: 'TooFewReplicas' },
      { name: 'scaleDown with pod policy limitation and previous events', down: uniformEvents([1, 5, 9], 120), min: 1, max: 1000, downRules: rules(5, 120, 0, 0, 300), current: 100, desired: 2, expected: 100, reason: 'ScaleDownLimit' },
      { name: 'scaleDown with percent policy limitation and previous events', down: uniformEvents([2, 4, 6], 120), min: 1, max: 1000, downRules: rules(0, 0, 50, 120, 300), current: 100, desired: 0, expected: 56, reason: 'ScaleDownLimit' },
      { name: 'scaleDown with previous events preventing further scale down', down: uniformEvents([10, 10, 10], 120), min: 1, max: 1000, downRules: rules(0, 0, 10, 120, 300), current: 100, desired: 0, expected: 100, reason: 'ScaleDownLimit' },
      { name: 'scaleDown with with previous events still allowing more scale down', down: uniformEvents([10, 10, 10], 120), min: 1, max: 1000, downRules: rules(0, 0, 1000, 120, 300), current: 10, desired: 5, expected: 5, reason: 'DesiredWithinRange' },
      { name: "check 'outdated' flag for events for one behavior for up", up: uniformEvents([8, 12, 9, 11], 120), min: 1, max: 1000, upRules: rules(1000, 60, 0, 0, 0), current: 100, desired: 200, expected: 200, reason: 'DesiredWithinRange' },
      { name: "check that events were not marked 'outdated' for two different policies in the behavior for up", up: uniformEvents([8, 12, 9, 11], 120), min: 1, max: 1000, upRules: rules(1000, 120, 100, 60, 0), current: 100, desired: 200, expected: 200, reason: 'DesiredWithinRange' },
      { name: "check 'outdated' flag for events for one behavior for down", down: uniformEvents([8, 12, 9, 11], 120), min: 1, max: 1000, downRules: rules(1000, 60, 0, 0, 300), current: 100, desired: 5, expected: 5, reason: 'DesiredWithinRange' },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const state = stateWith({ scaleUpEvents: c.up ?? [], scaleDownEvents: c.down ?? [] });
        const behavior = resolveBehavior({ scaleUp: c.upRules, scaleDown: c.downRules });
        const r = convertDesiredReplicasWithBehaviorRate(state, c.current, c.desired, c.min, c.max, behavior, NOW);
        assert.deepEqual([r.replicas, r.reason], [c.expected, c.reason]);
      });
    }
  });

  describe('TestStoreScaleEvents', () => {
    const ev = (change: number, agoSeconds: number): ScaleEvent => ({ replicaChange: change, timestampMs: NOW - agoSeconds * 1000, outdated: false });
    const cases: [string, ScaleEvent[], [number, boolean][], HpaScalingRules | undefined, number][] = [
      ['empty entries with default behavior', [], [], undefined, 0],
      ['empty entries with two-policy-behavior', [], [[5, false]], rules(10, 60, 100, 60, 0), 0],
      ['one outdated entry to be kept untouched without behavior', [ev(7, 61)], [[7, false]], undefined, 0],
      ['one outdated entry to be replaced with behavior', [ev(7, 61)], [[5, false]], rules(10, 60, 100, 60, 0), 0],
      ['one actual entry to be not touched with behavior', [ev(7, 58)], [[7, false], [5, false]], rules(10, 60, 100, 60, 0), 7],
      ['two entries, one of them to be replaced', [ev(7, 61), ev(6, 59)], [[5, false], [6, false]], rules(10, 60, 0, 0, 0), 6],
      ['replace one entry, use policies with different periods', [ev(8, 29), ev(6, 59), ev(7, 61), ev(9, 61)], [[8, false], [6, false], [7, true], [5, false]], rules(10, 60, 100, 30, 0), 14],
      ['two entries, both actual', [ev(7, 58), ev(6, 59)], [[7, false], [6, false], [5, false]], rules(10, 120, 100, 30, 0), 13],
    ];
    for (const [name, prev, expected, r, change] of cases) {
      it(name, () => {
        for (const direction of ['up', 'down'] as const) {
          const events = prev.map((e) => ({ ...e }));
          const state = stateWith(direction === 'up' ? { scaleUpEvents: events } : { scaleDownEvents: events });
          assert.equal(replicasChangePerPeriod(60, events, NOW), change);
          const behavior = r ? resolveBehavior({ scaleUp: r, scaleDown: r }) : undefined;
          storeScaleEvent(state, behavior, 10, direction === 'up' ? 15 : 5, NOW);
          const stored = direction === 'up' ? state.scaleUpEvents : state.scaleDownEvents;
          assert.deepEqual(stored.map((e) => [e.replicaChange, e.outdated]), expected, direction);
        }
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------------------

function cpuPods(levels: number[]): { pods: PodStatus[]; samples: Record<string, string> } {
  const pods: PodStatus[] = levels.map((_, i) => ({
    name: `p${i}`,
    phase: 'Running',
    ready: true,
    readyTransitionMs: 0,
    startTimeMs: 0,
    requests: { cpu: '1' },
  }));
  return { pods, samples: Object.fromEntries(levels.map((l, i) => [`p${i}`, `${l}m`])) };
}

describe('hpaStep', () => {
  it('TestScaleUpOneMetricEmpty: an unreadable metric does not stop a scale-up', () => {
    const { pods, samples } = cpuPods([300, 400, 500]);
    const spec: HpaSpec = {
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 30 } } },
        { type: 'External', external: { metric: { name: 'qps' }, target: { type: 'Value', value: '100m' } } },
      ],
    };
    const r = hpaStep(spec, createHpaState(), { currentReplicas: 3, pods, metrics: [{ kind: 'pods', samples }, undefined] }, NOW);
    assert.equal(r.desiredReplicas, 4);
    assert.equal(r.event?.reason, 'SuccessfulRescale');
    assert.ok(r.warnings.some((w) => w.reason === 'FailedGetExternalMetric'));
  });

  it('TestNoScaleDownOneMetricInvalid: an invalid metric blocks a scale-down', () => {
    const { pods, samples } = cpuPods([100, 300, 500, 250, 250]);
    const spec: HpaSpec = {
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
        { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: 10 } } },
      ],
    };
    const r = hpaStep(spec, createHpaState(), { currentReplicas: 5, pods, metrics: [{ kind: 'pods', samples }, undefined] }, NOW);
    assert.equal(r.desiredReplicas, 5);
    assert.equal(r.rescale, false);
    assert.ok(r.warnings.some((w) => w.reason === 'FailedComputeMetricsReplicas'));
  });

  it('scales down only after the legacy 300 s window has passed, and records the initial size', () => {
    const spec: HpaSpec = { minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Pods', pods: { metric: { name: 'q' }, target: { type: 'AverageValue', averageValue: 10 } } }] };
    const low = { kind: 'summary' as const, summary: { readyPodCount: 4, sampleCount: 4, usageSumMilli: 4 * 2000, missingCount: 0, unreadyCount: 0 } };
    let state = createHpaState();
    const seen: number[] = [];
    for (let t = 0; t <= 315_000; t += 15_000) {
      const r = hpaStep(spec, state, { currentReplicas: 4, metrics: [low] }, NOW + t);
      state = r.state;
      seen.push(r.desiredReplicas);
    }
    // The initial recommendation (4, at t=0) is inside the window until it is strictly older than 300 s.
    assert.deepEqual(seen.slice(0, 21), Array(21).fill(4));
    assert.equal(seen[21], 1);
  });

  it('clamps a legacy scale-up to max(2·current, 4) and reports ScaleUpLimit', () => {
    const spec: HpaSpec = { minReplicas: 1, maxReplicas: 100, metrics: [{ type: 'Pods', pods: { metric: { name: 'q' }, target: { type: 'AverageValue', averageValue: 1 } } }] };
    const r = hpaStep(spec, createHpaState(), { currentReplicas: 5, metrics: [{ kind: 'summary', summary: { readyPodCount: 5, sampleCount: 5, usageSumMilli: 5 * 50_000, missingCount: 0, unreadyCount: 0 } }] }, NOW);
    assert.equal(r.desiredReplicas, 10);
    assert.equal(r.conditions.find((c) => c.type === 'ScalingLimited')?.reason, 'ScaleUpLimit');
  });

  it('honours a per-direction tolerance from the behavior', () => {
    const spec: HpaSpec = {
      maxReplicas: 100,
      metrics: [{ type: 'Pods', pods: { metric: { name: 'q' }, target: { type: 'AverageValue', averageValue: 1 } } }],
      behavior: { scaleUp: { tolerance: '0.02' } },
    };
    const obs = { currentReplicas: 10, metrics: [{ kind: 'summary' as const, summary: { readyPodCount: 10, sampleCount: 10, usageSumMilli: 10 * 1050, missingCount: 0, unreadyCount: 0 } }] };
    assert.equal(hpaStep(spec, createHpaState(), obs, NOW).desiredReplicas, 11);
    assert.equal(hpaStep(spec, createHpaState(), obs, NOW, { configurableTolerance: false }).desiredReplicas, 10);
  });

  it('leaves the given state untouched and returns the next one', () => {
    const spec: HpaSpec = { maxReplicas: 10, metrics: [{ type: 'Pods', pods: { metric: { name: 'q' }, target: { type: 'AverageValue', averageValue: 1 } } }], behavior: {} };
    const state = createHpaState();
    const r = hpaStep(spec, state, { currentReplicas: 2, metrics: [{ kind: 'summary', summary: { readyPodCount: 2, sampleCount: 2, usageSumMilli: 6000, missingCount: 0, unreadyCount: 0 } }] }, NOW);
    assert.deepEqual(state, createHpaState());
    assert.equal(r.desiredReplicas, 6);
    assert.deepEqual(r.state.scaleUpEvents.map((e) => e.replicaChange), [4]);
  });

  it('is disabled at zero replicas and moves a target outside [min, max] back inside without metrics', () => {
    const spec: HpaSpec = { minReplicas: 2, maxReplicas: 5 };
    assert.equal(hpaStep(spec, createHpaState(), { currentReplicas: 0, metrics: [] }, NOW).desiredReplicas, 0);
    assert.equal(hpaStep(spec, createHpaState(), { currentReplicas: 9, metrics: [] }, NOW).desiredReplicas, 5);
    assert.equal(hpaStep(spec, createHpaState(), { currentReplicas: 1, metrics: [] }, NOW).desiredReplicas, 2);
  });

  // Properties -------------------------------------------------------------------------------------------

  const behaviorArb = fc.option(
    fc.record({
      scaleUp: fc.option(
        fc.record({
          stabilizationWindowSeconds: fc.integer({ min: 0, max: 600 }),
          selectPolicy: fc.constantFrom('Max' as const, 'Min' as const, 'Disabled' as const),
          policies: fc.array(
            fc.record({ type: fc.constantFrom('Pods' as const, 'Percent' as const), value: fc.integer({ min: 1, max: 500 }), periodSeconds: fc.integer({ min: 1, max: 600 }) }),
            { minLength: 1, maxLength: 3 },
          ),
        }),
        { nil: undefined },
      ),
      scaleDown: fc.option(fc.record({ stabilizationWindowSeconds: fc.integer({ min: 0, max: 600 }) }), { nil: undefined }),
    }),
    { nil: undefined },
  );

  it('property: the result never leaves [min, max] over any sequence of syncs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 40 }),
        behaviorArb,
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 30 }),
        (min, extra, behavior, start, loads) => {
          const max = min + extra;
          const spec: HpaSpec = {
            minReplicas: min,
            maxReplicas: max,
            metrics: [{ type: 'Pods', pods: { metric: { name: 'q' }, target: { type: 'AverageValue', averageValue: 10 } } }],
            ...(behavior ? { behavior } : {}),
          };
          let state = createHpaState();
          let current = start;
          let t = NOW;
          for (const load of loads) {
            const r = hpaStep(spec, state, { currentReplicas: current, metrics: [{ kind: 'summary', summary: { readyPodCount: current, sampleCount: current, usageSumMilli: load * current, missingCount: 0, unreadyCount: 0 } }] }, t);
            assert.ok(r.desiredReplicas >= min && r.desiredReplicas <= max, `${r.desiredReplicas} outside [${min}, ${max}]`);
            state = r.state;
            current = r.desiredReplicas;
            t += 15_000;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: a ratio within the tolerance changes nothing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0.9, max: 1.1, noNaN: true }),
        behaviorArb,
        (current, targetMilli, ratio, behavior) => {
          // Keep the integer average inside the band after upstream's truncation.
          const avg = Math.trunc(targetMilli * ratio);
          fc.pre(avg / targetMilli >= 0.9 && avg / targetMilli <= 1.1);
          const spec: HpaSpec = {
            minReplicas: 1,
            maxReplicas: 100,
            metrics: [{ type: 'Pods', pods: { metric: { name: 'q' }, target: { type: 'AverageValue', averageValue: `${targetMilli}m` } } }],
            ...(behavior ? { behavior } : {}),
          };
          const r = hpaStep(spec, createHpaState(), { currentReplicas: current, metrics: [{ kind: 'summary', summary: { readyPodCount: current, sampleCount: current, usageSumMilli: avg * current, missingCount: 0, unreadyCount: 0 } }] }, NOW);
          assert.equal(r.desiredReplicas, current);
          assert.equal(r.rescale, false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
