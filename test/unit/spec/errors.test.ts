/** What a user reads when the spec is wrong: file:line:column, key path, what was expected, what to do. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MdlError } from '../../../src/errors.js';
import { parseSpecText, resolveRaw } from '../../../src/spec/index.js';

const FILE = 'mdl.config.yaml';

function reject(text: string, env?: string): MdlError {
  try {
    const raw = parseSpecText(text, FILE);
    resolveRaw(raw, { filepath: join('/specs', FILE), env, source: { filepath: FILE, prefix: [], text } });
  } catch (error) {
    assert.ok(error instanceof MdlError, `expected MdlError, got ${error instanceof Error ? error.stack : String(error)}`);
    assert.equal(error.exitCode, 2);
    return error;
  }
  assert.fail(`expected the spec to be rejected:\n${text}`);
}

const BASE = 'name: sentiment\nimage: ghcr.io/acme/sentiment:1.4.2\n';

describe('spec errors', () => {
  it('reports invalid YAML with its position', () => {
    const e = reject('name: a\nimage: [unclosed\n');
    assert.match(e.message, /mdl\.config\.yaml is not valid YAML/);
    assert.match(e.where ?? '', /^mdl\.config\.yaml:\d+:\d+$/);
  });

  it('names an unknown key, its position and the nearest known key', () => {
    const e = reject(`${BASE}scaling:\n  minReplicas: 1\n  maxReplica: 4\n`);
    assert.equal(e.message, 'invalid spec: unknown key "maxReplica"');
    assert.equal(e.where, 'mdl.config.yaml:5:3 scaling.maxReplica');
    assert.equal(e.hint, 'Did you mean "maxReplicas"?');
  });

  it("names a map's key that has the wrong form and what the key must be", () => {
    const e = reject(`${BASE}env: { "1BAD": x }\n`);
    assert.equal(e.message, 'invalid spec: the key "1BAD" is not an environment variable name');
  });

  it('lists the known keys when nothing is close', () => {
    const e = reject(`${BASE}slo: { zzzzzz: 1s }\n`);
    assert.match(e.hint ?? '', /Known keys here: p50, p90, p95, p99, errorRate/);
  });

  it('says what type was expected and what was found', () => {
    const e = reject(`${BASE}scaling:\n  maxReplicas: ten\n`);
    assert.equal(e.message, 'invalid spec: expected a number, got the string "ten"');
    assert.equal(e.where, 'mdl.config.yaml:4:3 scaling.maxReplicas');
  });

  it('asks for units on durations, rates and percentages', () => {
    assert.match(reject(`${BASE}slo: { p95: 300 }\n`).message, /expected a duration such as 300ms/);
    assert.match(reject(`${BASE}slo: { errorRate: 0.01 }\n`).message, /expected a percentage such as 1%/);
    assert.match(reject(`${BASE}traffic: { baseline: fast, peak: 10rps }\n`).message, /expected a rate such as 20rps/);
    assert.match(reject(`${BASE}resources: { memory: 4GB }\n`).message, /expected a Kubernetes quantity/);
  });

  it('reports a missing required key', () => {
    const e = reject('image: ghcr.io/acme/sentiment:1.4.2\n');
    assert.match(e.message, /missing required key "name"/);
  });

  it('rejects minReplicas above maxReplicas at the minReplicas line', () => {
    const e = reject(`${BASE}scaling:\n  maxReplicas: 2\n  minReplicas: 5\n`);
    assert.match(e.message, /minReplicas \(5\) is above maxReplicas \(2\)/);
    assert.equal(e.where, 'mdl.config.yaml:5:3 scaling.minReplicas');
  });

  it('rejects scale to zero without KEDA, and KEDA on cpu at zero', () => {
    assert.match(reject(`${BASE}scaling: { minReplicas: 0, maxReplicas: 3 }\n`).message, /needs engine: keda/);
    const e = reject(`${BASE}scaling: { minReplicas: 0, maxReplicas: 3, engine: keda, metric: { type: cpu, target: 70% } }\n`);
    assert.match(e.message, /KEDA cannot scale to zero on cpu/);
    assert.match(e.where ?? '', / scaling\.metric\.type$/);
  });

  it('rejects GPU settings without GPUs, and a gpu metric without GPUs', () => {
    assert.match(reject(`${BASE}resources: { gpuResource: amd.com/gpu }\n`).message, /no GPUs are requested/);
    assert.match(reject(`${BASE}scaling: { maxReplicas: 3, metric: { type: gpu, target: 80% } }\n`).message, /needs GPUs/);
  });

  it('rejects a cpu or memory utilization target without the matching request', () => {
    const e = reject(`${BASE}scaling: { maxReplicas: 3, metric: { type: memory, target: 80% } }\n`);
    assert.match(e.message, /memory utilization is measured against the memory request, but resources\.memory is not set/);
    assert.match(e.where ?? '', / scaling\.metric\.type$/);
  });

  it('takes stabilization as a duration or in seconds, not both', () => {
    const e = reject(`${BASE}scaling: { maxReplicas: 3, behavior: { scaleDown: { stabilization: 5m, stabilizationSeconds: 300 } } }\n`);
    assert.match(e.message, /both stabilization and stabilizationSeconds are set/);
  });

  it('rejects limits below requests and a rollout that cannot progress', () => {
    assert.match(reject(`${BASE}resources: { memory: 4Gi, limits: { memory: 1Gi } }\n`).message, /memory limit 1Gi is below the request 4Gi/);
    assert.match(reject(`${BASE}rollout: { maxSurge: 0, maxUnavailable: 0 }\n`).message, /could never progress/);
  });

  it('suggests the nearest runtime and enum value', () => {
    const e = reject(`${BASE}runtime: vlm\n`);
    assert.equal(e.message, 'invalid spec: unknown runtime "vlm"');
    assert.equal(e.where, 'mdl.config.yaml:3:1 runtime');
    assert.match(e.hint ?? '', /Did you mean "vllm"\?/);
    const m = reject(`${BASE}scaling: { maxReplicas: 3, metric: { type: conccurency, target: 3 } }\n`);
    assert.match(m.hint ?? '', /Did you mean "concurrency"\?/);
  });

  it('names an unknown environment and the ones that exist', () => {
    const e = reject(`${BASE}environments:\n  prod: { scaling: { minReplicas: 2, maxReplicas: 4 } }\n`, 'prd');
    assert.equal(e.message, 'unknown environment "prd"');
    assert.match(e.hint ?? '', /Did you mean "prod"\? Environments in the spec: prod\./);
  });

  it('points at the overlay when the environment introduced the problem', () => {
    const e = reject(`${BASE}scaling: { minReplicas: 1, maxReplicas: 4 }\nenvironments:\n  prod:\n    scaling: { maxReplicaz: 9 }\n`, 'prod');
    assert.equal(e.where, 'mdl.config.yaml:6:16 scaling.maxReplicaz');
  });

  it('lists several problems in file order', () => {
    const e = reject(`${BASE}resourcs: {}\nscaling: { maxReplicas: x }\n`);
    const lines = e.message.split('\n');
    assert.match(lines[0]!, /2 problems/);
    assert.match(lines[1]!, /mdl\.config\.yaml:3:1 resourcs: unknown key/);
    assert.match(lines[3]!, /mdl\.config\.yaml:4:12 scaling\.maxReplicas: expected a number/);
  });

  it('rejects a spec that is not a mapping', () => {
    assert.match(reject('- a\n- b\n').message, /does not hold a spec/);
  });
});
