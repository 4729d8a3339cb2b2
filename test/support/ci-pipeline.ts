/**
 * Runs the shell steps of the example CI pipelines (examples/ci) as the CI systems would, on this machine:
 * GitHub Actions' `run:` steps each as `bash -eo pipefail` with the workflow, job and step env merged,
 * GitLab's `script:` lines as one bash script. The `mdl` they call is this checkout's built CLI.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export interface GithubStep {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
export interface StepRun {
  step: string;
  code: number;
  stdout: string;
  stderr: string;
}
export interface PipelineRun {
  steps: StepRun[];
  /** The exit status of the first failing step, else 0 (the job's outcome). */
  code: number;
  summary: string;
  outputs: Record<string, string>;
}

const BIN = resolve('bin/run.js');

export function readYaml<T = Record<string, unknown>>(path: string): T {
  return parse(readFileSync(path, 'utf8')) as T;
}

/** A folder with an `mdl` on PATH that runs this checkout's built CLI, as `npm install -g` would provide. */
export function mdlOnPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mdl-ci-bin-'));
  const shim = join(dir, 'mdl');
  writeFileSync(shim, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
  chmodSync(shim, 0o755);
  return dir;
}

/** `${{ secrets.X }}`, `${{ inputs.X }}`, `${{ github.action_path }}` in env values; anything else is refused. */
export function evaluate(value: string, context: { secrets?: Record<string, string>; inputs?: Record<string, string>; github?: Record<string, string> }): string {
  return String(value).replace(/\$\{\{\s*([a-z_]+)\.([A-Za-z0-9_-]+)\s*\}\}/g, (whole, scope: string, key: string) => {
    const table = (context as Record<string, Record<string, string> | undefined>)[scope];
    if (!table) throw new Error(`unsupported expression ${whole}`);
    return table[key] ?? '';
  });
}

export interface RunOptions {
  cwd: string;
  /** Replaces the workflow's own env values of the same name (as repository variables would). */
  env?: Record<string, string>;
  secrets?: Record<string, string>;
  inputs?: Record<string, string>;
  github?: Record<string, string>;
  /** Step ids not run here (installing mdl from the registry). */
  skip?: string[];
  timeoutMs?: number;
}

function runBash(script: string, env: NodeJS.ProcessEnv, options: RunOptions, flags: string[]): { code: number; stdout: string; stderr: string } {
  const run = spawnSync('bash', [...flags, '-c', script], { cwd: options.cwd, env, encoding: 'utf8', timeout: options.timeoutMs ?? 90_000 });
  return { code: run.status ?? 128, stdout: run.stdout, stderr: run.stderr };
}

function runnerFiles(): { dir: string; summary: string; output: string; temp: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mdl-ci-runner-'));
  const temp = join(dir, 'temp');
  mkdirSync(temp);
  const summary = join(dir, 'summary.md');
  const output = join(dir, 'output');
  writeFileSync(summary, '');
  writeFileSync(output, '');
  return { dir, summary, output, temp };
}

function parseOutputs(file: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) outputs[line.slice(0, at)] = line.slice(at + 1);
  }
  return outputs;
}

/** The `run:` steps of a list of GitHub steps, in order, stopping at the first failure as a job does. */
export function runGithubSteps(steps: GithubStep[], baseEnv: Record<string, string>, options: RunOptions): PipelineRun {
  const runner = runnerFiles();
  const path = `${mdlOnPath()}:${process.env.PATH}`;
  const result: PipelineRun = { steps: [], code: 0, summary: '', outputs: {} };
  for (const step of steps) {
    if (step.run === undefined || (step.id !== undefined && options.skip?.includes(step.id))) continue;
    if (result.code !== 0 && step.if !== 'always()') continue;
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, evaluate(v, options)]));
    const env = {
      ...process.env,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      PATH: path,
      GITHUB_STEP_SUMMARY: runner.summary,
      GITHUB_OUTPUT: runner.output,
      RUNNER_TEMP: runner.temp,
      ...baseEnv,
      ...options.env,
      ...stepEnv,
    };
    const run = runBash(step.run, env, options, ['--noprofile', '--norc', '-eo', 'pipefail']);
    result.steps.push({ step: step.name ?? step.id ?? step.run.split('\n')[0]!, ...run });
    if (run.code !== 0 && result.code === 0) result.code = run.code;
  }
  result.summary = readFileSync(runner.summary, 'utf8');
  result.outputs = parseOutputs(runner.output);
  return result;
}

/** One job of a GitHub workflow: its `run:` steps with the workflow's and the job's env. */
export function runWorkflowJob(file: string, job: string, options: RunOptions): PipelineRun {
  const workflow = readYaml<{ env?: Record<string, string>; jobs: Record<string, { env?: Record<string, string>; steps: GithubStep[] }> }>(file);
  const spec = workflow.jobs[job];
  if (!spec) throw new Error(`${file} has no job ${job}`);
  return runGithubSteps(spec.steps, { ...workflow.env, ...spec.env }, options);
}

/** One job of a GitLab CI file: its `script:` lines as one bash script, with the file's variables. */
export function runGitlabJob(file: string, job: string, options: RunOptions): PipelineRun {
  const pipeline = readYaml<Record<string, { script?: string[] } | Record<string, string>>>(file);
  const spec = pipeline[job] as { script?: string[] } | undefined;
  if (!spec?.script) throw new Error(`${file} has no job ${job} with a script`);
  const env = {
    ...process.env,
    CI: 'true',
    GITLAB_CI: 'true',
    PATH: `${mdlOnPath()}:${process.env.PATH}`,
    ...(pipeline.variables as Record<string, string>),
    ...options.env,
  };
  const run = runBash(spec.script.join('\n'), env, options, ['--noprofile', '--norc', '-eo', 'pipefail']);
  return { steps: [{ step: job, ...run }], code: run.code, summary: '', outputs: {} };
}
