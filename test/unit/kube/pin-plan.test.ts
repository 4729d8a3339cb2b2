import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  boundsOf, decodePinnedFrom, encodePinnedFrom, PinAnnotationError, pinnedFromOf, pinPatch, releasePatch, restorePatch,
  TUNE_FIELD_MANAGER, TUNE_PINNED_FROM_ANNOTATION, type AutoscalerKind,
} from '../../../src/kube/pin-plan.js';

const hpa = (spec: Record<string, unknown>, annotations?: Record<string, string>) => ({ metadata: { resourceVersion: '42', ...(annotations ? { annotations } : {}) }, spec });

describe('autoscaler pin plan', () => {
  it('reads the bounds of an HPA and of a ScaledObject, absent fields as null', () => {
    assert.deepEqual(boundsOf('HorizontalPodAutoscaler', hpa({ minReplicas: 2, maxReplicas: 10 })), { min: 2, max: 10 });
    assert.deepEqual(boundsOf('ScaledObject', hpa({ maxReplicaCount: 5 })), { min: null, max: 5 });
    assert.deepEqual(boundsOf('ScaledObject', hpa({ minReplicas: 3 })), { min: null, max: null });
  });

  it('encodes the record with the kind\'s own field names and decodes it back', () => {
    const text = encodePinnedFrom('HorizontalPodAutoscaler', { original: { min: 2, max: 10 }, replicas: 1, pinnedAt: '2026-01-02T03:04:05.000Z' });
    assert.deepEqual(JSON.parse(text), { minReplicas: 2, maxReplicas: 10, pinnedReplicas: 1, pinnedAt: '2026-01-02T03:04:05.000Z' });
    const keda = encodePinnedFrom('ScaledObject', { original: { min: null, max: 100 }, replicas: 3, pinnedAt: 't' });
    assert.deepEqual(JSON.parse(keda), { minReplicaCount: null, maxReplicaCount: 100, pinnedReplicas: 3, pinnedAt: 't' });
  });

  it('round-trips any bounds (property)', () => {
    const bound = fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: null });
    fc.assert(fc.property(fc.constantFrom<AutoscalerKind>('HorizontalPodAutoscaler', 'ScaledObject'), bound, bound, fc.integer({ min: 1, max: 500 }), (kind, min, max, replicas) => {
      if (kind === 'HorizontalPodAutoscaler' && max === null) return;
      const record = { original: { min, max }, replicas, pinnedAt: 'now' };
      assert.deepEqual(decodePinnedFrom(kind, encodePinnedFrom(kind, record)), record);
    }));
  });

  it('rejects annotations it did not write', () => {
    assert.throws(() => decodePinnedFrom('HorizontalPodAutoscaler', 'not json'), PinAnnotationError);
    assert.throws(() => decodePinnedFrom('HorizontalPodAutoscaler', '[1,2]'), PinAnnotationError);
    assert.throws(() => decodePinnedFrom('HorizontalPodAutoscaler', '{"minReplicas":2}'), /needs maxReplicas/);
    assert.throws(() => decodePinnedFrom('HorizontalPodAutoscaler', '{"minReplicas":2.5,"maxReplicas":3}'), /not a whole number/);
    assert.throws(() => decodePinnedFrom('ScaledObject', '{"minReplicas":2,"maxReplicas":3}'), /neither minReplicaCount nor maxReplicaCount/);
  });

  it('finds the record on an object, or none', () => {
    assert.equal(pinnedFromOf('HorizontalPodAutoscaler', hpa({ minReplicas: 1, maxReplicas: 1 })), null);
    const pinned = hpa({ minReplicas: 1, maxReplicas: 1 }, { [TUNE_PINNED_FROM_ANNOTATION]: '{"minReplicas":2,"maxReplicas":6,"pinnedReplicas":1,"pinnedAt":"t"}' });
    assert.deepEqual(pinnedFromOf('HorizontalPodAutoscaler', pinned), { original: { min: 2, max: 6 }, replicas: 1, pinnedAt: 't' });
  });

  it('pins min = max with the record in the same patch, guarded by the resourceVersion', () => {
    const record = { original: { min: 2, max: 6 }, replicas: 3, pinnedAt: 't' };
    assert.deepEqual(pinPatch('HorizontalPodAutoscaler', '42', 3, record), {
      metadata: { resourceVersion: '42', annotations: { [TUNE_PINNED_FROM_ANNOTATION]: encodePinnedFrom('HorizontalPodAutoscaler', record) } },
      spec: { minReplicas: 3, maxReplicas: 3 },
    });
    // A re-pin (cold start's N + 1) leaves the record alone.
    assert.deepEqual(pinPatch('ScaledObject', '7', 4), { metadata: { resourceVersion: '7' }, spec: { minReplicaCount: 4, maxReplicaCount: 4 } });
  });

  it('restores the original bounds, removing fields that were absent, and drops the annotation', () => {
    assert.deepEqual(restorePatch('ScaledObject', '9', { min: null, max: 20 }), {
      metadata: { resourceVersion: '9', annotations: { [TUNE_PINNED_FROM_ANNOTATION]: null } },
      spec: { minReplicaCount: null, maxReplicaCount: 20 },
    });
  });

  it('releases mdl-tune\'s managedFields entries, highest index first, each tested by name', () => {
    const obj = {
      metadata: {
        resourceVersion: '11',
        managedFields: [{ manager: 'mdl', operation: 'Apply' }, { manager: TUNE_FIELD_MANAGER, operation: 'Update' }, { manager: 'kube-controller-manager', operation: 'Update' }, { manager: TUNE_FIELD_MANAGER, operation: 'Update', subresource: '' }],
      },
    };
    assert.deepEqual(releasePatch(obj), [
      { op: 'test', path: '/metadata/resourceVersion', value: '11' },
      { op: 'test', path: '/metadata/managedFields/3/manager', value: TUNE_FIELD_MANAGER },
      { op: 'remove', path: '/metadata/managedFields/3' },
      { op: 'test', path: '/metadata/managedFields/1/manager', value: TUNE_FIELD_MANAGER },
      { op: 'remove', path: '/metadata/managedFields/1' },
    ]);
    assert.equal(releasePatch({ metadata: { managedFields: [{ manager: 'mdl' }] } }), null);
    // Removing every entry would make the server rebuild them: left alone.
    assert.equal(releasePatch({ metadata: { managedFields: [{ manager: TUNE_FIELD_MANAGER }] } }), null);
  });
});

describe('exactly N ready replicas', () => {
  const counts = { desired: 2, current: 2, updated: 2, ready: 2, endpoints: 2 as number | undefined, settled: true };
  it('holds only when the Deployment, its pods and the Service endpoints all say N', async () => {
    const { hasExactly } = await import('../../../src/kube/pin.js');
    assert.equal(hasExactly(counts, 2), true);
    assert.equal(hasExactly({ ...counts, endpoints: undefined }, 2), true, 'no Service: pods alone');
    assert.equal(hasExactly(counts, 1), false);
    assert.equal(hasExactly({ ...counts, current: 3 }, 2), false, 'a third pod still exists');
    assert.equal(hasExactly({ ...counts, ready: 1 }, 2), false);
    assert.equal(hasExactly({ ...counts, updated: 1 }, 2), false, 'a rollout is under way');
    assert.equal(hasExactly({ ...counts, endpoints: 1 }, 2), false, 'the Service does not route to both yet');
    assert.equal(hasExactly({ ...counts, settled: false }, 2), false, 'the controller has not seen the latest spec');
  });
});
