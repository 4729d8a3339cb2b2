/**
 * What the tests on the real node rn1 share: the demo's spec as a user adapts it for this cluster, the
 * cluster's state with the node up, and a service account token allowed through the Service's proxy (the
 * way a load test reaches pods here: over TLS through the API server, 127.0.0.1 only; there is no kube-proxy).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { KubeClient } from '../../src/kube/client.js';
import { readState, repoRoot, type ClusterState } from '../support/cluster/cluster.js';
import { realNode } from '../support/cluster/real-node.js';

export const realNodeScratch = mkdtempSync(path.join(tmpdir(), 'mdl-real-node-'));

/** examples/demo/mdl.config.yaml as a user would adapt it for this cluster: image and placement (and, for a
 *  test that needs them, other fields). Returns the spec file's path. */
export function demoSpec(overrides: { name?: string; image: string; edit?: (spec: Record<string, any>) => void }): string {
  const demoDir = path.join(repoRoot, 'examples/demo');
  const spec = parse(readFileSync(path.join(demoDir, 'mdl.config.yaml'), 'utf8')) as Record<string, any>;
  spec.name = overrides.name ?? spec.name;
  spec.image = overrides.image;
  spec.nodeSelector = { [realNode.label.key]: realNode.label.value };
  spec.tolerations = [{ key: realNode.taint.key, operator: 'Equal', value: realNode.taint.value, effect: realNode.taint.effect }];
  // The spec moves out of its folder: keep its relative paths pointing at the demo's files.
  spec.loadtest.payload = path.join(demoDir, spec.loadtest.payload as string);
  overrides.edit?.(spec);
  const file = path.join(realNodeScratch, `${spec.name as string}.mdl.config.yaml`);
  writeFileSync(file, stringify(spec));
  return file;
}

export function clusterState(): ClusterState {
  const state = readState();
  assert.ok(state?.realNode, `the real node is not up: ${realNode.name} starts with the cluster unless MDL_CLUSTER_REAL_NODE=0`);
  return state;
}

/** A token of the namespace's default service account, allowed to send through the proxy of Service `service`. */
export async function serviceProxyToken(client: KubeClient, ns: string, service: string): Promise<string> {
  await client.request('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, { body: {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'proxy' },
    rules: [{ apiGroups: [''], resources: ['services/proxy'], resourceNames: [service, `${service}:http`], verbs: ['get', 'create'] }],
  } });
  await client.request('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, { body: {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'proxy' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'proxy' },
    subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: ns }],
  } });
  return (await client.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${ns}/serviceaccounts/default/token`, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  })).status.token;
}
