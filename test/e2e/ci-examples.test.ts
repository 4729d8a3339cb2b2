import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { spawn, type ChildProcess } from 'node:child_process';
import { readYaml, runGithubSteps, runGitlabJob, runWorkflowJob, type GithubStep } from '../support/ci-pipeline.js';

const GITHUB = resolve('examples/ci/github');
const GITLAB = resolve('examples/ci/gitlab/mdl.gitlab-ci.yml');
const ACTION = resolve('action.yml');
const REPLICA = resolve('test/fixtures/replica-server.mjs');
/** Installing mdl from the registry is what these steps do; here `mdl` is this checkout's build on PATH. */
const SKIP = ['install'];
/** Short runs: the pipelines' own durations are for real pipelines. */
const SHORT = { RATE: '20', DURATION: '2s' };

function writeSpec(dir: string): string {
  const spec = join(dir, 'mdl.config.yaml');
  writeFileSync(
    spec,
    `# fixture model for the CI examples
name: fx
image: example.invalid/fx:1
runtime: http
health:
  readiness: { path: /health }
scaling:
  minReplicas: 1
  maxReplicas: 3
  metric: { type: rps, target: 10rps }
slo: { p95: 400ms, errorRate: 1% }
traffic: { baseline: 20rps, peak: 200rps, ramp: 2m }
local:
  command: node ${REPLICA} --port {port}
loadtest:
  path: /work?ms=5
`,
  );
  return spec;
}

function failed(run: { steps: { step: string; code: number; stdout: string; stderr: string }[] }): string {
  return run.steps
    .filter((s) => s.code !== 0)
    .map((s) => `${s.step} exited ${s.code}: ${s.stderr}${s.stdout.slice(-2000)}`)
    .join('\n');
}

describe('example CI pipelines run as written (built CLI, local runtime)', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mdl-ci-'));
    writeSpec(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('pull-request gate: validates, renders, and writes the comment (no KUBECONFIG secret: the diff says it was not run)', () => {
    const run = runWorkflowJob(join(GITHUB, 'pr-gate.yml'), 'gate', { cwd: dir, skip: SKIP, secrets: {} });
    assert.equal(run.code, 0, failed(run));
    const manifests = readFileSync(join(dir, 'mdl-out/manifests.yaml'), 'utf8');
    assert.match(manifests, /^kind: Deployment$/m);
    assert.match(manifests, /^kind: HorizontalPodAutoscaler$/m);
    const comment = readFileSync(join(dir, 'mdl-out/comment.md'), 'utf8');
    assert.match(comment, /spec and manifests valid/);
    assert.match(comment, /\d+ objects rendered/);
    assert.match(comment, /cluster diff not run: no KUBECONFIG secret/);
    assert.match(comment, /scaling settings not checked: no `mdl\/tune-result\.json`/);
    assert.equal(run.summary, comment);
  });

  it('pull-request gate with a kept TuneResult: passes while the settings keep the SLO, fails the job with 99 once they do not', () => {
    // The TuneResult of a real mdl tune --local run and its spec (test/e2e/tune-check.test.ts says how it was made).
    const spec = readFileSync(resolve('test/fixtures/tune-check/mdl.config.yaml'), 'utf8');
    mkdirSync(join(dir, 'mdl'));
    copyFileSync(resolve('test/fixtures/tune-check/tune-result.json'), join(dir, 'mdl/tune-result.json'));
    writeFileSync(join(dir, 'mdl.config.yaml'), spec.replace('minReplicas: 2', 'minReplicas: 4'));
    const keeps = runWorkflowJob(join(GITHUB, 'pr-gate.yml'), 'gate', { cwd: dir, skip: SKIP, secrets: {} });
    assert.equal(keeps.code, 0, failed(keeps));
    assert.match(readFileSync(join(dir, 'mdl-out/comment.md'), 'utf8'), /scaling settings keep the SLO on the capacity in `mdl\/tune-result\.json`/);
    assert.equal(JSON.parse(readFileSync(join(dir, 'mdl-out/check.json'), 'utf8')).passed, true);

    writeFileSync(join(dir, 'mdl.config.yaml'), spec.replace('maxReplicas: 10', 'maxReplicas: 2'));
    const regressed = runWorkflowJob(join(GITHUB, 'pr-gate.yml'), 'gate', { cwd: dir, skip: SKIP, secrets: {} });
    assert.equal(regressed.code, 99, failed(regressed));
    const comment = readFileSync(join(dir, 'mdl-out/comment.md'), 'utf8');
    assert.match(comment, /\*\*scaling settings no longer keep the SLO\*\*: the current settings no longer keep p95 < 100 ms: \d+ s over it/);
    assert.match(regressed.steps.map((s) => s.stdout).join(''), /::error title=mdl tune --check::/);

    const gitlab = runGitlabJob(GITLAB, 'mdl-pr-gate', { cwd: dir });
    assert.equal(gitlab.code, 99, failed(gitlab));
    assert.match(readFileSync(join(dir, 'mdl-out/comment.md'), 'utf8'), /scaling settings no longer keep the SLO/);
  });

  it('pull-request gate fails the job on a spec that does not validate (exit 2), before rendering', () => {
    writeFileSync(join(dir, 'mdl.config.yaml'), 'name: fx\nimage: x:1\nscaling: { minReplicas: 5, maxReplicas: 2 }\n');
    const run = runWorkflowJob(join(GITHUB, 'pr-gate.yml'), 'gate', { cwd: dir, skip: SKIP });
    assert.equal(run.code, 2);
    assert.equal(existsSync(join(dir, 'mdl-out/manifests.yaml')), false);
  });

  it('performance gate: passes with JUnit and a step summary, and fails the job with 99 on a breached threshold', () => {
    const pass = runWorkflowJob(join(GITHUB, 'performance-gate.yml'), 'loadtest', {
      cwd: dir,
      skip: SKIP,
      env: { ...SHORT, THRESHOLDS: 'p95<5s,error_rate<1%' },
    });
    assert.equal(pass.code, 0, failed(pass));
    const junit = readFileSync(join(dir, 'mdl-out/loadtest.junit.xml'), 'utf8');
    // The two thresholds given and the spec's two SLO criteria.
    assert.match(junit, /tests="4" failures="0"/);
    assert.match(junit, /name="p95&lt;5s"/);
    assert.match(pass.summary, /p95/);
    assert.equal(JSON.parse(readFileSync(join(dir, 'mdl-out/loadtest.json'), 'utf8')).requests.failed, 0);

    const breach = runWorkflowJob(join(GITHUB, 'performance-gate.yml'), 'loadtest', {
      cwd: dir,
      skip: SKIP,
      env: { ...SHORT, THRESHOLDS: 'rps>=100000' },
    });
    assert.equal(breach.code, 99, failed(breach));
    assert.match(readFileSync(join(dir, 'mdl-out/loadtest.junit.xml'), 'utf8'), /<failure /);
    assert.match(breach.steps.map((s) => s.stdout).join(''), /::error title=mdl loadtest::/);
  });

  describe('against a server of known capacity', () => {
    // In a process of its own: the steps run synchronously here, which would stall a server in this one.
    let server: { url: string; child: ChildProcess };
    before(async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/capacity-server.ts', '--slots', '4', '--service-ms', '40', '--port', '0'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const url = await new Promise<string>((done, fail) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const found = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
          if (found) done(found[0]);
        });
        child.on('exit', (code) => fail(new Error(`capacity server exited ${code}`)));
      });
      server = { url, child };
    });
    after(() => {
      server?.child.kill();
    });

    it('nightly tune: keeps the TuneResult, the report and the suggested spec change', () => {
      const run = runWorkflowJob(join(GITHUB, 'nightly-tune.yml'), 'tune', {
        cwd: dir,
        skip: SKIP,
        env: { MDL_URL: server.url, TUNE_ARGS: '--window 1s' },
      });
      assert.equal(run.code, 0, failed(run));
      const result = JSON.parse(readFileSync(join(dir, 'mdl-out/tune.json'), 'utf8'));
      assert.equal(result.schemaVersion, 2);
      assert.match(readFileSync(join(dir, 'mdl-out/tune.html'), 'utf8'), /<svg /);
      const patch = readFileSync(join(dir, 'mdl-out/spec-change.patch'), 'utf8');
      assert.match(patch, /^--- a\/mdl\.config\.yaml$/m);
      assert.match(patch, /^\+.*target: /m, 'the patch carries the recommended target');
      assert.match(run.summary, /```diff/);
    });

    it('GitLab nightly tune job: the same artifacts', () => {
      const run = runGitlabJob(GITLAB, 'mdl-nightly-tune', { cwd: dir, env: { MDL_URL: server.url, TUNE_ARGS: '--window 1s' } });
      assert.equal(run.code, 0, failed(run));
      assert.equal(JSON.parse(readFileSync(join(dir, 'mdl-out/tune.json'), 'utf8')).schemaVersion, 2);
      assert.match(readFileSync(join(dir, 'mdl-out/spec-change.patch'), 'utf8'), /^\+.*target: /m);
    });
  });

  it('GitLab pull-request gate and performance gate jobs', () => {
    const gate = runGitlabJob(GITLAB, 'mdl-pr-gate', { cwd: dir });
    assert.equal(gate.code, 0, failed(gate));
    assert.match(readFileSync(join(dir, 'mdl-out/comment.md'), 'utf8'), /cluster diff not run/);
    assert.match(readFileSync(join(dir, 'mdl-out/comment.md'), 'utf8'), /scaling settings not checked/);
    const breach = runGitlabJob(GITLAB, 'mdl-performance-gate', { cwd: dir, env: { ...SHORT, THRESHOLDS: 'rps>=100000' } });
    assert.equal(breach.code, 99, failed(breach));
    assert.match(readFileSync(join(dir, 'mdl-out/loadtest.junit.xml'), 'utf8'), /<failure /);
  });

  it("action.yml's mdl step: the result file and the exit status as outputs, thresholds as --threshold", () => {
    const action = readYaml<{ inputs: Record<string, { default?: string }>; runs: { steps: GithubStep[] } }>(ACTION);
    const defaults = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? '']));
    const ok = runGithubSteps(action.runs.steps, {}, {
      cwd: dir,
      skip: SKIP,
      inputs: { ...defaults, command: 'validate', config: 'mdl.config.yaml' },
    });
    assert.equal(ok.code, 0, failed(ok));
    assert.equal(ok.outputs['exit-code'], '0');
    assert.equal(ok.outputs['result-file'], 'mdl-result.json');
    assert.equal(JSON.parse(readFileSync(join(dir, 'mdl-result.json'), 'utf8')).valid, true);

    const breach = runGithubSteps(action.runs.steps, {}, {
      cwd: dir,
      skip: SKIP,
      inputs: { ...defaults, command: 'loadtest --local --rate 20 --duration 1s', thresholds: 'p95<5s\nrps>=100000', 'result-file': 'out/lt.json' },
    });
    assert.equal(breach.code, 99, failed(breach));
    assert.equal(breach.outputs['exit-code'], '99');
    const result = JSON.parse(readFileSync(join(dir, 'out/lt.json'), 'utf8'));
    // The given thresholds, after them the spec's SLO.
    assert.deepEqual(
      result.thresholds.slice(0, 2).map((t: { expression: string; passed: boolean }) => [t.expression, t.passed]),
      [
        ['p95<5s', true],
        ['rps>=100000', false],
      ],
    );
  });
});

const PINNED = /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/;

function expressions(text: string): string[] {
  return [...text.matchAll(/\$\{\{\s*(.*?)\s*\}\}/g)].map((m) => m[1]!);
}

describe('CI files: structure', () => {
  const workflows = readdirSync(GITHUB).filter((f) => f.endsWith('.yml'));

  it('there are the three example workflows', () => {
    assert.deepEqual(workflows.sort(), ['nightly-tune.yml', 'performance-gate.yml', 'pr-gate.yml']);
  });

  for (const file of workflows) {
    it(`${file}: on, jobs with runs-on and steps; uses pinned to a commit; no expression inside run:`, () => {
      const workflow = readYaml<Record<string, unknown>>(join(GITHUB, file));
      assert.equal(typeof workflow.name, 'string');
      assert.ok(workflow.on, 'on: is missing');
      assert.ok(workflow.permissions, 'permissions: should be explicit');
      const jobs = workflow.jobs as Record<string, { 'runs-on'?: string; steps?: GithubStep[] }>;
      assert.ok(Object.keys(jobs).length > 0);
      for (const [name, job] of Object.entries(jobs)) {
        assert.equal(typeof job['runs-on'], 'string', `${name}: runs-on`);
        assert.ok(job.steps && job.steps.length > 0, `${name}: steps`);
        for (const step of job.steps) {
          assert.ok((step.uses === undefined) !== (step.run === undefined), `${name}: a step has exactly one of uses/run`);
          if (step.uses) assert.match(step.uses, PINNED, `${name}: ${step.uses} is not pinned to a commit`);
          if (step.run) assert.deepEqual(expressions(step.run), [], `${name}: ${step.name}: values go through env:`);
          for (const value of Object.values(step.env ?? {})) for (const e of expressions(String(value))) assert.match(e, /^secrets\.[A-Z_]+$/);
        }
      }
    });
  }

  it('action.yml: a composite action whose expressions name declared inputs and step ids', () => {
    const action = readYaml<{
      name: string;
      description: string;
      inputs: Record<string, { description: string; required?: boolean; default?: string }>;
      outputs: Record<string, { description: string; value: string }>;
      runs: { using: string; steps: GithubStep[] };
    }>(ACTION);
    assert.equal(typeof action.name, 'string');
    assert.equal(typeof action.description, 'string');
    assert.equal(action.runs.using, 'composite');
    for (const name of ['command', 'config', 'env', 'thresholds', 'kubeconfig', 'node-version']) assert.ok(action.inputs[name], `input ${name}`);
    for (const [name, input] of Object.entries(action.inputs)) {
      assert.equal(typeof input.description, 'string', `input ${name}: description`);
      if (!input.required) assert.equal(typeof input.default, 'string', `input ${name}: an optional input has a default`);
    }
    const ids = new Set(action.runs.steps.map((s) => s.id).filter(Boolean));
    const used = new Set<string>();
    const check = (e: string, where: string) => {
      const input = /^inputs\.([\w-]+)$/.exec(e);
      const output = /^steps\.([\w-]+)\.outputs\.[\w-]+$/.exec(e);
      if (input) {
        assert.ok(action.inputs[input[1]!], `${where}: inputs.${input[1]} is not declared`);
        used.add(input[1]!);
      } else if (output) assert.ok(ids.has(output[1]!), `${where}: no step with id ${output[1]}`);
      else assert.equal(e, 'github.action_path', `${where}: unexpected expression ${e}`);
    };
    for (const [name, output] of Object.entries(action.outputs)) for (const e of expressions(output.value)) check(e, `output ${name}`);
    for (const step of action.runs.steps) {
      if (step.run) {
        assert.equal(step.shell, 'bash', `${step.id}: a composite run step needs shell:`);
        assert.deepEqual(expressions(step.run), [], `${step.id}: values go through env:`);
      }
      if (step.uses) assert.match(step.uses, PINNED);
      for (const value of [...Object.values(step.env ?? {}), ...Object.values(step.with ?? {})]) for (const e of expressions(String(value))) check(e, `step ${step.id}`);
    }
    assert.deepEqual([...used].sort(), Object.keys(action.inputs).sort(), 'every input is used');
  });

  it('the GitLab template: each job extends .mdl, has a script and artifacts; the JUnit report is the file the script writes', () => {
    const pipeline = parse(readFileSync(GITLAB, 'utf8')) as Record<string, { extends?: string; script?: string[]; artifacts?: { reports?: { junit?: string } } }>;
    const jobs = Object.entries(pipeline).filter(([name]) => name.startsWith('mdl-'));
    assert.deepEqual(jobs.map(([n]) => n).sort(), ['mdl-nightly-tune', 'mdl-performance-gate', 'mdl-pr-gate']);
    assert.ok(pipeline['.mdl'], 'the shared .mdl job');
    for (const [name, job] of jobs) {
      assert.equal(job.extends, '.mdl', name);
      assert.ok(Array.isArray(job.script) && job.script.length > 0, `${name}: script`);
      assert.ok(job.artifacts, `${name}: artifacts`);
    }
    const junit = pipeline['mdl-performance-gate']!.artifacts!.reports!.junit!;
    assert.ok(pipeline['mdl-performance-gate']!.script!.join('\n').includes(`--junit "$OUT/${junit.replace(/^mdl-out\//, '')}"`));
  });
});
