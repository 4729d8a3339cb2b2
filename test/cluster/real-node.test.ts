/**
 * The demo model on the real node rn1 (containerd + runc + kubelet, test/support/cluster/real-node.ts):
 * the built CLI renders examples/demo's spec and deploys it, the rollout waits on the server's real
 * readiness probe, `mdl status` shows the pod, and an inference request reaches the container through the
 * API server's service proxy and over the node's bridge. The spec is the demo's own, with the image built
 * by the harness and the node selector + toleration that put it on rn1 (which is tainted so that the
 * other tests' pods stay on kwok's nodes).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { apiRequest, kubeconfigPath } from '../support/cluster/cluster.js';
import { BROKEN_IMAGE, DEMO_IMAGE, DEMO_PORT } from '../support/cluster/node-images.js';
import { realNode } from '../support/cluster/real-node.js';
import { clusterState, demoSpec, realNodeScratch as scratch, serviceProxyToken } from './real-node-support.js';
import { admin, mdl, runMdl, uniqueNamespace } from './support.js';

interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: {
    podIP?: string;
    conditions?: { type: string; status: string; lastTransitionTime: string }[];
    containerStatuses?: { ready: boolean; restartCount: number; state: { running?: { startedAt: string } } }[];
  };
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

  it('answers on the Service\'s ClusterIP from the host, through kube-proxy\'s rules, and a ClusterIP without endpoints is refused here', async () => {
    const client = await admin();
    const svc = await client.request<{ spec: { clusterIP: string; ports: { name: string; port: number }[] } }>('GET', `/api/v1/namespaces/${ns}/services/iris`);
    const port = svc.spec.ports.find((p) => p.name === 'http')!.port;
    assert.ok(svc.spec.clusterIP.startsWith('198.19.'), `ClusterIP ${svc.spec.clusterIP} in the test range`);
    const res = await fetch(`http://${svc.spec.clusterIP}:${port}/v2/models/iris/infer`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] }),
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(res.status, 200);
    const answer = (await res.json()) as { outputs: { name: string; data: unknown[] }[] };
    assert.deepEqual(answer.outputs.find((o) => o.name === 'label')!.data, ['setosa']);

    // A Service selecting no pods: kube-proxy rejects its ClusterIP on this host, so the request fails at once.
    const empty = await client.request<{ spec: { clusterIP: string } }>('POST', `/api/v1/namespaces/${ns}/services`, { body: {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'nobody' },
      spec: { selector: { app: 'nobody' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    } });
    let refused: unknown;
    for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
      refused = await fetch(`http://${empty.spec.clusterIP}/`, { signal: AbortSignal.timeout(3000) }).then(() => undefined, (e: unknown) => e);
      // Until kube-proxy has synced the new Service, the range's route onto the bridge answers nothing (a timeout).
      if (refused instanceof Error && /ECONNREFUSED/.test(String((refused as { cause?: unknown }).cause))) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.match(String((refused as { cause?: unknown } | undefined)?.cause), /ECONNREFUSED/);
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

/** The Prometheus counter of the demo's successful inferences, read from the pod itself over the bridge. */
async function answered(podIP: string): Promise<number | undefined> {
  try {
    const res = await fetch(`http://${podIP}:${DEMO_PORT}/metrics`, { signal: AbortSignal.timeout(1000) });
    const line = (await res.text()).split('\n').find((l) => l.startsWith('model_infer_request_success_total'));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  } catch {
    return undefined; // the server has closed its port (or the pod is gone)
  }
}

/** One inference request on a connection of its own (no keep-alive), so kube-proxy picks a pod for it. */
function inferOnNewConnection(url: string): Promise<number> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] });
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', connection: 'close' }, timeout: 3000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}

interface LoadResultDoc {
  requests: { sent: number; completed: number; failed: number; dropped: number };
  errors: Record<string, number>;
  latencyMs: { p50: number; p99: number; max: number };
}

/**
 * Scale-down under load: `mdl loadtest` sends to the Service through the API server's service proxy (over
 * TLS, as a service account with a token; 127.0.0.1 only) while the Deployment goes from 2 replicas to 1.
 * The proxy picks a ready address of the Service's Endpoints for each request; the endpoints controller drops
 * a pod from them as soon as it is marked for deletion, and the rendered preStop (`shutdown.drain`) keeps the
 * server answering until that has happened and what was in flight is done, before the kubelet's SIGTERM.
 * What it proves and what it does not: test/support/cluster/README.md, "Scale-down drain on rn1".
 */
describe(`scale-down under load drains in-flight requests on ${realNode.name}`, function () {
  const namespaces = { 'service-proxy': uniqueNamespace('mdl-drain'), 'cluster-ip': uniqueNamespace('mdl-drain-ip') };
  const env = { KUBECONFIG: kubeconfigPath };

  after(async () => {
    const client = await admin();
    for (const ns of Object.values(namespaces)) await client.request('DELETE', `/api/v1/namespaces/${ns}`).catch(() => undefined);
  });

  it('mdl deploy at 2 replicas, mdl loadtest through the API server, scale to 1 mid-run: no request fails', async function () {
    this.timeout(240_000);
    await drainUnderLoad('service-proxy');
  });

  it('the same through the Service\'s ClusterIP (kube-proxy\'s rules, which follow the EndpointSlices): no request fails', async function () {
    this.timeout(240_000);
    await drainUnderLoad('cluster-ip');
  });

  async function drainUnderLoad(route: keyof typeof namespaces): Promise<void> {
    const ns = namespaces[route];
    const state = clusterState();
    // Fixed at 2 replicas (no HPA to undo the scale-down); 500m each, so both fit on rn1's two cores beside
    // pods of the tests before that may still be terminating.
    const spec = demoSpec({ image: DEMO_IMAGE, edit: (s) => {
      s.scaling = { minReplicas: 2, maxReplicas: 2 };
      s.resources = { ...s.resources, cpu: '500m' };
    } });
    const deployed = await runMdl(['deploy', '-c', spec, '--namespace', ns, '--create-namespace', '--timeout', '150s'], env);
    assert.equal(deployed.code, 0, deployed.stderr);
    const client = await admin();
    const live = async () => (await client.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${ns}/pods`)).items;
    const before = (await live()).filter((p) => !p.metadata.deletionTimestamp);
    assert.equal(before.length, 2);
    assert.ok(before.every((p) => p.spec.nodeName === realNode.name));

    let load: ReturnType<typeof mdl>;
    if (route === 'service-proxy') {
      const token = await serviceProxyToken(client, ns, 'iris');
      const url = `${state.server}/api/v1/namespaces/${ns}/services/iris:http/proxy/v2/models/iris/infer`;
      load = mdl(['loadtest', url, '-c', spec, '--rate', '20', '--duration', '25s', '--warmup', '0', '--json',
        '-H', 'Authorization: Bearer ${MDL_DRAIN_TOKEN}'], { ...env, MDL_DRAIN_TOKEN: token, NODE_EXTRA_CA_CERTS: state.pki.ca }, 120_000);
    } else {
      const svc = await client.request<{ spec: { clusterIP: string; ports: { name: string; port: number }[] } }>('GET', `/api/v1/namespaces/${ns}/services/iris`);
      const url = `http://${svc.spec.clusterIP}:${svc.spec.ports.find((p) => p.name === 'http')!.port}/v2/models/iris/infer`;
      // kube-proxy programs a pod a moment after it turns Ready: until then every new connection goes to the
      // other one. Inference on fresh connections until both pods have answered one.
      for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
        const counts = await Promise.all(before.map((p) => answered(p.status.podIP!)));
        if (counts.every((c) => (c ?? 0) > 0)) break;
        await Promise.all(Array.from({ length: 4 }, () => inferOnNewConnection(url)));
      }
      // Eight clients, each on its own keep-alive connection, which kube-proxy pins to one pod when it opens:
      // so both pods carry load (one connection would stay on one pod).
      load = mdl(['loadtest', url, '-c', spec, '--concurrency', '8', '--duration', '25s', '--warmup', '0', '--json'], env, 120_000);
    }
    const started = Date.now();
    const at = () => Date.now() - started;

    // Both pods answer before the scale-down (the proxy spreads over the Endpoints' addresses).
    await new Promise((r) => setTimeout(r, 6000));
    const counts = await Promise.all(before.map((p) => answered(p.status.podIP!)));
    assert.ok(counts.every((c) => (c ?? 0) > 0), `requests answered per pod before the scale-down: ${counts.join(', ')}`);

    await client.request('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/iris/scale`, {
      body: { spec: { replicas: 1 } }, contentType: 'application/merge-patch+json',
    });
    const scaledAt = at();
    let victim: Pod | undefined;
    while (!victim && at() < 15_000) {
      victim = (await live()).find((p) => p.metadata.deletionTimestamp);
      if (!victim) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(victim, 'no pod was marked for deletion after the scale-down');
    const deletedAt = at();
    const ip = victim.status.podIP!;
    // When the pod leaves the Service's Endpoints, and how long its server still answers after that.
    let leftEndpointsAt: number | undefined;
    let lastCount: number | undefined;
    let firstCount: number | undefined;
    let closedAt: number | undefined;
    while (closedAt === undefined && at() < 60_000) {
      if (leftEndpointsAt === undefined) {
        const eps = await client.request<{ subsets?: { addresses?: { ip: string }[] }[] }>('GET', `/api/v1/namespaces/${ns}/endpoints/iris`);
        if (!(eps.subsets ?? []).some((ss) => (ss.addresses ?? []).some((a) => a.ip === ip))) leftEndpointsAt = at();
      }
      const c = await answered(ip);
      if (c === undefined) closedAt = at();
      else {
        firstCount ??= c;
        lastCount = c;
      }
      await new Promise((r) => setTimeout(r, 200));
    }

    const run = await load.done;
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as LoadResultDoc;
    process.stderr.write(`      drain (${route}): scale at ${scaledAt} ms, pod marked ${deletedAt} ms, out of the Endpoints by ${leftEndpointsAt} ms, ` +
      `its port closed by ${closedAt} ms (answers counted at deletion ${firstCount}, last ${lastCount}); ` +
      `${result.requests.completed}/${result.requests.sent} completed, ${result.requests.failed} failed, p99 ${result.latencyMs.p99} ms\n`);
    // The whole termination (deletion, preStop drain, SIGTERM, exit) happened while the load went on.
    assert.ok(closedAt !== undefined && closedAt < 24_000, `the pod's server closed at ${closedAt} ms, the load ran 25 s`);
    assert.ok(leftEndpointsAt !== undefined && leftEndpointsAt < closedAt, 'the pod left the Endpoints before its server closed');
    assert.ok(result.requests.sent >= 450, `${result.requests.sent} requests sent`);
    assert.equal(result.requests.failed, 0, `errors: ${JSON.stringify(result.errors)}`);
    assert.equal(result.requests.dropped, 0);
    assert.equal(result.requests.completed, result.requests.sent);
    const after = (await live()).filter((p) => !p.metadata.deletionTimestamp);
    assert.deepEqual(after.map((p) => p.metadata.name), before.filter((p) => p.metadata.name !== victim.metadata.name).map((p) => p.metadata.name));
  }
});
