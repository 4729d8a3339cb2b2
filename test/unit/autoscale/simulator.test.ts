import assert from 'node:assert/strict';
import fc from 'fast-check';
import { capacityAt, hpaSpecFor, prepareCapacity, simulate, type CapacityCurve } from '../../../src/autoscale/simulator.js';
import { generateTraffic, parseProfileSpec, type TrafficSeries } from '../../../src/autoscale/traffic.js';
import { createHpaState, hpaStep } from '../../../src/autoscale/hpa.js';
import { MdlError } from '../../../src/errors.js';
import { prometheusPodsMetric } from '../../../src/autoscale/metric-pipeline.js';

const curve: CapacityCurve = {
  axis: 'concurrency',
  points: [
    { loadPerReplica: 1, latencyMs: 100 },
    { loadPerReplica: 4, latencyMs: 100 },
    { loadPerReplica: 8, latencyMs: 200 },
  ],
};
const capacity = prepareCapacity(curve);

function steady(rate: number, minutes: number): TrafficSeries {
  return { stepMs: 15_000, ratesPerSecond: new Float64Array((minutes * 60) / 15).fill(rate), source: 'test' };
}

describe('capacity curve', () => {
  it('converts a concurrency curve to rates by Little’s law and interpolates', () => {
    // 1 in flight at 100 ms = 10 rps; 4 at 100 ms = 40 rps; 8 at 200 ms = 40 rps → saturated at 40 rps.
    assert.deepEqual(Array.from(capacity.rate), [10, 40]);
    assert.equal(capacity.maxRatePerReplica, 40);
    assert.deepEqual(capacityAt(capacity, 25), { latencyMs: 100, concurrency: 2.5, errorRate: 0 });
    assert.equal(capacityAt(capacity, 5).concurrency, 0.5);
  });
  it('rejects an empty or non-positive curve as bad input', () => {
    assert.throws(() => prepareCapacity({ axis: 'rate', points: [] }), MdlError);
    assert.throws(() => prepareCapacity({ axis: 'rate', points: [{ loadPerReplica: 0, latencyMs: 5 }] }), MdlError);
  });
});

describe('simulate', () => {
  it('holds steady traffic at ceil(load / target) replicas after the cold start, with no SLO breach', () => {
    const r = simulate(
      { hpa: hpaSpecFor({ minReplicas: 1, maxReplicas: 20, metric: 'rps', target: 20 }), signal: 'rps', sloLatencyMs: 300, initialReplicas: 5, podStartMs: 30_000 },
      steady(100, 30),
      capacity,
    );
    assert.equal(r.steps!.readyReplicas[r.steps!.readyReplicas.length - 1], 5);
    assert.equal(r.totals.secondsOverSlo, 0);
    assert.equal(r.totals.droppedRequests, 0);
    assert.equal(r.totals.peakReplicas, 5);
    assert.ok(Math.abs(r.totals.replicaHours - 2.5) < 1e-9);
  });

  it('scales up on a spike, serves nothing from new pods until Ready, and queues meanwhile', () => {
    const traffic = steady(20, 40);
    traffic.ratesPerSecond.fill(200, 40); // after 10 minutes, 200 rps
    const base = { hpa: hpaSpecFor({ minReplicas: 1, maxReplicas: 20, metric: 'rps', target: 30 }), signal: 'rps' as const, sloLatencyMs: 300, initialReplicas: 1 };
    const fast = simulate({ ...base, podStartMs: 15_000 }, traffic, capacity);
    const slow = simulate({ ...base, podStartMs: 300_000 }, traffic, capacity);
    assert.ok(fast.totals.peakReplicas >= 7);
    assert.ok(slow.totals.secondsOverSlo > fast.totals.secondsOverSlo, `${slow.totals.secondsOverSlo} vs ${fast.totals.secondsOverSlo}`);
    assert.ok(slow.totals.peakQueuedRequests > 0);
    const i = slow.steps!.desiredReplicas.findIndex((d) => d > 1);
    assert.equal(slow.steps!.readyReplicas[i], 1, 'the new pods are not ready yet');
  });

  it('drives the controller exactly as hpaStep does (same decisions on the same observations)', () => {
    // Replay the simulator's scale decisions through the pure hpaStep on a steady overload: same sequence.
    const spec = hpaSpecFor({ minReplicas: 2, maxReplicas: 12, metric: 'rps', target: 25, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } });
    const traffic = steady(150, 10);
    const r = simulate({ hpa: spec, signal: 'rps', sloLatencyMs: 300, podStartMs: 0, metricLagMs: 0, metricWindowMs: 15_000 }, traffic, capacity);
    // With no start time, lag or window, each sync sees the last step's served rate per ready replica.
    let state = createHpaState();
    let current = 2;
    const decisions: number[] = [];
    let backlog = 0;
    for (let i = 0; i < traffic.ratesPerSecond.length; i++) {
      // Requests that exceed the replicas' 40 rps each wait (up to 30 s of capacity) and are served next.
      const demand = 150 * 15 + backlog;
      const served = Math.min(demand, current * 40 * 15);
      backlog = Math.min(demand - served, current * 40 * 30);
      const perPod = Math.round((served / 15 / current) * 1000);
      const out = hpaStep(spec, state, { currentReplicas: current, metrics: [{ kind: 'summary', summary: { readyPodCount: current, sampleCount: current, usageSumMilli: perPod * current, missingCount: 0, unreadyCount: 0 } }] }, (i + 1) * 15_000);
      state = out.state;
      current = out.desiredReplicas;
      decisions.push(current);
    }
    assert.deepEqual(Array.from(r.steps!.desiredReplicas).slice(1), decisions.slice(0, -1));
  });

  it('counts a whole queue-saturated period as over the SLO when the maximum is too low', () => {
    const r = simulate({ hpa: hpaSpecFor({ minReplicas: 1, maxReplicas: 2, metric: 'cpu', target: 60 }), signal: 'cpu', sloLatencyMs: 300 }, steady(200, 20), capacity);
    assert.equal(r.totals.peakReplicas, 2);
    assert.ok(r.totals.droppedRequests > 0);
    assert.ok(r.totals.secondsOverSlo > 0.9 * r.totals.durationS);
  });

  it('rejects a sync period that is not a multiple of the step', () => {
    assert.throws(() => simulate({ hpa: { maxReplicas: 3 }, signal: 'cpu', sloLatencyMs: 1, syncPeriodMs: 10_000 }, steady(1, 1), capacity), MdlError);
  });

  it('property: replicas never leave [min, max], whatever the traffic and settings', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 15 }),
        fc.constantFrom('rps' as const, 'concurrency' as const, 'cpu' as const),
        fc.array(fc.double({ min: 0, max: 2000, noNaN: true }), { minLength: 4, maxLength: 200 }),
        fc.integer({ min: 0, max: 600 }),
        fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
        (min, extra, metric, rates, podStartS, downWindow) => {
          const max = min + extra;
          const target = metric === 'cpu' ? 70 : metric === 'rps' ? 25 : 3;
          const r = simulate(
            {
              hpa: hpaSpecFor({ minReplicas: min, maxReplicas: max, metric, target, ...(downWindow !== undefined ? { behavior: { scaleDown: { stabilizationWindowSeconds: downWindow } } } : {}) }),
              signal: metric,
              sloLatencyMs: 300,
              podStartMs: podStartS * 1000,
            },
            { stepMs: 15_000, ratesPerSecond: Float64Array.from(rates), source: 'prop' },
            capacity,
          );
          for (const d of r.steps!.desiredReplicas) assert.ok(d >= min && d <= max, `${d} outside [${min}, ${max}]`);
          for (let i = 0; i < rates.length; i++) assert.ok(r.steps!.readyReplicas[i]! <= r.steps!.desiredReplicas[i]!);
          assert.ok(r.totals.servedRequests <= r.totals.requests + 1e-6);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('simulate with metrics-server scrapes (metricScrape)', () => {
  // One core of demand per 1000m request: a "rate" of 1 per replica is 100 % CPU.
  const cores = prepareCapacity({ axis: 'rate', points: [{ loadPerReplica: 1e6, latencyMs: 1 }] });
  /** Desired replicas per 1 s step; the controller syncs every 2 s, metrics-server scrapes at 0, 15, 30 … s. */
  function run(demand: (s: number) => number, podStartMs: number, metric: 'scrape' | 'lag' = 'scrape', visibleAfterMs = 0): number[] {
    const rates = new Float64Array(120).map((_, i) => demand(i));
    const r = simulate({
      hpa: hpaSpecFor({ minReplicas: 1, maxReplicas: 8, metric: 'cpu', target: 50 }), signal: 'cpu', sloLatencyMs: 1e9,
      syncPeriodMs: 2000, metricWindowMs: 1000, podStartMs, cpuSaturationRatePerReplica: 1,
      ...(metric === 'scrape' ? { metricScrape: { intervalMs: 15_000, visibleAfterMs } } : { metricLagMs: 0 }),
      controller: { downscaleStabilizationMs: 10_000 },
    }, { stepMs: 1000, ratesPerSecond: rates, source: 'test' }, cores);
    return Array.from(r.steps!.desiredReplicas);
  }

  it('sees a change of load only at the next scrape, and acts at the sync after it', () => {
    // 40 % → 90 % at 20 s; the scrape at 30 s sees it, the sync at 32 s proposes ceil(1.8 · 1) = 2.
    const d = run((s) => (s < 20 ? 0.4 : 0.9), 1000);
    assert.equal(d.indexOf(2), 32);
  });

  it('counts a Ready pod without a sample as missing: at 100 % of its request on a scale-down', () => {
    // Scale-up at 32 s; the new pod has no sample at the scrape of 45 s (it did not exist at 30 s), so when the
    // load falls to 20 % the sync sees 10 % on the old pod and 100 % on the missing one, (10 + 100) / 2 = 55 %:
    // a direction flip, so it keeps 2. From the scrape of 60 s both pods count (10 %) and, after the 10 s
    // stabilization window, it scales down. A fixed-lag model without missing pods scales down earlier.
    const demand = (s: number) => (s < 20 ? 0.4 : s < 40 ? 0.9 : 0.2);
    const scraped = run(demand, 1000);
    const down = scraped.indexOf(1, 32);
    assert.ok(scraped.slice(32, 62).every((r) => r === 2), scraped.join(''));
    assert.ok(down >= 70 && down <= 72, `scaled down at ${down}`);
    assert.ok(run(demand, 1000, 'lag').indexOf(1, 32) < 62);
  });

  it('counts a pod that became Ready after the earlier of its two scrapes as unready: 0 on a scale-up', () => {
    // Pods take 20 s to be Ready. Pod B (created 32 s, Ready 52 s) is Pending at the sync of 46 s (unready):
    // A at 90 % rebalanced with B at 0 is 45 %, within tolerance → 2. At 62 s, A reads 150 % and B is Ready but
    // its sample comes from a scrape (45 s) before it was Ready → unready → (150 + 0) / 2 = 75 % → 3.
    // At 76 s, A and B read 150 %, the Pending pod C counts 0 → 100 % → ceil(2 · 3) = 6.
    const d = run((s) => (s < 20 ? 0.4 : s < 50 ? 0.9 : 3), 20_000);
    assert.equal(d.indexOf(2), 32);
    assert.equal(d.indexOf(3), 62);
    assert.equal(d.indexOf(6), 76);
    assert.ok(d.slice(62, 76).every((r) => r === 3));
  });

  it('serves a scrape’s sample only visibleAfterMs after the scrape: a sync in between acts on the one before', () => {
    // The scrape at 30 s sees 90 %; served at 31.5 s it is read by the sync at 32 s, served at 32.5 s only by
    // the sync at 34 s. The sample still measures the load at 30 s: a rise at 31 s waits for the scrape at
    // 45 s, served at 47.5 s, read at 48 s.
    assert.equal(run((s) => (s < 20 ? 0.4 : 0.9), 1000, 'scrape', 1500).indexOf(2), 32);
    assert.equal(run((s) => (s < 20 ? 0.4 : 0.9), 1000, 'scrape', 2500).indexOf(2), 34);
    assert.equal(run((s) => (s < 31 ? 0.4 : 0.9), 1000, 'scrape', 2500).indexOf(2), 48);
  });

  it('rejects a scrape interval that is not positive, and a sample served after the next scrape', () => {
    assert.throws(() => simulate({ hpa: { maxReplicas: 3 }, signal: 'cpu', sloLatencyMs: 1, syncPeriodMs: 15_000, metricScrape: { intervalMs: 15_000, visibleAfterMs: 15_000 } }, steady(1, 1), capacity), MdlError);
    assert.throws(() => simulate({ hpa: { maxReplicas: 3 }, signal: 'cpu', sloLatencyMs: 1, syncPeriodMs: 15_000, metricScrape: { intervalMs: 0 } }, steady(1, 1), capacity), MdlError);
  });
});

describe('simulate a Pods gauge through Prometheus (prometheusPodsMetric)', () => {
  // One request in flight per request per second: the traffic's rate is the demand in flight.
  const inFlight = prepareCapacity({ axis: 'rate', points: [{ loadPerReplica: 1e6, latencyMs: 1000 }] });
  /** Desired replicas per 1 s step: target 4 in flight a pod, syncs every 2 s, scrapes every 5 s, pods Ready
   *  20 s after creation. Spread, the first pod is scraped at 0, 5, 10 … s and the second at 3.09, 8.09 … s
   *  (0.618 of the interval later); not spread, both at 0, 5, 10 … s. */
  function run(demand: (s: number) => number, discoveryDelayMs: number, spreadTargets = true): number[] {
    const rates = new Float64Array(40).map((_, i) => demand(i));
    const pipeline = prometheusPodsMetric({ kind: 'gauge', scrapeIntervalMs: 5000, rateWindowMs: 60_000 });
    const r = simulate({
      hpa: hpaSpecFor({ minReplicas: 1, maxReplicas: 8, metric: 'concurrency', target: 4 }), signal: 'concurrency', sloLatencyMs: 1e9,
      syncPeriodMs: 2000, podStartMs: 20_000, ...pipeline, metricScrape: { ...pipeline.metricScrape!, discoveryDelayMs, spreadTargets },
      controller: { downscaleStabilizationMs: 0 },
    }, { stepMs: 1000, ratesPerSecond: rates, source: 'test' }, inFlight);
    return Array.from(r.steps!.desiredReplicas);
  }
  // 6 in flight until 3 s, then 2. The sync at 2 s reads the scrape of 0 s (6 on one pod: ratio 1.5) → 2;
  // the new pod (created at 2 s) is still starting when the load falls.
  const demand = (s: number) => (s < 3 ? 6 : 2);

  it('counts a starting pod the scrapes have not found yet as missing (at the target on a scale-down), and one they have as 0', () => {
    // Discovery takes 4 s. Up to the sync of 8 s the new pod's latest scrape (3.09 s) is too early to have found
    // it: missing, (2 + 4) / 8 = 0.75 → ceil(1.5) = 2. Its scrape of 8.09 s has, and it is idle:
    // (2 + 0) / 8 = 0.25 → 1 at the sync of 10 s.
    const d = run(demand, 4000);
    assert.equal(d.indexOf(2), 2);
    assert.equal(d.indexOf(1, 3), 10);
  });

  it('scrapes each pod at a phase of its own: with one phase for all, the new pod is found only by the scrape of 10 s', () => {
    assert.equal(run(demand, 4000, false).indexOf(1, 3), 12);
  });

  it('delays a new pod\'s first sample by the discovery delay', () => {
    // Discovery takes 8 s: the scrape of 8.09 s has not found the pod created at 2 s, the one of 13.09 s has → 1 at the sync of 14 s.
    assert.equal(run(demand, 8000).indexOf(1, 3), 14);
  });
});

describe('generated profiles', () => {
  it('diurnal peaks at the peak hour and bottoms out twelve hours later', () => {
    const t = generateTraffic(parseProfileSpec('diurnal,peak=400,baseline=20,peakHour=14'), 60_000);
    assert.equal(t.ratesPerSecond.length, 1440);
    const max = Math.max(...t.ratesPerSecond);
    assert.ok(Math.abs(t.ratesPerSecond.indexOf(max) - 14 * 60) <= 1);
    assert.ok(Math.abs(t.ratesPerSecond[2 * 60]! - 20) < 0.1);
  });
});
