import assert from 'node:assert/strict';
import { loadPreset } from '../../../src/spec/index.js';
import { adapterRule, METRIC_REGISTRY, podsMetricName, registryMetric, replicaSumQuery } from '../../../src/spec/metric-registry.js';
import { RUNTIMES } from '../../../src/spec/schema.js';

describe('the metric registry', () => {
  it('names the adapter metric of a counter as its per-second rate, of a gauge as itself, without colons', () => {
    assert.equal(podsMetricName({ series: 'vllm:request_success_total', kind: 'counter' }), 'vllm_request_success_per_second');
    assert.equal(podsMetricName({ series: 'nv_inference_request_success', kind: 'counter' }), 'nv_inference_request_success_per_second');
    assert.equal(podsMetricName({ series: 'llamacpp:requests_processing', kind: 'gauge' }), 'llamacpp_requests_processing');
  });

  it('sums a gauge and the rate of a counter over the replicas, scoped to the namespace when known', () => {
    assert.equal(replicaSumQuery({ series: 'tgi_queue_size', kind: 'gauge' }, { name: 'chat' }), 'sum(tgi_queue_size{pod=~"chat-.*"})');
    assert.equal(
      replicaSumQuery({ series: 'model_infer_request_success_total', kind: 'counter' }, { name: 'iris', namespace: 'ml' }),
      'sum(rate(model_infer_request_success_total{namespace="ml",pod=~"iris-.*"}[1m]))',
    );
  });

  it('writes a prometheus-adapter rule that serves the series under the Pods metric name, as a rate for a counter', () => {
    assert.deepEqual(adapterRule({ series: 'vllm:num_requests_running', kind: 'gauge' }), {
      seriesQuery: 'vllm:num_requests_running{namespace!="",pod!=""}',
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
      name: { matches: '^vllm:num_requests_running$', as: 'vllm_num_requests_running' },
      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
    });
    const counter = adapterRule({ series: 'http_requests_total', kind: 'counter' });
    assert.equal(counter.name.as, 'http_requests_per_second');
    assert.equal(counter.metricsQuery, 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)');
  });

  it('is what every preset exports: a type the registry lacks is not silently replaced by another server\'s names', () => {
    for (const runtime of RUNTIMES) {
      const preset = loadPreset(runtime);
      for (const [type, m] of Object.entries(METRIC_REGISTRY[runtime])) assert.equal(preset.metrics[type as keyof typeof preset.metrics]?.series, m.series, `${runtime} ${type}`);
    }
    // Triton has no in-flight gauge; it used to fall back to http_requests_in_flight, which it does not export.
    assert.equal(registryMetric('triton', 'concurrency'), undefined);
    assert.equal(registryMetric('kserve-v2', 'concurrency')?.series, 'rest_server_requests_in_progress');
    // gpu on a runtime without its own: NVIDIA's DCGM exporter.
    assert.equal(registryMetric('tgi', 'gpu')?.series, 'DCGM_FI_DEV_GPU_UTIL');
    assert.equal(registryMetric('vllm', 'cpu'), undefined);
  });
});
