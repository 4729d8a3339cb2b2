import assert from 'node:assert/strict';
import { formatReplayRun } from '../../../src/replay/format-text.js';
import type { ReplayRun } from '../../../src/replay/types.js';

describe('replay text', () => {
  it('shows measured beside simulated, and the differences', () => {
    const summary = { durationSeconds: 180, secondsOverSlo: 31, replicaSeconds: 733, peakReplicas: 7, scaleUpDecisionS: 15, scaleUpReadyS: 20 };
    const run = {
      label: 'recommended',
      settings: { metric: 'rps', target: 54.7, minReplicas: 2, maxReplicas: 7 },
      measured: { seconds: [], scalingEvents: [], summary, overallP95Ms: 2710, interrupted: false },
      simulated: { seconds: [], summary: { ...summary, secondsOverSlo: 24, replicaSeconds: 700.4, scaleUpReadyS: null }, lagChain: {} },
      differences: ['seconds over the SLO: measured 31 s, simulated 24 s'],
    } as unknown as ReplayRun;
    const text = formatReplayRun(run, { percentile: 'p95', latencyMs: 200, errorRate: 0.01 });
    const lines = text.split('\n');
    assert.equal(lines[0], 'recommended: rps target 54.7, 2–7 replicas');
    assert.match(lines[1]!, /^\s+measured\s+simulated$/);
    assert.match(text, /seconds over the SLO\s+31 s \(17\.2 %\)\s+24 s \(13\.3 %\)/);
    assert.match(text, /replica-seconds\s+733\s+700/);
    assert.match(text, /first added replica ready\s+20 s\s+–/);
    assert.match(text, /p95 over the whole run: 2710 ms/);
    assert.match(text, /differs: seconds over the SLO: measured 31 s, simulated 24 s/);
  });

  it('shows each run’s replica-seconds in money when the spec has a price', () => {
    const summary = { durationSeconds: 180, secondsOverSlo: 0, replicaSeconds: 7200, peakReplicas: 4, scaleUpDecisionS: null, scaleUpReadyS: null };
    const run = {
      label: 'static 4',
      settings: { metric: 'rps', target: 80, minReplicas: 4, maxReplicas: 4 },
      measured: { seconds: [], scalingEvents: [], summary, overallP95Ms: 120, interrupted: false },
      simulated: { seconds: [], summary: { ...summary, replicaSeconds: 5400 }, lagChain: {} },
      differences: [],
    } as unknown as ReplayRun;
    const slo = { percentile: 'p95', latencyMs: 200, errorRate: 0.01 } as const;
    // 7200 replica-seconds = 2 replica-hours at 4.10 USD; 5400 = 1.5 hours.
    assert.match(formatReplayRun(run, slo, { perReplicaHour: 4.1, currency: 'USD', source: 'spec' }), /cost\s+8\.20 USD\s+6\.15 USD/);
    assert.doesNotMatch(formatReplayRun(run, slo), /cost/);
  });
});
