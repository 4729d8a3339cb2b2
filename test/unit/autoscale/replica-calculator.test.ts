/**
 * Cases transcribed from kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator_test.go. Each
 * `it` names the upstream test. Upstream's harness: two containers per pod, each with the listed request and
 * usage (so a pod requests 2× and uses 2× the listed level), Ready condition without a transition time, pod
 * start time zero unless "hot" (now) or "cool" (now − 3 min), sample timestamp zero with a 1 min window,
 * CPU initialization period 2 min, initial readiness delay 10 s, tolerance 0.1.
 */
import assert from 'node:assert/strict';
import {
  perPodTotalReplicas,
  plainMetricReplicas,
  resourceUtilizationReplicas,
  summarizePodMetric,
  countReadyPods,
  usageRatioReplicas,
  MetricError,
} from '../../../src/autoscale/replica-calculator.js';
import type { PodPhase, PodStatus } from '../../../src/autoscale/types.js';

const NOW = 1_000_000_000;
const HOT = NOW;
const COOL = NOW - 180_000;
const OPTS = { cpuInitializationPeriodMs: 120_000, initialReadinessDelayMs: 10_000 };
const TOL = { scaleDown: 0.1, scaleUp: 0.1 };

interface Case {
  current: number;
  podCount?: number;
  readiness?: boolean[];
  startTimes?: number[];
  phases?: PodPhase[];
  deleting?: boolean[];
  requests?: number; // cores per container (×2 containers)
  levels: number[]; // milli per container
  podNames?: string[];
}

function pods(c: Case): PodStatus[] {
  const count = Math.max(c.podCount ?? c.current, c.phases?.length ?? 0);
  return Array.from({ length: count }, (_, i) => ({
    name: `test-pod-${i}`,
    phase: c.phases?.[i] ?? 'Running',
    deleting: c.deleting?.[i] ?? false,
    ready: c.readiness?.[i] ?? true,
    readyTransitionMs: 0,
    startTimeMs: c.startTimes?.[i] ?? 0,
    requests: { cpu: 2 * (c.requests ?? 1) },
  }));
}

function cpuSamples(c: Case) {
  return Object.fromEntries(
    c.levels.map((level, i) => [c.podNames?.[i] ?? `test-pod-${i}`, { value: `${2 * level}m`, timestampMs: 0, windowMs: 60_000 }]),
  );
}

function cpu(c: Case, target: number) {
  const s = summarizePodMetric(pods(c), cpuSamples(c), { resource: 'cpu', targetUtilization: target }, OPTS, NOW);
  return resourceUtilizationReplicas(c.current, target, s, TOL);
}

function podsMetric(c: Case, targetMilli: number) {
  const samples = Object.fromEntries(c.levels.map((level, i) => [`test-pod-${i}`, `${level}m`]));
  const s = summarizePodMetric(pods(c), samples, {}, OPTS, NOW);
  return plainMetricReplicas(c.current, targetMilli, s, TOL);
}

describe('replica calculation (upstream replica_calculator_test.go)', () => {
  it('TestReplicaCalcScaleUp', () => {
    const r = cpu({ current: 3, levels: [300, 500, 700] }, 30);
    assert.deepEqual([r.replicas, r.current, r.rawAverageMilli], [5, 50, 2 * 500]);
  });
  it('TestReplicaCalcScaleUpUnreadyLessScale', () => {
    const r = cpu({ current: 3, readiness: [false, true, true], levels: [300, 500, 700] }, 30);
    assert.deepEqual([r.replicas, r.current, r.rawAverageMilli], [4, 60, 2 * 600]);
  });
  it('TestReplicaCalcScaleUpHotCpuLessScale', () => {
    const r = cpu({ current: 3, startTimes: [HOT, COOL, COOL], levels: [300, 500, 700] }, 30);
    assert.deepEqual([r.replicas, r.current], [4, 60]);
  });
  it('TestReplicaCalcScaleUpUnreadyNoScale', () => {
    const r = cpu({ current: 3, readiness: [true, false, false], levels: [400, 500, 700] }, 30);
    assert.deepEqual([r.replicas, r.current], [3, 40]);
  });
  it('TestReplicaCalcScaleHotCpuNoScale', () => {
    const r = cpu({ current: 3, readiness: [true, false, false], startTimes: [COOL, HOT, HOT], levels: [400, 500, 700] }, 30);
    assert.deepEqual([r.replicas, r.current], [3, 40]);
  });
  it('TestReplicaCalcScaleUpIgnoresFailedPods', () => {
    const r = cpu(
      { current: 2, readiness: [true, true, false, false], phases: ['Running', 'Running', 'Failed', 'Failed'], levels: [500, 700] },
      30,
    );
    assert.deepEqual([r.replicas, r.current], [4, 60]);
  });
  it('TestReplicaCalcScaleUpIgnoresDeletionPods', () => {
    const r = cpu(
      { current: 2, podCount: 4, readiness: [true, true, false, false], deleting: [false, false, true, true], levels: [500, 700] },
      30,
    );
    assert.deepEqual([r.replicas, r.current], [4, 60]);
  });
  it('TestReplicaCalcScaleUpCM', () => {
    const r = podsMetric({ current: 3, levels: [20000, 10000, 30000] }, 15000);
    assert.deepEqual([r.replicas, r.current], [4, 20000]);
  });
  it('TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale', () => {
    const r = podsMetric({ current: 3, readiness: [true, true, false], startTimes: [COOL, COOL, HOT], levels: [50000, 10000, 30000] }, 15000);
    assert.deepEqual([r.replicas, r.current], [6, 30000]);
  });
  it('TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown', () => {
    const r = podsMetric({ current: 3, readiness: [false, true, false], startTimes: [HOT, COOL, HOT], levels: [50000, 15000, 30000] }, 15000);
    assert.deepEqual([r.replicas, r.current], [7, 31666]);
  });
  it('TestReplicaCalcScaleUpCMObject', () => {
    const ready = countReadyPods(pods({ current: 3, levels: [] }));
    assert.equal(usageRatioReplicas(3, 20000, 15000, ready, TOL).replicas, 4);
  });
  it('TestReplicaCalcScaleUpCMPerPodObject', () => {
    assert.deepEqual(perPodTotalReplicas(3, 20000, 5000, TOL), { replicas: 4, current: 6667 });
  });
  it('TestReplicaCalcScaleUpCMObjectIgnoresUnreadyPods', () => {
    const ready = countReadyPods(pods({ current: 3, readiness: [false, true, false], levels: [] }));
    assert.equal(usageRatioReplicas(3, 50000, 10000, ready, TOL).replicas, 5);
  });
  it('TestReplicaCalcScaleUpCMExternal (a pods metric upstream)', () => {
    assert.equal(podsMetric({ current: 1, levels: [8600] }, 4400).replicas, 2);
  });
  it('TestReplicaCalcScaleUpCMExternalIgnoresUnreadyPods', () => {
    const ready = countReadyPods(pods({ current: 3, readiness: [false, true, false], levels: [] }));
    assert.equal(usageRatioReplicas(3, 8600, 4400, ready, TOL).replicas, 2);
  });
  it('TestReplicaCalcScaleUpPerPodCMExternal', () => {
    assert.deepEqual(perPodTotalReplicas(3, 8600, 2150, TOL), { replicas: 4, current: 2867 });
  });
  it('TestReplicaCalcScaleDown', () => {
    const r = cpu({ current: 5, levels: [100, 300, 500, 250, 250] }, 50);
    assert.deepEqual([r.replicas, r.current, r.rawAverageMilli], [3, 28, 2 * 280]);
  });
  it('TestReplicaCalcScaleDownCM', () => {
    assert.equal(podsMetric({ current: 5, levels: [12000, 12000, 12000, 12000, 12000] }, 20000).replicas, 3);
  });
  it('TestReplicaCalcScaleDownPerPodCMObject', () => {
    assert.deepEqual(perPodTotalReplicas(5, 6000, 2000, TOL), { replicas: 3, current: 1200 });
  });
  it('TestReplicaCalcScaleDownCMObject', () => {
    assert.equal(usageRatioReplicas(5, 12000, 20000, 5, TOL).replicas, 3);
  });
  it('TestReplicaCalcScaleDownCMExternal', () => {
    assert.equal(usageRatioReplicas(5, 8600, 14334, 5, TOL).replicas, 3);
  });
  it('TestReplicaCalcScaleDownPerPodCMExternal', () => {
    assert.deepEqual(perPodTotalReplicas(5, 8600, 2867, TOL), { replicas: 3, current: 1720 });
  });
  it('TestReplicaCalcScaleDownIncludeUnreadyPods', () => {
    const r = cpu({ current: 5, readiness: [true, true, true, false, false], levels: [100, 300, 500, 250, 250] }, 50);
    assert.deepEqual([r.replicas, r.current], [2, 30]);
  });
  it('TestReplicaCalcScaleDownExcludeUnscheduledPods', () => {
    const r = cpu(
      {
        current: 5,
        readiness: [true, false, false, false, false],
        phases: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'],
        levels: [100],
      },
      50,
    );
    assert.deepEqual([r.replicas, r.current], [1, 10]);
  });
  it('TestReplicaCalcScaleDownIgnoreHotCpuPods', () => {
    const r = cpu({ current: 5, startTimes: [COOL, COOL, COOL, HOT, HOT], levels: [100, 300, 500, 250, 250] }, 50);
    assert.deepEqual([r.replicas, r.current], [2, 30]);
  });
  it('TestReplicaCalcScaleDownIgnoresFailedPods', () => {
    const r = cpu(
      {
        current: 5,
        readiness: [true, true, true, true, true, false, false],
        phases: ['Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Failed'],
        levels: [100, 300, 500, 250, 250],
      },
      50,
    );
    assert.deepEqual([r.replicas, r.current], [3, 28]);
  });
  it('TestReplicaCalcToleranceCMExternal', () => {
    assert.equal(usageRatioReplicas(3, 8600, 8888, 3, TOL).replicas, 3);
  });
  it('TestReplicaCalcTolerancePerPodCMExternal', () => {
    assert.deepEqual(perPodTotalReplicas(3, 8600, 2900, TOL), { replicas: 3, current: 2867 });
  });
  it('TestReplicaCalcSuperfluousMetrics', () => {
    const r = cpu({ current: 4, levels: [4000, 9500, 3000, 7000, 3200, 2000] }, 100);
    assert.deepEqual([r.replicas, r.current, r.rawAverageMilli], [24, 587, 2 * 5875]);
  });
  it('TestReplicaCalcMissingMetrics', () => {
    const r = cpu({ current: 4, levels: [400, 95] }, 100);
    assert.deepEqual([r.replicas, r.current, r.rawAverageMilli], [3, 24, 495]);
  });
  it('TestReplicaCalcEmptyCPURequest', () => {
    const p = pods({ current: 1, levels: [200] }).map((pod) => ({ ...pod, requests: {} }));
    assert.throws(() => summarizePodMetric(p, { 'test-pod-0': '400m' }, { resource: 'cpu' }, OPTS, NOW), /missing request for/);
  });
  it('TestReplicaCalcDisjointResourcesMetrics', () => {
    assert.throws(() => cpu({ current: 1, levels: [100], podNames: ['an-older-pod-name'] }, 100), (e: unknown) => e instanceof MetricError && /no metrics returned matched known pods/.test(e.message));
  });
  it('TestReplicaCalcMissingMetricsNoChangeEq', () => {
    assert.equal(cpu({ current: 2, levels: [1000] }, 100).replicas, 2);
  });
  it('TestReplicaCalcMissingMetricsNoChangeGt', () => {
    assert.equal(cpu({ current: 2, levels: [1900] }, 100).replicas, 2);
  });
  it('TestReplicaCalcMissingMetricsNoChangeLt', () => {
    assert.equal(cpu({ current: 2, levels: [600] }, 100).replicas, 2);
  });
  it('TestReplicaCalcMissingMetricsUnreadyChange', () => {
    const r = cpu({ current: 3, readiness: [false, true, true], levels: [100, 450] }, 50);
    assert.deepEqual([r.replicas, r.current], [3, 45]);
  });
  it('TestReplicaCalcMissingMetricsHotCpuNoChange', () => {
    const r = cpu({ current: 3, startTimes: [HOT, COOL, COOL], levels: [100, 450] }, 50);
    assert.deepEqual([r.replicas, r.current], [3, 45]);
  });
  it('TestReplicaCalcMissingMetricsUnreadyScaleUp', () => {
    const r = cpu({ current: 3, readiness: [false, true, true], levels: [100, 2000] }, 50);
    assert.deepEqual([r.replicas, r.current], [4, 200]);
  });
  it('TestReplicaCalcMissingMetricsHotCpuScaleUp', () => {
    const r = cpu({ current: 3, readiness: [false, true, true], startTimes: [HOT, COOL, COOL], levels: [100, 2000] }, 50);
    assert.deepEqual([r.replicas, r.current], [4, 200]);
  });
  it('TestReplicaCalcMissingMetricsUnreadyScaleDown', () => {
    const r = cpu({ current: 4, readiness: [false, true, true, true], levels: [100, 100, 100] }, 50);
    assert.deepEqual([r.replicas, r.current], [3, 10]);
  });
  it('TestReplicaCalcDuringRollingUpdateWithMaxSurge', () => {
    const r = cpu({ current: 2, phases: ['Running', 'Running', 'Running'], levels: [100, 100] }, 50);
    assert.deepEqual([r.replicas, r.current], [2, 10]);
  });
  it('TestReplicaCalcComputedToleranceAlgImplementation', () => {
    // 10 pods using 150m each against uneven requests averaging 300m; target just beyond / inside the tolerance.
    const perPodRequested = 300;
    const offsets = [100, -100, 10, -10, 2, -2, 1, -1, 0, 0];
    const p: PodStatus[] = offsets.map((o, i) => ({
      name: `test-pod-${i}`,
      phase: 'Running',
      ready: true,
      readyTransitionMs: 0,
      startTimeMs: 0,
      requests: { cpu: `${2 * (perPodRequested + o)}m` },
    }));
    const samples = Object.fromEntries(offsets.map((_, i) => [`test-pod-${i}`, { value: '300m', timestampMs: 0, windowMs: 60_000 }]));
    const requestedToUsed = 2;
    let target = Math.abs(1 / (requestedToUsed * (1 - 0.1))) + 0.01;
    let pct = Math.trunc(target * 100);
    const finalPods = Math.ceil((1500 / (3000 * target)) * 10);
    const s1 = summarizePodMetric(p, samples, { resource: 'cpu', targetUtilization: pct }, OPTS, NOW);
    assert.equal(resourceUtilizationReplicas(10, pct, s1, TOL).replicas, finalPods);
    target = Math.abs(1 / (requestedToUsed * (1 - 0.1))) + 0.004;
    pct = Math.trunc(target * 100);
    const s2 = summarizePodMetric(p, samples, { resource: 'cpu', targetUtilization: pct }, OPTS, NOW);
    assert.equal(resourceUtilizationReplicas(10, pct, s2, TOL).replicas, 10);
  });
});

describe('groupPods (upstream TestGroupPods)', () => {
  const group = (pod: PodStatus, sample: { timestampMs: number; windowMs: number } | undefined, resource?: string) =>
    summarizePodMetric([{ requests: { cpu: 1, memory: 1 }, ...pod }], sample ? { [pod.name]: { value: 1, ...sample } } : {}, { resource }, { cpuInitializationPeriodMs: 300_000, initialReadinessDelayMs: 30_000 }, NOW);
  it('count in a ready pod - memory', () => {
    const s = group({ name: 'bentham', phase: 'Succeeded' }, { timestampMs: NOW, windowMs: 60_000 }, 'memory');
    assert.equal(s.readyPodCount, 1);
  });
  it('ignore a pod without ready condition - CPU', () => {
    const s = group({ name: 'lucretius', phase: 'Succeeded', startTimeMs: NOW }, { timestampMs: 0, windowMs: 0 }, 'cpu');
    assert.deepEqual([s.readyPodCount, s.unreadyCount], [0, 1]);
  });
  it('count in a ready pod with fresh metrics during initialization period - CPU', () => {
    const s = group(
      { name: 'bentham', phase: 'Succeeded', startTimeMs: NOW - 60_000, ready: true, readyTransitionMs: NOW - 30_000 },
      { timestampMs: NOW, windowMs: 30_000 },
      'cpu',
    );
    assert.equal(s.readyPodCount, 1);
  });
  it('ignore a ready pod without fresh metrics during initialization period - CPU', () => {
    const s = group(
      { name: 'bentham', phase: 'Succeeded', startTimeMs: NOW - 60_000, ready: true, readyTransitionMs: NOW - 30_000 },
      { timestampMs: NOW, windowMs: 60_000 },
      'cpu',
    );
    assert.deepEqual([s.readyPodCount, s.unreadyCount], [0, 1]);
  });
  it('ignore an unready pod during initialization period - CPU', () => {
    const s = group(
      { name: 'lucretius', phase: 'Succeeded', startTimeMs: NOW - 600_000, ready: false, readyTransitionMs: NOW - 594_000 },
      { timestampMs: 0, windowMs: 0 },
      'cpu',
    );
    assert.deepEqual([s.readyPodCount, s.unreadyCount], [0, 1]);
  });
  it('count in a ready pod without fresh metrics after initialization period - CPU', () => {
    const s = group(
      { name: 'bentham', phase: 'Succeeded', startTimeMs: NOW - 180_000, ready: true, readyTransitionMs: NOW - 180_000 },
      { timestampMs: NOW - 120_000, windowMs: 60_000 },
      'cpu',
    );
    assert.equal(s.readyPodCount, 1);
  });
  it('missing and pending pods', () => {
    const s = summarizePodMetric(
      [
        { name: 'a', phase: 'Running', ready: true },
        { name: 'b', phase: 'Pending' },
        { name: 'c', phase: 'Running', ready: true },
      ],
      { a: 1 },
      {},
      OPTS,
      NOW,
    );
    assert.deepEqual([s.readyPodCount, s.unreadyCount, s.missingCount], [1, 1, 1]);
  });
});
