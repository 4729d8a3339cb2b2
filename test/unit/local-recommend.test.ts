import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createHpaState } from '../../src/autoscale/index.js';
import { initialHistory, recommendReplicas, type RecommendInput } from '../../src/local/recommend.js';
import { commandLine } from '../../src/local/command-line.js';
import { TrafficCounters } from '../../src/local/counters.js';

const base: RecommendInput = {
  nowMs: 1_000_000,
  currentReplicas: 2,
  readyReplicas: 2,
  unreadyReplicas: 0,
  metricSum: 4,
  metric: { type: 'concurrency', target: 2 },
  minReplicas: 1,
  maxReplicas: 10,
  behavior: undefined,
};
const empty = createHpaState();

describe('local autoscaler recommendation (HPA algorithm)', () => {
  it('keeps the count within the 10 % tolerance', () => {
    assert.equal(recommendReplicas({ ...base, metricSum: 4.3 }, empty).desiredReplicas, 2);
  });

  it('scales up to ceil(sum / target)', () => {
    assert.equal(recommendReplicas({ ...base, metricSum: 7 }, empty).desiredReplicas, 4);
  });

  it('limits a scale-up to the default policies (max of +4 pods and +100 % per 15 s) when behavior is set', () => {
    const r = recommendReplicas({ ...base, metricSum: 40, behavior: {} }, empty);
    assert.equal(r.desiredReplicas, 6);
    assert.match(r.reason, /ScaleUpLimit/);
  });

  it('limits a scale-up to max(2 × current, 4) without behavior, as the legacy controller does', () => {
    assert.equal(recommendReplicas({ ...base, metricSum: 40 }, empty).desiredReplicas, 4);
  });

  it('counts unready replicas as idle on a scale-up', () => {
    // 2 ready at 2.4 each is above tolerance, but with 2 more starting the load spreads to 1.2 each: keep 4.
    assert.equal(recommendReplicas({ ...base, currentReplicas: 4, unreadyReplicas: 2, metricSum: 4.8 }, empty).desiredReplicas, 4);
  });

  it('holds a scale-down for the stabilization window, then applies it', () => {
    const behavior = { scaleDown: { stabilizationWindowSeconds: 60 } };
    const history = initialHistory(4, base.nowMs - 30_000);
    assert.equal(recommendReplicas({ ...base, currentReplicas: 4, readyReplicas: 4, metricSum: 1, behavior }, history).desiredReplicas, 4);
    const later = { ...base, nowMs: base.nowMs + 31_000, currentReplicas: 4, readyReplicas: 4, metricSum: 1, behavior };
    assert.equal(recommendReplicas(later, history).desiredReplicas, 1);
  });

  it('never leaves [minReplicas, maxReplicas] (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 12 }),
        fc.double({ min: 0, max: 500, noNaN: true }),
        (min, extra, current, sum) => {
          const max = min + extra;
          const r = recommendReplicas({ ...base, minReplicas: min, maxReplicas: max, currentReplicas: current, readyReplicas: current, metricSum: sum }, empty);
          return r.desiredReplicas >= min && r.desiredReplicas <= max;
        },
      ),
    );
  });
});

describe('replica command line', () => {
  it('splits a plain command into arguments and fills {port}', () => {
    assert.deepEqual(commandLine('python serve.py --port {port}', 8123), { file: 'python', args: ['serve.py', '--port', '8123'], shell: false });
  });

  it('runs a command with shell syntax through /bin/sh as written', () => {
    const line = commandLine('cd model && exec python serve.py --port={port} > log.txt', 9000);
    assert.equal(line.shell, true);
    assert.deepEqual(line.args, ['-c', 'cd model && exec python serve.py --port=9000 > log.txt']);
  });

  it('runs `node` as the Node.js that runs mdl, and arrays as given', () => {
    assert.equal(commandLine(['node', 'a b.js', '{port}'], 1).file, process.execPath);
    assert.deepEqual(commandLine(['node', 'a b.js', '{port}'], 1).args, ['a b.js', '1']);
  });
});

describe('traffic counters', () => {
  it('integrate in-flight over time, so a difference over an interval is the mean concurrency', () => {
    const c = new TrafficCounters(0);
    c.started(0);
    c.started(500);
    c.finished(1000, 1000, true);
    c.finished(1000, 500, true);
    // 1 in flight for 0.5 s, 2 for 0.5 s: 1.5 request·seconds over 1 s, then nothing until 2 s.
    assert.equal(c.integral(2000) / 2000, 0.75);
    assert.equal(c.requestsTotal, 2);
    assert.deepEqual(c.latency(2000), { meanMs: 750, p50Ms: 1000, p95Ms: 1000, maxMs: 1000 });
  });
});
