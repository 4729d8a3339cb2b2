/**
 * What `mdl tune` recommends is what `mdl render` emits after `tune --write`: over runtime × GPU × the spec's
 * metric type before the write × engine (HPA or KEDA) × measured capacity, the HPA metric and the KEDA trigger
 * tune prints equal the rendered ones, and the series tune names is the one the metric registry gives render.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { renderManifests } from '../../../src/manifests/index.js';
import { resolveRaw } from '../../../src/spec/index.js';
import { parseSpecText } from '../../../src/spec/load.js';
import { registryMetric } from '../../../src/spec/metric-registry.js';
import { RUNTIMES, type MetricType } from '../../../src/spec/schema.js';
import { metricFor, recommend } from '../../../src/tune/recommend.js';
import { scalingPatch, writeScaling } from '../../../src/tune/write-back.js';

const PRIOR_TARGET: Partial<Record<MetricType, string>> = { cpu: '70%', concurrency: '4', queue: '3', rps: '10rps', gpu: '80%' };

function specText(runtime: string, gpu: boolean, prior: MetricType, engine: 'hpa' | 'keda', namespaceAddress: string): string {
  return [
    'name: model-a',
    'image: registry.example/model:1',
    `runtime: ${runtime}`,
    `resources: { cpu: "2", memory: 4Gi${gpu ? ', gpu: 1' : ''} }`,
    'scaling:',
    '  minReplicas: 1',
    '  maxReplicas: 8',
    `  engine: ${engine}`,
    `  metric: { type: ${prior}, target: ${PRIOR_TARGET[prior]} }`,
    ...(engine === 'keda' ? [`  keda: { serverAddress: "${namespaceAddress}", activationThreshold: 2 }`] : []),
    '',
  ].join('\n');
}

describe('tune and render agree on the metric (the metric registry)', () => {
  it('every metric tune chooses is one the runtime exports, with a series from the registry', () => {
    for (const runtime of RUNTIMES) {
      for (const gpu of [false, true]) {
        const m = metricFor(runtime, gpu);
        assert.notEqual(m.kind, 'cpu');
        const known = registryMetric(runtime, m.kind);
        assert.ok(known, `${runtime}${gpu ? ' on a GPU' : ''}: tune chose ${m.kind}, which the registry does not have`);
        assert.equal(m.prometheusMetric, known.series);
        assert.equal(m.seriesKind, known.kind);
        // A counter is read as a rate, and only an rps metric is a rate.
        assert.equal(known.kind === 'counter', m.kind === 'rps', `${runtime}: ${m.kind} on a ${known.kind}`);
      }
    }
  });

  it('the HPA metric and KEDA trigger tune prints are what render emits after tune --write', () => {
    const sample = fc.record({
      runtime: fc.constantFrom(...RUNTIMES),
      gpu: fc.boolean(),
      prior: fc.constantFrom<MetricType>('cpu', 'concurrency', 'queue', 'rps', 'gpu'),
      engine: fc.constantFrom<'hpa' | 'keda'>('hpa', 'keda'),
      namespace: fc.option(fc.constantFrom('ml', 'team-a'), { nil: undefined }),
      capacity: fc.double({ min: 1.5, max: 400, noNaN: true }),
      perSecond: fc.double({ min: 0.5, max: 2000, noNaN: true }),
      latencyMs: fc.integer({ min: 5, max: 5000 }),
    });
    fc.assert(
      fc.property(sample, (s) => {
        // The spec before the write must be valid: its metric type exported by the runtime, gpu only with GPUs.
        fc.pre(s.prior === 'cpu' || (s.prior === 'gpu' ? s.gpu : registryMetric(s.runtime, s.prior) !== undefined));
        const address = 'http://prometheus.monitoring.svc:9090';
        const metric = metricFor(s.runtime, s.gpu);
        const rec = recommend({
          runtime: s.runtime,
          hasGpu: s.gpu,
          axis: metric.axis,
          capacityLevel: { value: s.capacity, source: 'measured', note: '' },
          capacityPerSecond: { value: s.perSecond, source: 'measured', note: '' },
          latencyAtCapacityMs: s.latencyMs,
          coldStartMs: { value: 30_000, source: 'measured', note: '' },
          deployment: { name: 'model-a', ...(s.namespace ? { namespace: s.namespace } : {}), keda: { serverAddress: address, activationThreshold: 2 } },
        });
        const written = writeScaling(specText(s.runtime, s.gpu, s.prior, s.engine, address), scalingPatch(rec), 'mdl.config.yaml').text;
        const spec = resolveRaw(parseSpecText(written, 'mdl.config.yaml'), { filepath: 'mdl.config.yaml' });
        assert.equal(spec.scaling.metric.type, rec.metric.kind);
        assert.equal(spec.scaling.metric.series, rec.metric.prometheusMetric);
        const objects = renderManifests(spec, { namespace: s.namespace });
        if (s.engine === 'hpa') {
          const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
          assert.ok(hpa);
          assert.deepEqual((hpa.spec as { metrics: unknown[] }).metrics, [rec.hpaMetric]);
        } else {
          const so = objects.find((o) => o.kind === 'ScaledObject');
          assert.ok(so);
          assert.deepEqual((so.spec as { triggers: unknown[] }).triggers, [rec.kedaTrigger]);
          const query = (rec.kedaTrigger!.metadata as { query: string }).query;
          assert.ok(!query.includes('<'), `no placeholder left when the deployment is known: ${query}`);
          if (s.namespace) assert.ok(query.includes(`namespace="${s.namespace}"`), query);
        }
      }),
      { numRuns: 300 },
    );
  });
});
