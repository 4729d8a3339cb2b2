/**
 * The demo model on the real node rn1 (containerd + runc + kubelet, test/support/cluster/real-node.ts):
 * the built CLI renders examples/demo's spec and deploys it, the rollout waits on the server's real
 * readiness probe, `mdl status` shows the pod, and an inference request reaches the container through the
 * API server's service proxy and over the node's bridge. The spec is the demo's own, with the image built
 * by the harness and the node selector + toleration that put it on rn1 (which is tainted so that the
 * other tests' pods stay on kwok's nodes).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { apiRequest, kubeconfigPath, readState, repoRoot, type ClusterState } from '../support/cluster/cluster.js';
import { BROKEN_IMAGE, DEMO_IMAGE, DEMO_PORT } from '../support/cluster/node-images.js';
import { realNode } from '../support/cluster/real-node.js';
import { admin, runMdl, uniqueNamespace } from './support.js';

interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: {
    podIP?: string;
    conditions?: { type: string; status: string; lastTransitionTime: string }[];
    containerStatuses?: { ready: boolean; restartCount: number; state: { running?: { startedAt: string } } }[];
  };
}

const scratch = mkdtempSync(path.join(tmpdir(), 'mdl-real-node-'));

/** examples/demo/mdl.config.yaml as a user would adapt it for this cluster: image and placement. */
function demoSpec(overrides: { name?: string; image: string }): string {
  const demoDir = path.join(repoRoot, 'examples/demo');
  const spec = parse(readFileSync(path.join(demoDir, 'mdl.config.yaml'), 'utf8')) as Record<string, any>;
  spec.name = overrides.name ?? spec.name;
  spec.image = overrides.image;
  spec.nodeSelector = { [realNode.label.key]: realNode.label.value };
  spec.tolerations = [{ key: realNode.taint.key, operator: 'Equal', value: realNode.taint.value, effect: realNode.taint.effect }];
  // The spec moves out of its folder: keep its relative paths pointing at the demo's files.
  spec.loadtest.payload = path.join(demoDir, spec.loadtest.payload as string);
  const file = path.join(scratch, `${spec.name as string}.mdl.config.yaml`);
  writeFileSync(file, stringify(spec));
  return file;
}

function clusterState(): ClusterState {
  const state = readState();
  assert.ok(state?.realNode, `the real node is not up: ${realNode.name} starts with the cluster unless MDL_CLUSTER_REAL_NODE=0`);
  return state;
}

describe(`the demo model on the real node ${realNode.name}`, function () {
  const ns = uniqueNamespace('mdl-real');
  const env = { KUBECONFIG: kubeconfigPath };
  const brokenNs = uniqueNamespace('mdl-real-broken');
  let pod: Pod;

  // Without the node (MDL_CLUSTER_REAL_NODE=0) the suite fails here, saying so.
  before(() => {
    clusterState();
  });

  after(async () => {
    // rn1 has two cores: free them for whatever runs next (the kubelet stops the pods).
    const client = await admin();
    for (const n of [ns, brokenNs]) await client.request('DELETE', `/api/v1/namespaces/${n}`).catch(() => undefined);
  });

  it('mdl deploy of the demo spec rolls out on rn1, Ready only once its readiness probe passes', async () => {
    const spec = demoSpec({ image: DEMO_IMAGE });
    const r = await runMdl(['deploy', '-c', spec, '--namespace', ns, '--create-namespace', '--timeout', '150s'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Deployment\/iris created/);
    assert.match(r.stderr, /successfully rolled out/);

    const client = await admin();
    // The node is the kubelet's, not kwok's: it reports its own runtime and version.
    const node = await client.request<{ status: { nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string } } }>('GET', `/api/v1/nodes/${realNode.name}`);
    assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.36.3');
    assert.match(node.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\/2\.3\.4/);
    const pods = (await client.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${ns}/pods`)).items
      .filter((p) => !p.metadata.deletionTimestamp);
    assert.equal(pods.length, 1);
    pod = pods[0]!;
    assert.equal(pod.spec.nodeName, realNode.name);
    assert.match(pod.status.podIP ?? '', /^198\.18\.0\.\d+$/);
    const container = pod.status.containerStatuses![0]!;
    assert.equal(container.ready, true);
    assert.equal(container.restartCount, 0);
    // The server loads and verifies its weights before /v2/health/ready answers 200 (seconds here), so a
    // real probe makes the pod Ready well after its container started.
    const started = Date.parse(container.state.running!.startedAt);
    const ready = Date.parse(pod.status.conditions!.find((c) => c.type === 'Ready' && c.status === 'True')!.lastTransitionTime);
    assert.ok(ready - started >= 1000, `Ready ${ready - started} ms after the container started`);
  });

  it('mdl status shows the pod Ready on the real node', async () => {
    const r = await runMdl(['status', '--name', 'iris', '--namespace', ns, '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { deployments: { name: string; rollout: { done: boolean; ready: number }; pods: { name: string; ready: boolean; phase: string }[] }[] };
    assert.equal(s.deployments[0]!.name, 'iris');
    assert.equal(s.deployments[0]!.rollout.done, true);
    assert.deepEqual(s.deployments[0]!.pods.map((p) => [p.name, p.phase, p.ready]), [[pod.metadata.name, 'Running', true]]);
    const plain = await runMdl(['status', '--name', 'iris', '--namespace', ns], env);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /deployment iris: 1\/1 ready/);
  });

  it('answers an inference request through the API server\'s service proxy and on its pod IP', async () => {
    const state = clusterState();
    const body = { id: 'r0', inputs: [{ name: 'input-0', shape: [2, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2, 6.3, 3.3, 6, 2.5] }] };
    const viaService = await apiRequest(state, 'POST', `/api/v1/namespaces/${ns}/services/iris:http/proxy/v2/models/iris/infer`, body);
    assert.equal(viaService.status, 200, viaService.body);
    const answer = JSON.parse(viaService.body) as { model_name: string; id: string; outputs: { name: string; data: unknown[] }[] };
    assert.equal(answer.model_name, 'iris');
    assert.equal(answer.id, 'r0');
    // Iris rows 1 and 101 of the data set: a setosa and a virginica.
    assert.deepEqual(answer.outputs.find((o) => o.name === 'label')!.data, ['setosa', 'virginica']);

    // The same container straight over the node's bridge, from the host.
    const direct = await fetch(`http://${pod.status.podIP!}:${DEMO_PORT}/v2/models/iris/infer`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: [6, 2.9, 4.5, 1.5] }] }),
    });
    assert.equal(direct.status, 200);
    const directAnswer = (await direct.json()) as { outputs: { name: string; data: unknown[] }[] };
    assert.deepEqual(directAnswer.outputs.find((o) => o.name === 'label')!.data, ['versicolor']);
  });

  it('Prometheus discovers the pod through the API server and scrapes it at its annotated port and path', async () => {
    const prometheus = `http://127.0.0.1:${clusterState().ports.prometheus!}`;
    const query = async (q: string) => {
      const res = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(q)}`);
      assert.equal(res.status, 200);
      return ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
    };
    const selector = `{namespace="${ns}",pod="${pod.metadata.name}"}`;
    const deadline = Date.now() + 60_000;
    let up: Awaited<ReturnType<typeof query>> = [];
    while (Date.now() < deadline) {
      up = await query(`up${selector}`);
      if (up.length > 0 && up[0]!.value[1] === '1') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    assert.equal(up.length, 1, `no scrape of ${pod.metadata.name} within 60 s`);
    assert.equal(up[0]!.value[1], '1');
    assert.equal(up[0]!.metric.instance, `${pod.status.podIP!}:${DEMO_PORT}`);
    // Series the server itself exports, not only Prometheus' own bookkeeping about the scrape.
    const own = await query(`count by (pod) ({namespace="${ns}",pod="${pod.metadata.name}",__name__!~"up|scrape_.*"})`);
    assert.ok(own.length === 1 && Number(own[0]!.value[1]) > 0, JSON.stringify(own));
  });

  it('a rollout of an image that cannot start is reported as failed with the reason (exit 4)', async () => {
    const spec = demoSpec({ name: 'iris-broken', image: BROKEN_IMAGE });
    const r = await runMdl(['deploy', '-c', spec, '--namespace', brokenNs, '--create-namespace', '--timeout', '40s'], env);
    assert.equal(r.code, 4, r.stderr);
    // The error itself (not only the progress lines before it) names the pod, the kubelet's reason and
    // how the container's start failed.
    const error = r.stderr.slice(r.stderr.indexOf('Error: '));
    assert.match(error, /^Error: Timed out after 40s waiting for deployment "iris-broken"/);
    assert.match(error, /\n {2}pod iris-broken-[\w-]+: Running, (CrashLoopBackOff|RunContainerError|StartError)(, \d+ restarts)? \(StartError: .*exec: "\/bin\/model-server": stat \/bin\/model-server: no such file or directory\)/);
  });
});
