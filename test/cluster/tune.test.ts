/**
 * mdl tune --cluster against the real control plane: the HPA pinned to N for the search and restored on
 * success, on an error, on SIGINT; a killed tune repaired by --restore; a later mdl deploy owning the
 * bounds again; cold start timed on a kwok pod. Kwok pods serve nothing, so the tuned URL is a fixture
 * server on 127.0.0.1 standing in for the Service.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { applyObject } from '../../src/kube/apply.js';
import type { KubeClient } from '../../src/kube/client.js';
import { deploy } from '../../src/kube/deploy.js';
import { findAutoscaler, pinAutoscaler, readPin, restoreAutoscaler, waitForReplicas } from '../../src/kube/pin.js';
import { TUNE_FIELD_MANAGER, TUNE_PINNED_FROM_ANNOTATION } from '../../src/kube/pin-plan.js';
import type { KubeObject } from '../../src/kube/types.js';
import { clusterColdStartProbe } from '../../src/tune/cluster-target.js';
import { startCapacityServer, type CapacityServer } from '../fixtures/capacity-server.js';
import { kubeconfigPath, repoRoot } from '../support/cluster/cluster.js';
import { admin, get, manifestFile, mdl, modelObjects, runMdl, uniqueNamespace } from './support.js';

interface Hpa extends KubeObject {
  spec: { minReplicas?: number; maxReplicas: number };
}
interface ManagedEntry { manager: string; operation: string; fieldsV1?: { 'f:spec'?: Record<string, unknown> } }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls an HPA's bounds and annotation while a run goes on. */
function sampleHpa(client: KubeClient, p: string): { samples: { min?: number; max: number; pinned: boolean }[]; stop: () => Promise<void> } {
  const samples: { min?: number; max: number; pinned: boolean }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const h = await get<Hpa>(client, p).catch(() => undefined);
      if (h) samples.push({ ...(h.spec.minReplicas !== undefined ? { min: h.spec.minReplicas } : {}), max: h.spec.maxReplicas, pinned: Boolean(h.metadata.annotations?.[TUNE_PINNED_FROM_ANNOTATION]) });
      await sleep(150);
    }
  })();
  return { samples, stop: async () => { running = false; await loop; } };
}

/** The HPA is back to its original bounds, unannotated, and mdl-tune owns nothing on it. */
async function assertRestored(client: KubeClient, p: string, min: number, max: number): Promise<void> {
  const h = (await get<Hpa>(client, p))!;
  assert.equal(h.spec.minReplicas, min);
  assert.equal(h.spec.maxReplicas, max);
  assert.equal(h.metadata.annotations?.[TUNE_PINNED_FROM_ANNOTATION], undefined);
  const managers = ((h.metadata.managedFields ?? []) as ManagedEntry[]).map((m) => m.manager);
  assert.ok(!managers.includes(TUNE_FIELD_MANAGER), `managers after restore: ${managers.join(', ')}`);
}

async function until(what: string, ms: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('mdl tune --cluster against a real control plane', function () {
  const ns = uniqueNamespace('mdl-tune');
  const name = 'tuned';
  const hpaPath = `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${name}`;
  const env = { KUBECONFIG: kubeconfigPath };
  // Capacity 100/s at concurrency 4; --max-level 4 keeps the search to two short steps.
  const quick = ['--window', '1s', '--axis', 'concurrency', '--slo', 'p95<400ms', '--start-level', '2', '--max-level', '4'];
  let server: CapacityServer;
  let client: KubeClient;

  before(async () => {
    server = await startCapacityServer({ slots: 4, serviceMs: 40 });
    client = await admin();
    // Pods take 3 s from scheduled to Ready: the cold start the probe must find.
    await deploy(await modelObjects({ name, replicas: 2, maxReplicas: 6, podAnnotations: { 'mdl.test/ready-delay': '3s' } }), {
      name, kubeconfig: kubeconfigPath, namespace: ns, createNamespace: true, timeoutMs: 120_000, hpaSettleMs: 1000,
    });
  });
  after(async () => {
    await server.close();
    // Its pods hold scheduling room on the fake nodes that later tests need.
    await client.request('DELETE', `/api/v1/namespaces/${ns}`).catch(() => undefined);
  });

  it('pins the HPA to --replicas for the search, times cold start on N + 1, and restores it on success', async () => {
    const watch = sampleHpa(client, hpaPath);
    const run = await runMdl(['tune', server.url, '--cluster', '--name', name, '--namespace', ns, '--replicas', '1', ...quick, '--json'], env);
    await watch.stop();
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as {
      target: { cluster: { autoscaler: string; deployment: string; service: string; pinnedReplicas: number; original: { min: number; max: number } } };
      replicas: number; coldStartMs: { value: number; source: string; note: string }; notes: string[];
    };
    const { context, ...cluster } = result.target.cluster as typeof result.target.cluster & { context: string };
    assert.equal(context, 'mdl-test');
    assert.deepEqual(cluster, {
      namespace: ns, autoscaler: `HorizontalPodAutoscaler/${name}`, deployment: name, service: name, pinnedReplicas: 1, original: { min: 2, max: 6 },
    });
    // Pinned to 1 for the search, to 2 for the cold start, annotated throughout.
    assert.ok(watch.samples.some((s) => s.min === 1 && s.max === 1 && s.pinned), 'saw min = max = 1 with the annotation');
    assert.ok(watch.samples.some((s) => s.min === 2 && s.max === 2 && s.pinned), 'saw min = max = 2 (cold start)');
    assert.ok(watch.samples.filter((s) => s.min !== 2 || s.max !== 6).every((s) => s.pinned), 'never pinned without the record');
    // The new pod needs 3 s from scheduled to Ready; the rest is the watch, endpoints and one request.
    assert.equal(result.coldStartMs.source, 'measured');
    assert.ok(result.coldStartMs.value >= 2500 && result.coldStartMs.value < 15_000, `cold start ${result.coldStartMs.value} ms`);
    assert.match(result.coldStartMs.note, /start → ready \d+ ms/);
    assert.ok(result.notes.some((n) => /pinned to min = max = 1/.test(n)), result.notes.join('\n'));
    assert.ok(result.notes.some((n) => /restored HorizontalPodAutoscaler\/tuned to min 2, max 6/.test(n)), result.notes.join('\n'));
    await assertRestored(client, hpaPath, 2, 6);
  });

  it('a later mdl deploy with other bounds owns them again without --force-conflicts', async () => {
    const file = manifestFile(await modelObjects({ name, replicas: 3, maxReplicas: 8, podAnnotations: { 'mdl.test/ready-delay': '3s' } }));
    const d = await runMdl(['deploy', '--manifests', file, '--namespace', ns, '--timeout', '90s'], env);
    assert.equal(d.code, 0, d.stderr);
    const h = (await get<Hpa>(client, hpaPath))!;
    assert.equal(h.spec.minReplicas, 3);
    assert.equal(h.spec.maxReplicas, 8);
    const mdlEntry = ((h.metadata.managedFields ?? []) as ManagedEntry[]).find((m) => m.manager === 'mdl' && m.operation === 'Apply');
    assert.ok(mdlEntry?.fieldsV1?.['f:spec']?.['f:minReplicas'] && mdlEntry.fieldsV1['f:spec']['f:maxReplicas'], 'mdl owns the bounds again');
  });

  it('the cold-start probe times pod created → Ready → in the endpoints → first answer', async () => {
    const ref = await findAutoscaler(client, ns, name);
    await pinAutoscaler(client, ref, 1, new Date().toISOString());
    try {
      await waitForReplicas(client, { namespace: ns, deployment: name, service: name, replicas: 1, timeoutMs: 60_000 });
      const sample = await clusterColdStartProbe(client, ref, { replicas: 1, readyTimeoutMs: 60_000, service: name, firstRequest: { url: server.url } }).measure();
      // kwok makes the pod Ready 3 s after it is scheduled (mdl.test/ready-delay).
      assert.ok(sample.startToReadyMs >= 2800 && sample.startToReadyMs < 8000, `start → ready ${sample.startToReadyMs} ms`);
      assert.ok(sample.readyToFirstResponseMs >= 0 && sample.readyToFirstResponseMs < 5000, `ready → first response ${sample.readyToFirstResponseMs} ms`);
      assert.ok(Math.abs(sample.totalMs - sample.startToReadyMs - sample.readyToFirstResponseMs) < 1);
      // Back to N: the probe leaves the pin as it found it.
      const h = (await get<Hpa>(client, hpaPath))!;
      assert.deepEqual([h.spec.minReplicas, h.spec.maxReplicas], [1, 1]);
    } finally {
      await restoreAutoscaler(client, ref);
    }
    await assertRestored(client, hpaPath, 3, 8);
  });

  it('restores the HPA when the endpoint stops answering mid-search, and when the run fails after it', async () => {
    const dying = await startCapacityServer({ slots: 4, serviceMs: 40 });
    const child = mdl(['tune', dying.url, '--cluster', '--name', name, '--namespace', ns, '--replicas', '2', '--window', '1s', '--axis', 'concurrency', '--slo', 'p95<400ms', '--start-level', '1', '--max-level', '64', '--ready-timeout', '10s'], env);
    await until('the first step', 60_000, () => /bracket concurrency/.test(child.stderr()));
    await dying.close();
    const run = await child.done;
    assert.ok(run.code === 0 || run.code === 99, `exit ${run.code}\n${run.stderr}`);
    assert.match(run.stderr, /restored HorizontalPodAutoscaler\/tuned to min 3, max 8/);
    await assertRestored(client, hpaPath, 3, 8);

    // A report path that cannot be written is found before anything is pinned: exit 2, the HPA untouched.
    const early = await runMdl(['tune', server.url, '--cluster', '--name', name, '--namespace', ns, ...quick, '--report', '/nonexistent-dir/tune.html'], env);
    assert.equal(early.code, 2, early.stderr);
    assert.match(early.stderr, /--report/);
    assert.doesNotMatch(early.stderr, /pinned/);
    await assertRestored(client, hpaPath, 3, 8);

    // An error after the search (the report's folder is gone by the time it is written) still restores.
    const gone = mkdtempSync(path.join(tmpdir(), 'mdl-report-'));
    const failing = mdl(['tune', server.url, '--cluster', '--name', name, '--namespace', ns, ...quick, '--report', path.join(gone, 'tune.html')], env);
    await until('the first step', 60_000, () => /bracket concurrency/.test(failing.stderr()));
    rmSync(gone, { recursive: true, force: true });
    const failed = await failing.done;
    assert.notEqual(failed.code, 0, failed.stderr);
    assert.match(failed.stderr, /cannot write .*tune\.html/);
    assert.match(failed.stderr, /restored HorizontalPodAutoscaler\/tuned/);
    await assertRestored(client, hpaPath, 3, 8);
  });

  it('SIGINT stops the search, restores the HPA and exits 130', async () => {
    const child = mdl(['tune', server.url, '--cluster', '--name', name, '--namespace', ns, '--window', '1s', '--axis', 'concurrency', '--slo', 'p95<400ms', '--start-level', '1', '--max-level', '64'], env);
    await until('the first step', 60_000, () => /bracket concurrency/.test(child.stderr()));
    child.signal('SIGINT');
    const run = await child.done;
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stderr, /Stopping/);
    await assertRestored(client, hpaPath, 3, 8);
  });

  it('a SIGKILLed tune leaves the record; deploy says so; mdl tune --restore repairs it, idempotently', async () => {
    const child = mdl(['tune', server.url, '--cluster', '--name', name, '--namespace', ns, ...quick], env);
    const ref = await findAutoscaler(client, ns, name);
    await until('the pin', 60_000, async () => (await readPin(client, ref)) !== null);
    child.kill();
    await child.done;
    const pinned = (await get<Hpa>(client, hpaPath))!;
    assert.deepEqual([pinned.spec.minReplicas, pinned.spec.maxReplicas], [1, 1]);
    assert.deepEqual(JSON.parse(pinned.metadata.annotations![TUNE_PINNED_FROM_ANNOTATION]!), {
      minReplicas: 3, maxReplicas: 8, pinnedReplicas: 1, pinnedAt: (await readPin(client, ref))!.pinnedAt,
    });

    // Another tune refuses to pin over the record; a deploy that changes the bounds names the way out.
    const again = await runMdl(['tune', server.url, '--cluster', '--name', name, '--namespace', ns, ...quick], env);
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /already pinned by mdl tune[\s\S]*mdl tune --restore/);
    const file = manifestFile(await modelObjects({ name, replicas: 2, maxReplicas: 5, podAnnotations: { 'mdl.test/ready-delay': '3s' } }));
    const blocked = await runMdl(['deploy', '--manifests', file, '--namespace', ns, '--no-wait'], env);
    assert.equal(blocked.code, 2, blocked.stderr);
    assert.match(blocked.stderr, /pinned by mdl tune[\s\S]*mdl tune --restore/);

    const restore = await runMdl(['tune', '--restore', '--name', name, '--namespace', ns, '--json'], env);
    assert.equal(restore.code, 0, restore.stderr);
    assert.deepEqual(JSON.parse(restore.stdout).bounds, { min: 3, max: 8 });
    assert.equal(JSON.parse(restore.stdout).restored, true);
    await assertRestored(client, hpaPath, 3, 8);
    const twice = await runMdl(['tune', '--restore', '--name', name, '--namespace', ns], env);
    assert.equal(twice.code, 0, twice.stderr);
    assert.match(twice.stderr, /not pinned by mdl tune: nothing to restore/);
    const missing = await runMdl(['tune', '--restore', '--name', 'no-such-model', '--namespace', ns], env);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /No KEDA ScaledObject or HorizontalPodAutoscaler named "no-such-model"/);

    const deployed = await runMdl(['deploy', '--manifests', file, '--namespace', ns, '--no-wait'], env);
    assert.equal(deployed.code, 0, deployed.stderr);
    const h = (await get<Hpa>(client, hpaPath))!;
    assert.deepEqual([h.spec.minReplicas, h.spec.maxReplicas], [2, 5]);
  });

  it('pins and restores a KEDA ScaledObject, absent bounds included', async () => {
    const crds = parseAllDocuments(readFileSync(path.join(repoRoot, 'test/fixtures/keda-crds.yaml'), 'utf8')).map((d) => d.toJS() as KubeObject);
    for (const crd of crds) await applyObject(client, crd, 'default');
    for (let i = 0; i < 40 && !(await get(client, '/apis/keda.sh/v1alpha1')); i++) await sleep(250);
    client.resetDiscovery();
    const so: KubeObject = {
      apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'kedamodel', namespace: ns },
      spec: { scaleTargetRef: { name: 'kedamodel' }, maxReplicaCount: 7, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }] },
    };
    await applyObject(client, so, ns);
    const ref = await findAutoscaler(client, ns, 'kedamodel');
    assert.equal(ref.kind, 'ScaledObject');
    const record = await pinAutoscaler(client, ref, 2, 't');
    assert.deepEqual(record.original, { min: null, max: 7 });
    const soPath = `/apis/keda.sh/v1alpha1/namespaces/${ns}/scaledobjects/kedamodel`;
    const pinned = (await get<KubeObject & { spec: Record<string, unknown> }>(client, soPath))!;
    assert.deepEqual([pinned.spec.minReplicaCount, pinned.spec.maxReplicaCount], [2, 2]);
    assert.equal(JSON.parse(pinned.metadata.annotations![TUNE_PINNED_FROM_ANNOTATION]!).maxReplicaCount, 7);
    const out = await restoreAutoscaler(client, ref);
    assert.equal(out.restored, true);
    const back = (await get<KubeObject & { spec: Record<string, unknown> }>(client, soPath))!;
    assert.equal('minReplicaCount' in back.spec, false);
    assert.equal(back.spec.maxReplicaCount, 7);
    assert.equal(back.metadata.annotations?.[TUNE_PINNED_FROM_ANNOTATION], undefined);
    assert.ok(!((back.metadata.managedFields ?? []) as ManagedEntry[]).some((m) => m.manager === TUNE_FIELD_MANAGER));
  });
});
