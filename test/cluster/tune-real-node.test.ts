/**
 * `mdl tune --cluster` on the real node rn1: the demo deployed from its spec, tuned through the API server's
 * service proxy (the URL a user without an ingress has), its HPA pinned for the search and restored after,
 * and the cold start timed on the new pod itself — created → containers running → Ready → the search's
 * request answered by that pod, sent to it through the API server's pod proxy.
 */
import assert from 'node:assert/strict';
import { kubeconfigPath } from '../support/cluster/cluster.js';
import { DEMO_IMAGE } from '../support/cluster/node-images.js';
import { realNode } from '../support/cluster/real-node.js';
import { clusterState, demoSpec, serviceProxyToken } from './real-node-support.js';
import { admin, runMdl, uniqueNamespace } from './support.js';

describe(`mdl tune --cluster on the real node ${realNode.name}`, function () {
  const ns = uniqueNamespace('mdl-tune-real');
  const env = { KUBECONFIG: kubeconfigPath };

  after(async () => {
    const client = await admin();
    await client.request('DELETE', `/api/v1/namespaces/${ns}`).catch(() => undefined);
  });

  it('pins, measures through the Service, times the new pod from creation to its own first answer, restores', async function () {
    this.timeout(300_000);
    const state = clusterState();
    const spec = demoSpec({ name: 'iris', image: DEMO_IMAGE, edit: (s) => {
      s.resources = { ...s.resources, cpu: '300m' };
      s.scaling = { ...s.scaling, minReplicas: 1, maxReplicas: 2 };
    } });
    const deployed = await runMdl(['deploy', '-c', spec, '--namespace', ns, '--create-namespace', '--timeout', '150s'], env);
    assert.equal(deployed.code, 0, deployed.stderr);
    const client = await admin();
    const token = await serviceProxyToken(client, ns, 'iris');
    const url = `${state.server}/api/v1/namespaces/${ns}/services/iris:http/proxy/v2/models/iris/infer`;
    const r = await runMdl(['tune', url, '-c', spec, '--cluster', '--name', 'iris', '--namespace', ns, '--replicas', '1',
      '--window', '1s', '--axis', 'concurrency', '--slo', 'p95<2s', '--start-level', '1', '--max-level', '2', '--json',
      '-H', 'Authorization: Bearer ${MDL_PROXY_TOKEN}'], { ...env, MDL_PROXY_TOKEN: token, NODE_EXTRA_CA_CERTS: state.pki.ca });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as {
      target: { url: string; cluster: { deployment: string; service: string; pinnedReplicas: number; original: { min: number; max: number } } };
      coldStartMs: { value: number; source: string; note: string };
      capacityPerReplica?: { perSecond: { value: number } };
    };
    assert.deepEqual([result.target.cluster.deployment, result.target.cluster.service, result.target.cluster.pinnedReplicas], ['iris', 'iris', 1]);
    assert.deepEqual(result.target.cluster.original, { min: 1, max: 2 });
    assert.ok((result.capacityPerReplica?.perSecond.value ?? 0) > 0, 'measured a capacity through the Service');
    // The cold start is the new pod's own: its containers ran, its readiness probe passed (the weights load and
    // are verified first), and it answered the search's request itself.
    assert.equal(result.coldStartMs.source, 'measured');
    const note = result.coldStartMs.note;
    process.stderr.write(`      cold start ${result.coldStartMs.value} ms: ${note.slice(note.indexOf('start → ready'))}\n`);
    assert.match(note, /start → ready (\d+) ms \(containers running after (\d+) ms\), ready → first response (\d+) ms from the new pod itself/);
    const [, ready, running] = /start → ready (\d+) ms \(containers running after (\d+) ms\)/.exec(note)!.map(Number);
    assert.ok(running! > 0 && running! < ready!, `running ${running} ms, ready ${ready} ms`);
    assert.ok(result.coldStartMs.value >= ready!, `${result.coldStartMs.value} ms`);
    // Restored.
    const hpa = await client.request<{ spec: { minReplicas: number; maxReplicas: number }; metadata: { annotations?: Record<string, string> } }>(
      'GET', `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/iris`);
    assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [1, 2]);
  });
});
