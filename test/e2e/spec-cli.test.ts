/** The built CLI as a user runs it: init, validate, render, schema, and bad input. Needs `npm run build`. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = join(import.meta.dirname, '../..');
const RUN = join(ROOT, 'bin', 'run.js');

function mdl(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [RUN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true', DEBUG: '' }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('mdl init / validate / render / schema (built CLI)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    assert.ok(existsSync(join(ROOT, 'dist', 'commands', 'render.js')), 'run `npm run build` first');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mdl-e2e-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('init writes a commented spec that validates and renders', () => {
    const init = mdl(dir, 'init', '--runtime', 'vllm', '--name', 'chat', '--image', 'vllm/vllm-openai:v0.11.0');
    assert.equal(init.code, 0, init.stderr);
    assert.equal(init.stdout, '');
    const text = readFileSync(join(dir, 'mdl.config.yaml'), 'utf8');
    assert.match(text, /^# yaml-language-server: \$schema=\.\/\.mdl\/mdl\.config\.schema\.json\n/);
    assert.match(text, /^name: chat$/m);
    assert.ok(existsSync(join(dir, '.mdl', 'mdl.config.schema.json')));

    const validate = mdl(dir, 'validate');
    assert.equal(validate.code, 0, validate.stderr);
    assert.match(validate.stderr, /mdl\.config\.yaml \(env prod\)/);

    const render = mdl(dir, 'render');
    assert.equal(render.code, 0, render.stderr);
    const docs = parseAllDocuments(render.stdout).map((d) => d.toJS() as { kind: string; spec: Record<string, unknown> });
    assert.deepEqual(docs.map((d) => d.kind), ['PodDisruptionBudget', 'Service', 'Deployment', 'HorizontalPodAutoscaler']);
    assert.equal(docs[2]!.spec.replicas, undefined, 'the HPA owns the replica count');
    assert.equal(mdl(dir, 'render').stdout, render.stdout, 'byte-identical output');
  });

  it('init refuses to overwrite without --force', () => {
    assert.equal(mdl(dir, 'init').code, 0);
    const again = mdl(dir, 'init');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /mdl\.config\.yaml already exists/);
    assert.match(again.stderr, /--force/);
    assert.equal(mdl(dir, 'init', '--force', '--runtime', 'triton').code, 0);
    assert.match(readFileSync(join(dir, 'mdl.config.yaml'), 'utf8'), /runtime: triton/);
  });

  it('render writes one file per object, in JSON when asked, and a JSON result with --json', () => {
    mdl(dir, 'init', '--runtime', 'kserve-v2', '--name', 'sentiment');
    const out = mdl(dir, 'render', '--env', 'prod', '--out-dir', 'k8s', '-o', 'json');
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(readdirSync(join(dir, 'k8s')).sort(), [
      'deployment-sentiment.json',
      'horizontalpodautoscaler-sentiment.json',
      'metrics-pipeline',
      'poddisruptionbudget-sentiment.json',
      'service-sentiment.json',
    ]);
    // What Prometheus and the adapter need, beside the manifests but out of `kubectl apply -f k8s`'s way.
    assert.deepEqual(readdirSync(join(dir, 'k8s', 'metrics-pipeline')).sort(), ['podmonitor-sentiment.json', 'prometheus-adapter-rules-sentiment.json']);
    const monitor = JSON.parse(readFileSync(join(dir, 'k8s', 'metrics-pipeline', 'podmonitor-sentiment.json'), 'utf8')) as { spec: { podMetricsEndpoints: { port: string }[] } };
    assert.deepEqual(monitor.spec.podMetricsEndpoints, [{ port: 'metrics', path: '/metrics' }], "MLServer's metrics port, not the inference port");
    const rules = JSON.parse(readFileSync(join(dir, 'k8s', 'metrics-pipeline', 'prometheus-adapter-rules-sentiment.json'), 'utf8')) as { rules: { name: { as: string } }[] };
    assert.equal(rules.rules[0]!.name.as, 'rest_server_requests_in_progress');
    assert.match(out.stderr, /metrics-pipeline\/podmonitor-sentiment\.json/);
    const hpa = JSON.parse(readFileSync(join(dir, 'k8s', 'horizontalpodautoscaler-sentiment.json'), 'utf8')) as { spec: { minReplicas: number } };
    assert.equal(hpa.spec.minReplicas, 2);
    const json = mdl(dir, 'render', '--json');
    assert.equal(json.code, 0);
    const doc = JSON.parse(json.stdout) as { objects: { kind: string }[] };
    assert.equal(doc.objects.length, 4);
  });

  it('bad specs exit 2 with file:line:column and no stack trace', () => {
    writeFileSync(join(dir, 'mdl.config.yaml'), 'name: chat\nimage: x:1\nscaling:\n  minReplicas: 4\n  maxReplicas: 2\n');
    const r = mdl(dir, 'render');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /minReplicas \(4\) is above maxReplicas \(2\)/);
    assert.match(r.stderr, /at mdl\.config\.yaml:4:3 scaling\.minReplicas/);
    assert.doesNotMatch(r.stderr, /\n\s+at .*\.js:\d+/);

    writeFileSync(join(dir, 'mdl.config.yaml'), 'name: chat\n image: [\n');
    const y = mdl(dir, 'validate', '--json');
    assert.equal(y.code, 2);
    const err = JSON.parse(y.stdout) as { error: { message: string; exitCode: number; where: string } };
    assert.equal(err.error.exitCode, 2);
    assert.match(err.error.where, /^mdl\.config\.yaml:\d+:\d+$/);

    writeFileSync(join(dir, 'mdl.config.yaml'), 'name: chat\n');
    const noImage = mdl(dir, 'render');
    assert.equal(noImage.code, 2);
    assert.match(noImage.stderr, /the spec has no image, which the manifests need/);
    assert.equal(mdl(dir, 'validate').code, 2);

    writeFileSync(join(dir, 'mdl.config.yaml'), 'name: chat\nimage: x:1\n');
    const env = mdl(dir, 'render', '--env', 'prod');
    assert.equal(env.code, 2);
    assert.match(env.stderr, /unknown environment "prod"/);
    assert.equal(mdl(dir, 'render', '--format', 'xml').code, 2);
  });

  it('output piped into a reader that stops early (| head) ends quietly with exit 0', () => {
    // Help is written line by line, so the writes after head has gone meet a closed pipe (EPIPE);
    // pipefail reports mdl's own exit code.
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${RUN}" render --help | head -c 6`], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.stdout, 'Render');
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /Warning|Error|EPIPE/);
  });

  it('no spec found: exit 2 and a pointer to mdl init', () => {
    const r = mdl(dir, 'render');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no mdl spec found/);
    assert.match(r.stderr, /mdl init/);
  });

  it('schema prints the JSON Schema of the spec', () => {
    const r = mdl(dir, 'schema');
    assert.equal(r.code, 0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown>; required: string[] };
    assert.ok(schema.properties.scaling);
    assert.deepEqual(schema.required, ['name']);
  });
});
