import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatWhatIf, runWhatIf, type WhatIfInput } from '../../../src/autoscale/compare.js';
import { hpaSpecFor } from '../../../src/autoscale/simulator.js';
import { parseCapacity } from '../../../src/services/simulate.js';
import { MdlError } from '../../../src/errors.js';

const traffic = { stepMs: 15_000, ratesPerSecond: new Float64Array(240).fill(100), source: 'steady test' };
const capacity = { axis: 'rate' as const, points: [{ loadPerReplica: 10, latencyMs: 50 }, { loadPerReplica: 30, latencyMs: 150 }], source: 'test curve' };

function input(min: number, max: number): WhatIfInput {
  return {
    scenarios: [
      { label: 'a', hpa: hpaSpecFor({ minReplicas: min, maxReplicas: max, metric: 'rps', target: 20 }), signal: 'rps', sources: { maxReplicas: 'x' } },
      { label: 'b', hpa: hpaSpecFor({ minReplicas: min, maxReplicas: 2, metric: 'rps', target: 20 }), signal: 'rps', sources: {} },
    ],
    traffic,
    capacity,
    sloLatencyMs: { value: 200, source: 'test slo' },
    podStartMs: { value: 30_000, source: 'test' },
    syncPeriodMs: { value: 15_000, source: 'default' },
    metricLagMs: { value: 15_000, source: 'default' },
    // Start at the steady-state size: from 1 replica the queue that builds up drives an overshoot.
    initialReplicas: { value: 5, source: 'test' },
  };
}

describe('what-if comparison', () => {
  it('runs each scenario on the same traffic and says where each assumption came from', () => {
    const report = runWhatIf(input(1, 10));
    assert.equal(report.traffic.durationS, 3600);
    assert.equal(report.capacity.maxRatePerReplica, 30);
    assert.equal(report.scenarios[0]!.totals.peakReplicas, 5);
    assert.equal(report.scenarios[1]!.totals.peakReplicas, 2);
    assert.ok(report.scenarios[1]!.totals.droppedRequests > report.scenarios[0]!.totals.droppedRequests);
    const text = formatWhatIf(report);
    assert.match(text, /test slo/);
    assert.match(text, /a: rps 20 rps, 1–10 replicas/);
    assert.match(text, /peak replicas\s+5\s+2/);
  });
  it('reads CPU through the scrape model when metricScrapeMs is given, and says so; other signals keep the lag model', () => {
    const rising = { stepMs: 15_000, ratesPerSecond: Float64Array.from({ length: 240 }, (_, i) => 20 + i), source: 'ramp test' };
    const cpu = (scrapeMs?: number): WhatIfInput => ({
      ...input(1, 20),
      traffic: rising,
      scenarios: [
        { label: 'cpu', hpa: hpaSpecFor({ minReplicas: 1, maxReplicas: 20, metric: 'cpu', target: 50 }), signal: 'cpu', sources: {} },
        { label: 'rps', hpa: hpaSpecFor({ minReplicas: 1, maxReplicas: 20, metric: 'rps', target: 20 }), signal: 'rps', sources: {} },
      ],
      ...(scrapeMs ? { metricScrapeMs: { value: scrapeMs, source: 'test scrape' } } : {}),
    });
    const lag = runWhatIf(cpu());
    const scraped = runWhatIf(cpu(15_000));
    assert.notDeepEqual(scraped.scenarios[0]!.series.desiredReplicas, lag.scenarios[0]!.series.desiredReplicas);
    assert.deepEqual(scraped.scenarios[1]!.series.desiredReplicas, lag.scenarios[1]!.series.desiredReplicas);
    assert.match(formatWhatIf(scraped), /CPU scraped every 15s \(test scrape\)/);
    assert.doesNotMatch(formatWhatIf(lag), /scraped/);
  });
  it('reads custom metrics through Prometheus\' scrapes when prometheusScrapeMs is given, and says so; CPU keeps its model', () => {
    const rising = { stepMs: 15_000, ratesPerSecond: Float64Array.from({ length: 240 }, (_, i) => 20 + i), source: 'ramp test' };
    const whatIf = (scrapeMs?: number): WhatIfInput => ({
      ...input(1, 20),
      traffic: rising,
      scenarios: [
        { label: 'cpu', hpa: hpaSpecFor({ minReplicas: 1, maxReplicas: 20, metric: 'cpu', target: 50 }), signal: 'cpu', sources: {} },
        { label: 'rps', hpa: hpaSpecFor({ minReplicas: 1, maxReplicas: 20, metric: 'rps', target: 20 }), signal: 'rps', sources: {} },
      ],
      ...(scrapeMs ? { prometheusScrapeMs: { value: scrapeMs, source: 'test prometheus' } } : {}),
    });
    const lag = runWhatIf(whatIf());
    const scraped = runWhatIf(whatIf(30_000));
    assert.deepEqual(scraped.scenarios[0]!.series.desiredReplicas, lag.scenarios[0]!.series.desiredReplicas);
    assert.notDeepEqual(scraped.scenarios[1]!.series.desiredReplicas, lag.scenarios[1]!.series.desiredReplicas);
    assert.match(formatWhatIf(scraped), /custom metrics scraped by Prometheus every 30s \(test prometheus\)/);
    assert.doesNotMatch(formatWhatIf(lag), /Prometheus/);
  });
  it('reads capacity from JSON, a TuneResult shape and CSV', () => {
    assert.equal(parseCapacity('{"axis":"rate","points":[{"loadPerReplica":5,"latencyMs":9}]}', 'c.json').curve.points.length, 1);
    const tune = parseCapacity('{"schemaVersion":1,"capacityCurve":{"axis":"concurrency","points":[{"loadPerReplica":2,"latencyMs":40}]},"coldStart":{"readyMs":45000}}', 't.json');
    assert.equal(tune.coldStartMs, 45_000);
    assert.equal(tune.curve.axis, 'concurrency');
    const csv = parseCapacity('concurrency,latencyMs,errorRate\n1,50,0\n4,90,0.01\n', 'c.csv');
    assert.deepEqual(csv.curve.points[1], { loadPerReplica: 4, latencyMs: 90, errorRate: 0.01 });
    assert.throws(() => parseCapacity('{"nothing":1}', 'n.json'), MdlError);
    assert.throws(() => parseCapacity('load,lat\n1,2', 'n.csv'), MdlError);
  });
  it('reads the TuneResult that mdl tune --json writes (test/fixtures/tune-result.json, a real run)', () => {
    const text = readFileSync(fileURLToPath(new URL('../../fixtures/tune-result.json', import.meta.url)), 'utf8');
    const doc = JSON.parse(text) as { search: { curve: Array<{ level: number; backlog: boolean; completedPerSecond: number }> } };
    const { curve, coldStartMs } = parseCapacity(text, 'tune.json');
    assert.equal(curve.axis, 'rate');
    const steady = doc.search.curve.filter((p) => !p.backlog && p.completedPerSecond > 0).map((p) => p.level);
    assert.deepEqual(curve.points.map((p) => p.loadPerReplica), steady);
    assert.ok(curve.points.every((p) => p.latencyMs > 0));
    // Its cold start is the default, not a measurement: simulate keeps its own.
    assert.equal(coldStartMs, undefined);
  });
  it('reads a version-1 TuneResult as its version-2 twin, and refuses a version it does not know', () => {
    const read = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url)), 'utf8');
    const v2 = parseCapacity(read('tune-result.json'), 'tune.json');
    assert.deepEqual(parseCapacity(read('tune-result-v1.json'), 'tune.json'), v2);
    assert.deepEqual(v2.curve.points.map((p) => p.loadPerReplica), [5, 40, 190]);
    const future = JSON.stringify({ ...(JSON.parse(read('tune-result.json')) as object), schemaVersion: 3 });
    assert.throws(
      () => parseCapacity(future, 'future.json'),
      (e: unknown) => e instanceof MdlError && e.exitCode === 2 && /future\.json has TuneResult schemaVersion 3/.test(e.message) && e.where === 'future.json schemaVersion',
    );
  });
});
