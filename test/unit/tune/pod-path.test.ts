import assert from 'node:assert/strict';
import { podPathOf } from '../../../src/tune/cluster-target.js';

describe('tune --cluster: the path the new pod is asked for its first answer', () => {
  it("takes the path after the API server's service proxy prefix, port name or not", () => {
    assert.equal(podPathOf('https://127.0.0.1:6443/api/v1/namespaces/ml/services/iris:http/proxy/v2/models/iris/infer'), '/v2/models/iris/infer');
    assert.equal(podPathOf('https://127.0.0.1:6443/api/v1/namespaces/ml/services/iris/proxy/predict?x=1'), '/predict?x=1');
    assert.equal(podPathOf('https://127.0.0.1:6443/api/v1/namespaces/ml/services/iris/proxy'), '/');
  });
  it('passes any other URL\'s path through (an ingress or a load balancer in front of the Service)', () => {
    assert.equal(podPathOf('http://127.0.0.1:8080/v2/models/iris/infer'), '/v2/models/iris/infer');
    assert.equal(podPathOf('https://models.example.com/api/v1/other/proxy/x'), '/api/v1/other/proxy/x');
  });
});
