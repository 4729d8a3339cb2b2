import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { kubeconfigPath, repoRoot } from '../support/cluster/cluster.js';
import { ApiError, KubeClient } from '../../src/kube/client.js';
import { resolveKubeTarget } from '../../src/kube/context.js';
import type { KubeObject } from '../../src/kube/types.js';
import { renderManifests, toYaml } from '../../src/manifests/index.js';
import { loadSpec, type SpecInput } from '../../src/spec/index.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'mdl-cluster-test-'));

/** A model for kwok's nodes, as a spec: kwok runs nothing, so the image is never pulled; its pods become Ready
 *  after `mdl.test/ready-delay` or never with `mdl.test/never-ready` (test/support/cluster/README.md). */
export interface ModelOptions {
  name: string;
  image?: string;
  /** scaling.minReplicas (default 2). */
  replicas?: number;
  /** scaling.maxReplicas (default 6); equal to replicas, no autoscaler is rendered and the Deployment holds the count. */
  maxReplicas?: number;
  engine?: 'hpa' | 'keda';
  /** The spec's podAnnotations: kwok's mdl.test/ready-delay (e.g. "3s"), mdl.test/never-ready, kwok.x-k8s.io/usage-cpu. */
  podAnnotations?: Record<string, string>;
  /** rollout.progressDeadline (e.g. "5s"); the startup check is shortened to fit under it. */
  progressDeadline?: string;
  /** scaling.metric (default cpu 70%). */
  metric?: { type: 'cpu'; target: string };
}

export function modelSpec(o: ModelOptions): SpecInput {
  const spec: SpecInput = {
    name: o.name,
    image: o.image ?? 'registry.example/model:1',
    resources: { cpu: '500m', memory: '1Gi' },
    scaling: {
      minReplicas: o.replicas ?? 2,
      maxReplicas: o.maxReplicas ?? 6,
      ...(o.engine ? { engine: o.engine } : {}),
      ...(o.metric ? { metric: o.metric } : {}),
    },
  };
  if (o.podAnnotations) spec.podAnnotations = o.podAnnotations;
  if (o.progressDeadline !== undefined) {
    spec.rollout = { progressDeadline: o.progressDeadline };
    spec.health = { startup: { maxLoadTime: '1s', period: '1s' } };
  }
  return spec;
}

/** Writes a spec as mdl.config.yaml in a folder of its own and returns the file. */
export function specFile(spec: SpecInput): string {
  const dir = mkdtempSync(path.join(scratch, `${spec.name}-`));
  const file = path.join(dir, 'mdl.config.yaml');
  writeFileSync(file, stringify(spec));
  return file;
}

/** What `mdl render` makes of a spec file: the same loader and the same renderManifests, in apply order. */
export async function renderSpec(file: string, namespace?: string): Promise<KubeObject[]> {
  const { spec } = await loadSpec({ cwd: path.dirname(file), configPath: path.basename(file) });
  return renderManifests(spec, { namespace });
}

/** The rendered objects of a kwok model (modelSpec). */
export function modelObjects(o: ModelOptions): Promise<KubeObject[]> {
  return renderSpec(specFile(modelSpec(o)));
}

/** Writes objects as `mdl render` prints them (one multi-document YAML) and returns its path. */
export function manifestFile(objects: KubeObject[], name = 'manifests.yaml'): string {
  const file = path.join(scratch, `${Date.now()}-${Math.random().toString(36).slice(2, 8)}-${name}`);
  writeFileSync(file, toYaml(objects));
  return file;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, with Node 24 (this process's node). */
export function mdl(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 170_000): { done: Promise<CliRun>; kill: () => void; signal: (s: NodeJS.Signals) => void; stderr: () => string } {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/run.js'), ...args], {
    env: { ...process.env, CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<CliRun>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { done, kill: () => child.kill('SIGKILL'), signal: (s) => child.kill(s), stderr: () => stderr };
}

export function runMdl(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return mdl(args, env).done;
}

export function uniqueNamespace(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
}

/** A client with the control plane's admin credentials. */
export async function admin(): Promise<KubeClient> {
  return new KubeClient(await resolveKubeTarget({ kubeconfig: kubeconfigPath }));
}

/** GET an API path; undefined on 404. */
export async function get<T = KubeObject>(client: KubeClient, p: string): Promise<T | undefined> {
  try {
    return await client.request<T>('GET', p);
  } catch (error) {
    if (error instanceof ApiError && error.statusCode === 404) return undefined;
    throw error;
  }
}
