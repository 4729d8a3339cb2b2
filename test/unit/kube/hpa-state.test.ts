import assert from 'node:assert/strict';
import { hpaState, podsMetricLink, type HpaLike, type MetricApi } from '../../../src/kube/hpa.js';

const cpuHpa: HpaLike = {
  apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' },
  spec: { minReplicas: 2, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
  status: {
    currentReplicas: 2, desiredReplicas: 3,
    currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 91 } } }],
    conditions: [
      { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale' },
      { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' },
      { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange' },
    ],
  },
};

describe('hpaState', () => {
  it('reads metrics against targets and the three conditions', () => {
    const s = hpaState(cpuHpa, new Set<MetricApi>(['metrics.k8s.io']));
    assert.deepEqual(s.metrics, [{ name: 'cpu', type: 'Resource', current: '91%', target: '70%' }]);
    assert.equal(s.ableToScale, true);
    assert.equal(s.scalingActive, true);
    assert.equal(s.scalingLimited, false);
    assert.deepEqual(s.problems, []);
  });

  it('says metrics-server is missing when metrics.k8s.io is not served', () => {
    const s = hpaState(cpuHpa, new Set());
    assert.equal(s.problems.length, 1);
    assert.match(s.problems[0]!.which, /Resource metric "cpu"/);
    assert.equal(s.problems[0]!.link, 'metrics-api');
    assert.match(s.problems[0]!.fix, /metrics-server/);
  });

  it('points at a custom metrics adapter for a Pods metric', () => {
    const hpa: HpaLike = { ...cpuHpa, spec: { maxReplicas: 5, metrics: [{ type: 'Pods', pods: { metric: { name: 'inflight' }, target: { type: 'AverageValue', averageValue: '8' } } }] }, status: {} };
    const s = hpaState(hpa, new Set<MetricApi>(['metrics.k8s.io']));
    assert.match(s.problems[0]!.fix, /custom\.metrics\.k8s\.io/);
    assert.equal(s.metrics[0]!.current, undefined);
  });

  it('names an unknown metric from the ScalingActive=False condition', () => {
    const hpa: HpaLike = {
      ...cpuHpa,
      spec: { maxReplicas: 5, metrics: [{ type: 'Pods', pods: { metric: { name: 'inflight' }, target: { type: 'AverageValue', averageValue: '8' } } }] },
      status: { conditions: [{ type: 'ScalingActive', status: 'False', reason: 'FailedGetPodsMetric', message: 'unable to get metric inflight: no metrics returned' }] },
    };
    const s = hpaState(hpa, new Set<MetricApi>(['metrics.k8s.io', 'custom.metrics.k8s.io']));
    assert.equal(s.scalingActive, false);
    assert.equal(s.problems.length, 1);
    assert.equal(s.problems[0]!.link, 'metric-read');
    assert.match(s.problems[0]!.fix, /"inflight"/);
  });
});

describe('podsMetricLink: which link of the Pods-metric chain is missing', () => {
  const listed = ['rest_server_requests_in_progress', 'model_infer_request_success_per_second', 'vllm_num_requests_running'];
  it('the adapter does not list the metric: its rule or the series is missing, with the names it does list that look alike', () => {
    const p = podsMetricLink('rest_server_inflight', 'prod', { listed, podsWithValue: 0, selector: 'app=iris' });
    assert.equal(p?.which, 'Pods metric "rest_server_inflight"');
    assert.equal(p?.link, 'metric-listed');
    assert.match(p!.message, /^custom\.metrics\.k8s\.io lists no metric rest_server_inflight: the adapter has no rule that exposes it, or no pod exports its series \(it lists rest_server_requests_in_progress\)$/);
    assert.match(p!.fix, /mdl render --metrics-pipeline/);
  });
  it('the adapter lists it, but has no value for these pods: Prometheus does not scrape them', () => {
    const p = podsMetricLink('rest_server_requests_in_progress', 'prod', { listed, podsWithValue: 0, selector: 'app=iris' });
    assert.equal(p?.message, 'custom.metrics.k8s.io has rest_server_requests_in_progress, but no value for the pods of app=iris in prod: Prometheus has not scraped them');
    assert.equal(p?.link, 'pods-scraped');
    assert.match(p!.fix, /prometheus\.io annotations/);
  });
  it('both links hold: nothing to say', () => {
    assert.equal(podsMetricLink('rest_server_requests_in_progress', 'prod', { listed, podsWithValue: 2, selector: 'app=iris' }), undefined);
  });
});
