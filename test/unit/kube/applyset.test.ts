import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { APPLYSET_GROUP_KINDS, APPLYSET_ID, APPLYSET_PART_OF, applySetId, applySetParent, formatGroupKinds, parseGroupKinds, withApplySetLabel } from '../../../src/kube/applyset.js';
import { defaultSpecLocator } from '../../../src/kube/errors.js';
import { groupKind } from '../../../src/kube/types.js';

describe('ApplySet (KEP-3659)', () => {
  it('derives the ID from name.namespace.kind.group as base64url sha256 without padding', () => {
    const expected = createHash('sha256').update('mdl-applyset-web.ml.Secret.').digest('base64')
      .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    assert.equal(applySetId('mdl-applyset-web', 'ml'), `applyset-${expected}-v1`);
    assert.notEqual(applySetId('mdl-applyset-web', 'ml'), applySetId('mdl-applyset-web', 'other'));
  });

  it('labels members and records sorted, unique group kinds on the parent', () => {
    const parent = applySetParent('p', 'ns', ['HorizontalPodAutoscaler.autoscaling', 'Deployment.apps', 'Service', 'Deployment.apps']);
    assert.equal(parent.metadata.annotations![APPLYSET_GROUP_KINDS], 'Deployment.apps,HorizontalPodAutoscaler.autoscaling,Service');
    assert.equal(parent.metadata.labels![APPLYSET_ID], applySetId('p', 'ns'));
    const member = withApplySetLabel({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', labels: { app: 'x' } } }, 'id1');
    assert.deepEqual(member.metadata.labels, { app: 'x', [APPLYSET_PART_OF]: 'id1' });
    assert.deepEqual(parseGroupKinds(formatGroupKinds(['b', 'a'])), ['a', 'b']);
    assert.deepEqual(parseGroupKinds(undefined), []);
  });

  it('names group kinds as Kind.group, core kinds bare', () => {
    assert.equal(groupKind({ apiVersion: 'apps/v1', kind: 'Deployment' }), 'Deployment.apps');
    assert.equal(groupKind({ apiVersion: 'v1', kind: 'Service' }), 'Service');
    assert.equal(groupKind({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject' }), 'ScaledObject.keda.sh');
  });
});

describe('defaultSpecLocator', () => {
  it('maps manifest fields back to spec keys', () => {
    const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } };
    assert.equal(defaultSpecLocator(dep, 'spec.template.spec.containers[0].image'), 'image');
    assert.equal(defaultSpecLocator(dep, 'spec.template.spec.containers[0].resources.requests'), 'resources');
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' } };
    assert.equal(defaultSpecLocator(hpa, 'spec.maxReplicas'), 'scaling.maxReplicas');
    assert.equal(defaultSpecLocator(hpa, 'spec.whatever'), 'scaling');
    assert.equal(defaultSpecLocator(dep, 'spec.paused'), undefined);
  });
});

describe('describeRequest', () => {
  it("names a request in RBAC's words", async () => {
    const { describeRequest } = await import('../../../src/kube/client.js');
    assert.deepEqual(describeRequest('GET', '/apis/apps/v1/namespaces/ml/deployments?labelSelector=a%3Db'), { verb: 'list', resource: 'deployments', namespace: 'ml' });
    assert.deepEqual(describeRequest('GET', '/api/v1/namespaces/ml/pods/web-1'), { verb: 'get', resource: 'pods', namespace: 'ml' });
    assert.deepEqual(describeRequest('PATCH', '/apis/autoscaling/v2/namespaces/ml/horizontalpodautoscalers/web'), { verb: 'patch', resource: 'horizontalpodautoscalers', namespace: 'ml' });
    assert.deepEqual(describeRequest('GET', '/api/v1/namespaces/ml'), { verb: 'get', resource: 'namespaces', namespace: undefined });
    assert.deepEqual(describeRequest('DELETE', '/api/v1/nodes/n1'), { verb: 'delete', resource: 'nodes', namespace: undefined });
  });
});
