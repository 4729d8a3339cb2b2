import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { renderInitTemplate } from '../../../src/spec/init.js';
import { RUNTIMES } from '../../../src/spec/schema.js';

describe('mdl init --name: the model name reaches loadtest where the server routes by it', () => {
  const spec = (runtime: (typeof RUNTIMES)[number]) =>
    parse(renderInitTemplate(runtime, 'iris', 'ghcr.io/acme/iris:1', './s.json')) as { name: string; loadtest: { model?: string; path?: string } };

  it('loadtest.model is the name for the runtimes that take a model name', () => {
    for (const runtime of ['vllm', 'triton', 'kserve-v2', 'openai'] as const) assert.equal(spec(runtime).loadtest.model, 'iris', runtime);
  });

  it("TorchServe's predictions path carries the name; TGI keeps its fixed model field", () => {
    assert.equal(spec('torchserve').loadtest.path, '/predictions/iris');
    assert.equal(spec('tgi').loadtest.model, 'tgi');
  });

  it('no runtime template keeps the placeholder model name', () => {
    for (const runtime of RUNTIMES) {
      const text = renderInitTemplate(runtime, 'iris', 'ghcr.io/acme/iris:1', './s.json');
      assert.doesNotMatch(text, /my-model|\{\{name\}\}/, runtime);
    }
  });
});
