/**
 * Fidelity of the HPA simulator (src/autoscale) against the real controller: a CPU demand trace is played on
 * the test control plane (kwok pods of a rendered model spec, whose usage annotation metrics-server reads), the real HPA's replica counts
 * are recorded with every sync of the controller (from its log), and the simulator runs the same trace with the
 * same settings, syncing when the controller did. The comparison (share of sync
 * points where both agree, the largest difference, both series) is written to .cache/hpa-fidelity/last.json.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { apiRequest, readState, repoRoot } from '../support/cluster/cluster.js';
import { hpaSpecFor } from '../../src/autoscale/simulator.js';
import type { KubeObject } from '../../src/kube/types.js';
import { compareWithSimulator } from '../support/fidelity/compare.js';
import { demandAt, FIDELITY_SETTINGS, FIDELITY_TRACE, FIDELITY_TRACE_MS } from '../support/fidelity/trace.js';
import { createWorkload, playTrace, waitForMetrics } from './hpa-fidelity-recorder.js';
import { renderSpec, specFile, uniqueNamespace } from './support.js';

describe('HPA simulator fidelity against the real controller (metrics-server reading kwok)', function () {
  it('plays a CPU trace: the simulator agrees at ≥ 95 % of the sync points and is never more than one replica apart', async function () {
    // Up to ~45 s until the first sample, then the trace (200 s).
    this.timeout(FIDELITY_TRACE_MS + 150_000);
    const state = readState()!;
    const ns = uniqueNamespace('mdl-fidelity');
    const name = 'cpu-trace';
    const { scaling } = FIDELITY_SETTINGS;
    // The spec of a model whose pods request one core, scaling as the simulator is told to; kwok reads each
    // pod's CPU use from its annotation, which the balancer below rewrites.
    assert.equal(scaling.metric, 'cpu');
    assert.equal(scaling.behavior, undefined, 'the trace is made for the controller without spec.behavior');
    const objects = await renderSpec(specFile({
      name, image: 'registry.example/model:1', resources: { cpu: '1', memory: '1Gi' },
      scaling: { minReplicas: scaling.minReplicas, maxReplicas: scaling.maxReplicas, metric: { type: 'cpu', target: `${scaling.target}%` } },
      podAnnotations: { 'kwok.x-k8s.io/usage-cpu': `${Math.round(demandAt(0) * 1000)}m` },
    }), ns);
    // The real controller runs the rendered HPA; the simulator runs hpaSpecFor(scaling): the same spec.
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler') as (KubeObject & { spec: Record<string, unknown> }) | undefined;
    assert.ok(hpa, 'the spec renders an HPA');
    const { scaleTargetRef: _target, ...rendered } = hpa.spec;
    assert.deepEqual(rendered, hpaSpecFor(scaling));
    const selector = await createWorkload(state, ns, objects);
    try {
      // Start from a warm metric pipeline, as the simulator does.
      await waitForMetrics(state, ns, name, 90_000);
      const recording = await playTrace(state, ns, name, selector, (t) => demandAt(t), FIDELITY_TRACE_MS);
      const comparison = compareWithSimulator(recording, FIDELITY_SETTINGS, (t) => demandAt(t));
      const out = path.join(repoRoot, '.cache/hpa-fidelity');
      mkdirSync(out, { recursive: true });
      writeFileSync(path.join(out, 'last.json'), JSON.stringify({
        date: new Date().toISOString(), trace: FIDELITY_TRACE, settings: FIDELITY_SETTINGS, comparison, recording,
      }, null, 1));
      const { series, ...summary } = comparison;
      process.stderr.write(`      fidelity: ${summary.agreeing}/${summary.syncPoints} sync points agree ` +
        `(${(summary.agreement * 100).toFixed(1)} %), max difference ${summary.maxDifference} replica(s); ` +
        `sync period ${summary.syncPeriodMs} ms (${recording.syncs.length} syncs logged), samples served ${summary.visibleAfterMs} ms after the scrape, ` +
        `pod start ${summary.podStartMs} ms → ${path.join(out, 'last.json')}\n`);
      const mismatches = series.filter((s) => s.real !== s.simulated).map((s) => `${(s.tMs / 1000).toFixed(1)} s: real ${s.real}, simulated ${s.simulated}`);

      // The trace exercised the controller: up to maxReplicas and back down, in several steps.
      const real = series.map((s) => s.real);
      assert.equal(Math.max(...real), scaling.maxReplicas, `the real HPA reached ${Math.max(...real)}`);
      assert.ok(real[real.length - 1]! <= 2, `the real HPA scaled back down (ended at ${real[real.length - 1]})`);
      assert.ok(recording.replicas.length >= 5, `only ${recording.replicas.length - 1} scale events`);
      assert.ok(comparison.syncPoints >= 90, `${comparison.syncPoints} sync points`);
      // The syncs (and the sample each read) come from the controller's log, not a fitted grid.
      assert.ok(recording.syncs.length >= 90 && recording.syncs.every((s) => s.sampleMs !== undefined || s.tMs < 45_000),
        `${recording.syncs.length} syncs read from kube-controller-manager's log`);

      assert.ok(comparison.agreement >= 0.95, `agreement ${(comparison.agreement * 100).toFixed(1)} %; mismatches: ${mismatches.join('; ')}`);
      assert.ok(comparison.maxDifference <= 1, `max difference ${comparison.maxDifference}; mismatches: ${mismatches.join('; ')}`);
    } finally {
      await apiRequest(state, 'DELETE', `/api/v1/namespaces/${ns}`);
    }
  });
});
