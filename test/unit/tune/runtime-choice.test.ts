import assert from 'node:assert/strict';
import { chooseRuntime } from '../../../src/tune/runtime-choice.js';
import { metricFor } from '../../../src/tune/recommend.js';

describe('tune: the protocol implies the runtime unless --runtime says otherwise', () => {
  it('--protocol openai is an LLM server: the openai runtime, searched on concurrency', () => {
    const c = chooseRuntime({ protocol: 'openai' });
    assert.deepEqual(c, { runtime: 'openai', from: 'protocol' });
    assert.equal(metricFor(c.runtime).axis, 'concurrency');
  });

  it('kserve-v2 gets the kserve-v2 preset; plain http stays http', () => {
    assert.deepEqual(chooseRuntime({ protocol: 'kserve-v2' }), { runtime: 'kserve-v2', from: 'protocol' });
    assert.deepEqual(chooseRuntime({ protocol: 'http' }), { runtime: 'http', from: 'protocol' });
    assert.deepEqual(chooseRuntime({}), { runtime: 'http', from: 'default' });
  });

  it("keeps a spec's runtime that speaks the protocol, replaces one that does not", () => {
    assert.deepEqual(chooseRuntime({ protocol: 'openai', specRuntime: 'vllm' }), { runtime: 'vllm', from: 'spec' });
    assert.deepEqual(chooseRuntime({ protocol: 'kserve-v2', specRuntime: 'triton' }), { runtime: 'triton', from: 'spec' });
    assert.deepEqual(chooseRuntime({ protocol: 'openai', specRuntime: 'http' }), { runtime: 'openai', from: 'protocol' });
    assert.deepEqual(chooseRuntime({ specRuntime: 'tgi' }), { runtime: 'tgi', from: 'spec' });
  });

  it('--runtime wins over everything', () => {
    assert.deepEqual(chooseRuntime({ flagRuntime: 'http', protocol: 'openai', specRuntime: 'vllm' }), { runtime: 'http', from: 'flag' });
  });
});
