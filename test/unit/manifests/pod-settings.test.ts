/** The spec's pod annotations and the rollout's progress deadline, as rendered and as refused. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MdlError } from '../../../src/errors.js';
import { deployment } from '../../../src/manifests/index.js';
import { parseSpecText, resolveRaw } from '../../../src/spec/index.js';

const FILE = 'mdl.config.yaml';
const BASE = 'name: sentiment\nimage: ghcr.io/acme/sentiment:1.4.2\n';

function load(text: string) {
  return resolveRaw(parseSpecText(text, FILE), { filepath: join('/specs', FILE), source: { filepath: FILE, prefix: [], text } });
}

function reject(text: string): MdlError {
  try {
    load(text);
  } catch (error) {
    assert.ok(error instanceof MdlError, String(error));
    assert.equal(error.exitCode, 2);
    return error;
  }
  assert.fail(`expected the spec to be rejected:\n${text}`);
}

interface RenderedDeployment {
  spec: { progressDeadlineSeconds?: number; template: { metadata: { annotations: Record<string, string> } } };
}
const render = (text: string) => deployment(load(text)) as unknown as RenderedDeployment;

describe('pod annotations', () => {
  it('are written on the pod template beside the scrape annotations', () => {
    const d = render(`${BASE}podAnnotations:\n  sidecar.istio.io/inject: "false"\n  cluster-autoscaler.kubernetes.io/safe-to-evict: "true"\n`);
    const a = d.spec.template.metadata.annotations;
    assert.equal(a['sidecar.istio.io/inject'], 'false');
    assert.equal(a['cluster-autoscaler.kubernetes.io/safe-to-evict'], 'true');
    assert.equal(a['prometheus.io/scrape'], 'true');
    assert.match(a['mdl.dev/spec-hash']!, /^[0-9a-f]{16}$/);
  });

  it('change the spec hash, so a new annotation rolls the pods as kubectl would', () => {
    const plain = render(BASE).spec.template.metadata.annotations['mdl.dev/spec-hash'];
    const annotated = render(`${BASE}podAnnotations: { team: search }\n`).spec.template.metadata.annotations['mdl.dev/spec-hash'];
    assert.notEqual(plain, annotated);
  });

  it('keep the spec hash when only what the autoscaler, the rollout or the budget reads changes, so tune --write rolls no pod', () => {
    const hash = (extra: string) => render(`${BASE}${extra}`).spec.template.metadata.annotations['mdl.dev/spec-hash'];
    const plain = hash('');
    assert.equal(hash('scaling: { minReplicas: 2, maxReplicas: 9, metric: { type: concurrency, target: 3 } }\n'), plain);
    assert.equal(hash('rollout: { maxSurge: 1, maxUnavailable: 0 }\ndisruption: { maxUnavailable: 2 }\n'), plain);
    assert.equal(hash('cost: { perReplicaHour: 4.1, currency: USD }\nslo: { p95: 80ms }\n'), plain);
    // What the container sees does change it.
    assert.notEqual(hash('env: { LOG_LEVEL: debug }\n'), plain);
    assert.notEqual(hash('resources: { cpu: "2", memory: 1Gi }\n'), plain);
  });

  it('refuse the annotations mdl sets itself, naming the key and what to set instead', () => {
    const e = reject(`${BASE}podAnnotations:\n  prometheus.io/port: "9090"\n`);
    assert.equal(e.message, 'invalid spec: mdl sets the pod annotation prometheus.io/port itself');
    assert.match(e.where ?? '', /podAnnotations\.prometheus\.io\/port/);
    assert.match(e.hint ?? '', /metrics\.port and metrics\.path/);
    assert.match(reject(`${BASE}podAnnotations: { mdl.dev/spec-hash: x }\n`).message, /mdl sets the pod annotation mdl\.dev\/spec-hash itself/);
  });

  it('every annotation the renderer writes itself is one the spec refuses, and no other is reserved', () => {
    const written = Object.keys(render(BASE).spec.template.metadata.annotations).sort();
    for (const key of written) assert.match(reject(`${BASE}podAnnotations: { ${key}: x }\n`).message, new RegExp(`mdl sets the pod annotation ${key.replace(/[./]/g, '\\$&')} itself`));
    assert.deepEqual(written, ['mdl.dev/spec-hash', 'prometheus.io/path', 'prometheus.io/port', 'prometheus.io/scrape']);
  });

  it('refuse a key Kubernetes would reject, and a value that is not a string', () => {
    const e = reject(`${BASE}podAnnotations: { "bad key": x }\n`);
    assert.match(e.message, /^invalid spec: the key "bad key" is not an annotation key: an optional DNS prefix and "\/"/);
    assert.match(e.where ?? '', /podAnnotations\.bad key/);
    assert.match(reject(`${BASE}podAnnotations: { a/b/c: x }\n`).message, /an annotation key/);
    assert.match(reject(`${BASE}podAnnotations: { enabled: true }\n`).message, /expected a string/);
  });
});

describe('rollout progress deadline', () => {
  it("leaves Kubernetes' 10 minutes implicit when a pod loads well within them", () => {
    // http preset: 2m load checked every 5s.
    assert.equal(render(BASE).spec.progressDeadlineSeconds, undefined);
  });

  it('outlasts a startup check that allows more than 10 minutes, so a slow load is not a failed rollout', () => {
    // 15m checked every 10s: 91 checks, 910 s, plus a minute for readiness and availability.
    const d = render(`${BASE}health: { startup: { maxLoadTime: 15m, period: 10s } }\n`);
    assert.equal(d.spec.progressDeadlineSeconds, 970);
  });

  it("is the spec's own when given", () => {
    assert.equal(render(`${BASE}rollout: { progressDeadline: 20m }\n`).spec.progressDeadlineSeconds, 1200);
    assert.equal(render(`${BASE}health: { startup: { maxLoadTime: 1s, period: 1s } }\nrollout: { progressDeadline: 5s }\n`).spec.progressDeadlineSeconds, 5);
  });

  it('is refused when it is not longer than the startup check lets a pod load', () => {
    const e = reject(`${BASE}rollout: { progressDeadline: 1m }\n`);
    // http preset: 2m load checked every 5s = 25 checks, 125 s.
    assert.match(e.message, /progressDeadline \(1m\) is not longer than the startup check lets a pod load \(125s\)/);
    assert.match(e.where ?? '', /rollout\.progressDeadline/);
    assert.match(e.hint ?? '', /health\.startup\.maxLoadTime/);
  });
});
