import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { kubeconfigPath, repoRoot } from '../support/cluster/cluster.js';
import { ApiError, KubeClient } from '../../src/kube/client.js';
import { resolveKubeTarget } from '../../src/kube/context.js';
import type { KubeObject } from '../../src/kube/types.js';

export interface ModelOptions {
  name: string;
  image?: string;
  replicas?: number;
  engine?: 'hpa' | 'keda';
  /** Pod template annotations: mdl.test/ready-delay (e.g. "3s"), mdl.test/never-ready. */
  podAnnotations?: Record<string, string>;
  progressDeadlineSeconds?: number;
  maxReplicas?: number;
}

/** What the manifest renderer produces for a model, in dependency order: Service, Deployment, PDB, then
 *  the autoscaler (an HPA or a KEDA ScaledObject). */
export function modelObjects(o: ModelOptions): KubeObject[] {
  const labels = { 'app.kubernetes.io/name': o.name };
  const objects: KubeObject[] = [
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name: o.name, labels },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: o.name, labels },
      spec: {
        replicas: o.replicas ?? 2,
        progressDeadlineSeconds: o.progressDeadlineSeconds ?? 600,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels, ...(o.podAnnotations ? { annotations: o.podAnnotations } : {}) },
          spec: {
            containers: [{
              name: 'server', image: o.image ?? 'registry.example/model:1',
              ports: [{ containerPort: 8080 }],
              resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } },
            }],
          },
        },
      },
    },
    {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: o.name, labels },
      spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
    },
  ];
  if ((o.engine ?? 'hpa') === 'hpa') {
    objects.push({
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: o.name, labels },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: o.name },
        minReplicas: o.replicas ?? 2, maxReplicas: o.maxReplicas ?? 6,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      },
    });
  } else {
    objects.push({
      apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: o.name, labels },
      spec: {
        scaleTargetRef: { name: o.name }, minReplicaCount: o.replicas ?? 2, maxReplicaCount: o.maxReplicas ?? 6,
        triggers: [{ type: 'prometheus', metadata: { serverAddress: 'http://prometheus.monitoring:9090', query: 'sum(inflight)', threshold: '8' } }],
      },
    });
  }
  return objects;
}

const scratch = mkdtempSync(path.join(tmpdir(), 'mdl-cluster-test-'));

/** Writes objects as a multi-document YAML file (what `mdl render` prints) and returns its path. */
export function manifestFile(objects: KubeObject[], name = 'manifests.yaml'): string {
  const file = path.join(scratch, `${Date.now()}-${Math.random().toString(36).slice(2, 8)}-${name}`);
  writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
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
