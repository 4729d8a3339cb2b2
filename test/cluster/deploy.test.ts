import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { applyObject } from '../../src/kube/apply.js';
import { deploy, type DeployEvent } from '../../src/kube/deploy.js';
import type { KubeObject } from '../../src/kube/types.js';
import { kubeconfigPath, readState, repoRoot, restartApiServer, runDir, writeUserKubeconfig } from '../support/cluster/cluster.js';
import { admin, get, manifestFile, mdl, modelObjects, runMdl, uniqueNamespace } from './support.js';

interface Dep extends KubeObject {
  spec: { template: { spec: { containers: { image: string }[] } } };
  status?: { readyReplicas?: number; updatedReplicas?: number };
}


/** The namespaces this file made: deleted after its suites, so that their HPAs (syncing every 2 s) and pods do
 *  not load the controller and metrics-server during the tests that follow (the fidelity check times syncs). */
const made: string[] = [];
function freshNamespace(prefix: string): string {
  const ns = uniqueNamespace(prefix);
  made.push(ns);
  return ns;
}
async function deleteMadeNamespaces(): Promise<void> {
  const client = await admin();
  for (const ns of made.splice(0)) await client.request('DELETE', `/api/v1/namespaces/${ns}`).catch(() => undefined);
}

describe('mdl deploy against a real control plane', function () {
  const ns = freshNamespace('mdl-deploy');
  const name = 'sentiment';

  it('deploys fresh objects and follows the rollout until every replica is Ready', async () => {
    const events: DeployEvent[] = [];
    const result = await deploy(await modelObjects({ name, replicas: 2, podAnnotations: { 'mdl.test/ready-delay': '2s' } }), {
      name, kubeconfig: kubeconfigPath, namespace: ns, createNamespace: true, timeoutMs: 120_000, hpaSettleMs: 5000,
      onEvent: (e) => events.push(e),
    });
    // In the renderer's order: the disruption budget and the Service before the Deployment, the HPA after it.
    assert.deepEqual(result.objects.map((o) => `${o.ref} ${o.action}`), [
      `PodDisruptionBudget/${name} created`, `Service/${name} created`, `Deployment/${name} created`, `HorizontalPodAutoscaler/${name} created`,
    ]);
    assert.equal(result.rollouts[0]!.status.done, true);
    assert.equal(result.rollouts[0]!.status.ready, 2);
    // Progress was seen per pod, first not ready, then ready.
    const podEvents = events.filter((e): e is Extract<DeployEvent, { type: 'pod' }> => e.type === 'pod');
    assert.ok(podEvents.some((e) => !e.pod.ready), 'saw a pod before it was ready');
    assert.ok(podEvents.some((e) => e.pod.ready), 'saw a pod become ready');
    assert.ok(events.some((e) => e.type === 'rollout' && /1 of 2|0 of 2|out of 2/.test(e.status.message)), 'saw intermediate rollout status');
    assert.equal(result.autoscalers[0]!.name, name);

    const client = await admin();
    const dep = await get<Dep>(client, `/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
    assert.equal(dep!.status!.readyReplicas, 2);
    const managers = ((dep!.metadata.managedFields ?? []) as { manager: string; operation: string }[]).filter((m) => m.operation === 'Apply').map((m) => m.manager);
    assert.deepEqual(managers, ['mdl']);
    assert.match(dep!.metadata.labels!['applyset.kubernetes.io/part-of']!, /^applyset-[\w-]+-v1$/);
    const parent = await get(client, `/api/v1/namespaces/${ns}/secrets/mdl-applyset-${name}`);
    assert.equal(parent!.metadata.annotations!['applyset.kubernetes.io/contains-group-kinds'],
      'Deployment.apps,HorizontalPodAutoscaler.autoscaling,PodDisruptionBudget.policy,Service');
  });

  it('a second deploy changes nothing and diff exits 0', async () => {
    const file = manifestFile(await modelObjects({ name, replicas: 2, podAnnotations: { 'mdl.test/ready-delay': '2s' } }));
    const again = await runMdl(['deploy', '--manifests', file, '--namespace', ns, '--json', '--timeout', '60s'], { KUBECONFIG: kubeconfigPath });
    assert.equal(again.code, 0, again.stderr);
    const doc = JSON.parse(again.stdout) as { objects: { action: string }[] };
    assert.deepEqual(doc.objects.map((o) => o.action), ['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    const d = await runMdl(['diff', '--manifests', file, '--namespace', ns], { KUBECONFIG: kubeconfigPath });
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout, '');
  });

  it('an image change shows in diff (exit 1) and rolls out', async () => {
    const file = manifestFile(await modelObjects({ name, replicas: 2, image: 'registry.example/model:2', podAnnotations: { 'mdl.test/ready-delay': '1s' } }));
    const d = await runMdl(['diff', '--manifests', file, '--namespace', ns], { KUBECONFIG: kubeconfigPath });
    assert.equal(d.code, 1, d.stderr);
    assert.match(d.stdout, /-\s+- image: registry.example\/model:1|-\s+image: registry.example\/model:1/);
    assert.match(d.stdout, /\+.*registry.example\/model:2/);
    const r = await runMdl(['deploy', '--manifests', file, '--namespace', ns, '--timeout', '90s'], { KUBECONFIG: kubeconfigPath });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Deployment\/sentiment configured/);
    assert.match(r.stderr, /successfully rolled out/);
    const client = await admin();
    const dep = await get<Dep>(client, `/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
    assert.equal(dep!.spec.template.spec.containers[0]!.image, 'registry.example/model:2');
    const pods = await client.request<{ items: { spec: { containers: { image: string }[] }; metadata: { deletionTimestamp?: string } }[] }>('GET', `/api/v1/namespaces/${ns}/pods`);
    const live = pods.items.filter((p) => !p.metadata.deletionTimestamp);
    assert.ok(live.length >= 2);
    assert.ok(live.every((p) => p.spec.containers[0]!.image === 'registry.example/model:2'), 'every live pod runs the new image');
  });

  it('switching to KEDA (CRDs from test/fixtures) prunes the HPA', async () => {
    const client = await admin();
    const crds = parseAllDocuments(readFileSync(path.join(repoRoot, 'test/fixtures/keda-crds.yaml'), 'utf8')).map((d) => d.toJS() as KubeObject);
    for (const crd of crds) await applyObject(client, crd, 'default');
    // The CRDs take a moment to be served.
    for (let i = 0; i < 40 && !(await get(client, '/apis/keda.sh/v1alpha1')); i++) await new Promise((r) => setTimeout(r, 250));
    const file = manifestFile(await modelObjects({ name, replicas: 2, image: 'registry.example/model:2', engine: 'keda', podAnnotations: { 'mdl.test/ready-delay': '1s' } }));
    const r = await runMdl(['deploy', '--manifests', file, '--namespace', ns, '--prune', '--json'], { KUBECONFIG: kubeconfigPath });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { pruned: string[]; objects: { ref: string; action: string }[] };
    assert.deepEqual(doc.pruned, [`HorizontalPodAutoscaler/${name}`]);
    assert.ok(doc.objects.some((o) => o.ref === `ScaledObject/${name}` && o.action === 'created'));
    assert.equal(await get(client, `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${name}`), undefined);
    assert.ok(await get(client, `/apis/keda.sh/v1alpha1/namespaces/${ns}/scaledobjects/${name}`));
    const parent = await get(client, `/api/v1/namespaces/${ns}/secrets/mdl-applyset-${name}`);
    assert.equal(parent!.metadata.annotations!['applyset.kubernetes.io/contains-group-kinds'],
      'Deployment.apps,PodDisruptionBudget.policy,ScaledObject.keda.sh,Service');
  });

  it('status shows replicas and pods, --json gives the same as data', async () => {
    const r = await runMdl(['status', '--name', name, '--namespace', ns, '--json'], { KUBECONFIG: kubeconfigPath });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { deployments: { name: string; rollout: { done: boolean; ready: number }; pods: { ready: boolean }[] }[] };
    assert.equal(s.deployments[0]!.name, name);
    assert.equal(s.deployments[0]!.rollout.done, true);
    assert.equal(s.deployments[0]!.rollout.ready, 2);
    assert.ok(s.deployments[0]!.pods.filter((p) => p.ready).length >= 2);
    const plain = await runMdl(['status', '--name', name, '--namespace', ns], { KUBECONFIG: kubeconfigPath });
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /deployment sentiment: 2\/2 ready, 2 updated, 2 available/);
  });

  it('delete refuses without --yes off a terminal, then removes every object of the model', async () => {
    const refused = await runMdl(['delete', '--name', name, '--namespace', ns], { KUBECONFIG: kubeconfigPath });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--yes/);
    const r = await runMdl(['delete', '--name', name, '--namespace', ns, '--yes'], { KUBECONFIG: kubeconfigPath });
    assert.equal(r.code, 0, r.stderr);
    const client = await admin();
    assert.equal(await get(client, `/apis/apps/v1/namespaces/${ns}/deployments/${name}`), undefined);
    assert.equal(await get(client, `/api/v1/namespaces/${ns}/services/${name}`), undefined);
    assert.equal(await get(client, `/apis/keda.sh/v1alpha1/namespaces/${ns}/scaledobjects/${name}`), undefined);
    assert.equal(await get(client, `/api/v1/namespaces/${ns}/secrets/mdl-applyset-${name}`), undefined);
    const after = await runMdl(['status', '--name', name, '--namespace', ns], { KUBECONFIG: kubeconfigPath });
    assert.equal(after.code, 2);
    assert.match(after.stderr, /not deployed/);
  });
});

describe('mdl deploy failures against a real control plane', function () {
  after(deleteMadeNamespaces);

  it('a rollout that never becomes ready hits its progress deadline: exit 4 with the reason', async () => {
    const ns = freshNamespace('mdl-stuck');
    const file = manifestFile(await modelObjects({ name: 'stuck', replicas: 1, progressDeadline: '5s', podAnnotations: { 'mdl.test/never-ready': 'true' } }));
    const r = await runMdl(['deploy', '--manifests', file, '--namespace', ns, '--create-namespace', '--timeout', '2m'], { KUBECONFIG: kubeconfigPath });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /ProgressDeadlineExceeded/);
    assert.match(r.stderr, /stuck/);
  });

  it('--timeout is respected: exit 4 when the rollout is slower than the timeout', async () => {
    const ns = freshNamespace('mdl-slow');
    const file = manifestFile(await modelObjects({ name: 'slow', replicas: 1, podAnnotations: { 'mdl.test/ready-delay': '60s' } }));
    const started = Date.now();
    const r = await runMdl(['deploy', '--manifests', file, '--namespace', ns, '--create-namespace', '--timeout', '4s'], { KUBECONFIG: kubeconfigPath });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /Timed out after 4s/);
    assert.ok(Date.now() - started < 30_000, 'returned soon after the timeout');
  });

  it('RBAC refusal with a restricted user exits 3 naming verb, resource and namespace', async () => {
    const ns = freshNamespace('mdl-rbac');
    const client = await admin();
    await applyObject(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, ns);
    // The user may read everything in the namespace but change nothing.
    await applyObject(client, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'viewer', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'viewer' }],
    }, ns);
    const kubeconfig = writeUserKubeconfig(readState()!, 'viewer', [], path.join(runDir, 'viewer.kubeconfig'));
    const file = manifestFile(await modelObjects({ name: 'rbac' }));
    const r = await runMdl(['deploy', '--manifests', file, '--namespace', ns], { KUBECONFIG: kubeconfig });
    assert.equal(r.code, 3, r.stderr);
    // The dry run of the first object the renderer emits, the disruption budget, is the first refusal.
    assert.match(r.stderr, new RegExp(`Forbidden: cannot patch poddisruptionbudgets in namespace "${ns}"`));
    assert.match(r.stderr, /context "mdl-test"/);
  });

  it('an unreachable cluster exits 3 naming the context and the server', async () => {
    const state = readState()!;
    const kubeconfig = path.join(runDir, 'closed.kubeconfig');
    const text = readFileSync(kubeconfigPath, 'utf8').replace(state.server, 'https://127.0.0.1:1');
    (await import('node:fs')).writeFileSync(kubeconfig, text);
    const r = await runMdl(['deploy', '--manifests', manifestFile(await modelObjects({ name: 'x' })), '--namespace', 'default'], { KUBECONFIG: kubeconfig });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /Cannot reach the cluster of context "mdl-test" at https:\/\/127.0.0.1:1/);
  });

  it('a server-side apply conflict names the field and manager; --force-conflicts takes over', async () => {
    const ns = freshNamespace('mdl-ssa');
    const client = await admin();
    await applyObject(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, ns);
    // Fixed at one replica, so the rendered Deployment sets spec.replicas (with an HPA it leaves it out).
    const objects = await modelObjects({ name: 'owned', replicas: 1, maxReplicas: 1 });
    const dep = objects.find((o) => o.kind === 'Deployment')!;
    assert.equal((dep.spec as { replicas?: number }).replicas, 1);
    // Another tool applies the same Deployment with a different replica count.
    await client.request('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/owned`, {
      query: { fieldManager: 'other-tool' },
      body: { ...dep, metadata: { name: 'owned', namespace: ns }, spec: { ...(dep.spec as object), replicas: 3 } },
      contentType: 'application/apply-patch+yaml',
    });
    const file = manifestFile(objects);
    const r = await runMdl(['deploy', '--manifests', file, '--namespace', ns, '--no-wait'], { KUBECONFIG: kubeconfigPath });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /conflict on Deployment\/owned: \.spec\.replicas \(managed by other-tool\)/);
    assert.match(r.stderr, /--force-conflicts/);
    const forced = await runMdl(['deploy', '--manifests', file, '--namespace', ns, '--no-wait', '--force-conflicts'], { KUBECONFIG: kubeconfigPath });
    assert.equal(forced.code, 0, forced.stderr);
  });

  it('an object the API server rejects points back to the spec key', async () => {
    const ns = freshNamespace('mdl-invalid');
    // The spec refuses minReplicas above maxReplicas, so this is a rendered file edited by hand.
    const objects = await modelObjects({ name: 'bad', replicas: 2, maxReplicas: 4 });
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler')! as KubeObject & { spec: { maxReplicas: number } };
    hpa.spec.maxReplicas = 1;
    const r = await runMdl(['deploy', '--manifests', manifestFile(objects), '--namespace', ns, '--create-namespace'], { KUBECONFIG: kubeconfigPath });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /rejected HorizontalPodAutoscaler\/bad/);
    assert.match(r.stderr, /spec key scaling\.maxReplicas/);
    // Validation ran before anything was applied.
    const client = await admin();
    assert.equal(await get(client, `/apis/apps/v1/namespaces/${ns}/deployments/bad`), undefined);
  });
});

describe('mdl deploy --wait across a kube-apiserver restart', function () {
  it('resumes the watch and reports success, without a false failure', async () => {
    const ns = freshNamespace('mdl-restart');
    const file = manifestFile(await modelObjects({ name: 'resilient', replicas: 2, podAnnotations: { 'mdl.test/ready-delay': '10s' } }));
    const run = mdl(['deploy', '--manifests', file, '--namespace', ns, '--create-namespace', '--timeout', '2m'], { KUBECONFIG: kubeconfigPath });
    // Restart once the deploy is waiting on the rollout.
    for (let i = 0; i < 240 && !/Waiting for deployment/.test(run.stderr()); i++) await new Promise((r) => setTimeout(r, 250));
    assert.match(run.stderr(), /Waiting for deployment/);
    await restartApiServer(readState()!, 1500);
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /successfully rolled out/);
    assert.match(r.stderr, /reconnecting/, 'the watch saw the API server go away');
  });
});

describe('mdl deploy from a spec file', function () {
  after(deleteMadeNamespaces);

  const spec = path.join(repoRoot, 'examples/sentiment/mdl.config.yaml');

  it('renders the spec, rolls out, and warns that the HPA cannot read its concurrency metric, naming the missing link', async () => {
    const ns = freshNamespace('mdl-spec');
    const r = await runMdl(['deploy', '-c', spec, '--namespace', ns, '--create-namespace', '--timeout', '2m'], { KUBECONFIG: kubeconfigPath });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Deployment\/sentiment created/);
    assert.match(r.stderr, /successfully rolled out/);
    // custom.metrics.k8s.io is served (prometheus-adapter, over Prometheus), but Prometheus scrapes rn1's pods
    // only: kwok's pods export nothing, so the adapter has no value of the metric for them.
    assert.match(r.stderr, /Warning: HPA cannot read Pods metric "rest_server_requests_in_progress"/);
    assert.match(r.stderr, /custom\.metrics\.k8s\.io (lists no metric rest_server_requests_in_progress|has rest_server_requests_in_progress, but no value for the pods of app\.kubernetes\.io\/name=sentiment,app\.kubernetes\.io\/instance=sentiment in mdl-spec-)/);
    assert.match(r.stderr, /\(the HPA: FailedGetPodsMetric/);
  });

  it('--strict turns the autoscaler warning into exit 4', async () => {
    const ns = freshNamespace('mdl-strict');
    const r = await runMdl(['deploy', '-c', spec, '--namespace', ns, '--create-namespace', '--strict', '--timeout', '2m'], { KUBECONFIG: kubeconfigPath });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /The autoscaler cannot work/);
  });
});

describe('the real HPA on simulated CPU (metrics-server reading kwok)', function () {
  after(deleteMadeNamespaces);

  it('reads 90% CPU against a 50% target and scales the Deployment up', async () => {
    const ns = freshNamespace('mdl-hpa');
    // 450m used of the spec's 500m request: 90 %.
    const objects = await modelObjects({ name: 'busy', replicas: 1, metric: { type: 'cpu', target: '50%' }, podAnnotations: { 'kwok.x-k8s.io/usage-cpu': '450m' } });
    await deploy(objects, { name: 'busy', kubeconfig: kubeconfigPath, namespace: ns, createNamespace: true, timeoutMs: 60_000, hpaSettleMs: 0 });
    const { readStatus } = await import('../../src/kube/status.js');
    // metrics-server needs a scrape or two (15 s resolution) before the first pod metrics exist.
    let last: Awaited<ReturnType<typeof readStatus>> | undefined;
    for (let i = 0; i < 60; i++) {
      last = await readStatus({ name: 'busy', kubeconfig: kubeconfigPath, namespace: ns });
      const h = last.autoscalers[0];
      if (h?.scalingActive && h.desiredReplicas > 1) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    const h = last!.autoscalers[0]!;
    assert.equal(h.scalingActive, true, JSON.stringify(h.conditions));
    assert.equal(h.metrics[0]!.current, '90%');
    assert.ok(h.desiredReplicas >= 2, `desired ${h.desiredReplicas}`);
    assert.deepEqual(h.problems, []);
  });
});
