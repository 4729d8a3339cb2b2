/**
 * Starts and stops the test control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
 * kwok (the fake nodes and pods) and metrics-server, each a process on 127.0.0.1 on ports chosen free at
 * start, with certificates made by openssl; and one real node, rn1 (containerd + kubelet + kube-proxy, real-node.ts). State (pids, ports, data, logs) lives in .cache/cluster/run;
 * the admin kubeconfig is .cache/cluster/kubeconfig.
 *
 *   tsx test/support/cluster/cluster.ts up|down|status
 *
 * Settings (environment): MDL_CLUSTER_DIR (default <repo>/.cache/cluster), MDL_CLUSTER_POD_READY_DELAY_MS
 * (default 1000: how long kwok waits before a scheduled pod becomes Ready; a pod's annotation
 * mdl.test/ready-delay overrides it), MDL_CLUSTER_NODES (default 3), MDL_CLUSTER_METRICS (default 1:
 * start metrics-server), MDL_CLUSTER_REAL_NODE (default 1: start the real node rn1, Prometheus scraping
 * its pods, prometheus.ts, and prometheus-adapter serving custom.metrics.k8s.io from it, prometheus-adapter.ts;
 * 0 while developing something that needs kwok's nodes only).
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prometheusArgs } from './prometheus.js';
import { adapterArgs, adapterBinary, adapterRegistration } from './prometheus-adapter.js';
import { prepareRealNodeHost, clusterRanges, realNode, realNodeEnabled, startRealNode, stopRealNode, type RealNodeState } from './real-node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
export const clusterDir = process.env.MDL_CLUSTER_DIR ?? path.join(repoRoot, '.cache/cluster');
export const runDir = path.join(clusterDir, 'run');
export const kubeconfigPath = path.join(clusterDir, 'kubeconfig');
const statePath = path.join(runDir, 'state.json');
/** Where the logs of a start that failed are kept. */
const failedLogsDir = path.join(clusterDir, 'failed-start-logs');

export interface ClusterState {
  binDir: string;
  server: string;
  ports: Record<string, number>;
  pids: Record<string, number>;
  pki: { ca: string; caKey: string; cert: string; key: string };
  startedAt: string;
  /** Set when the real node was started. */
  realNode?: RealNodeState;
}

/** The order processes start in; down stops them in reverse. */
const componentOrder = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'metrics-server', 'containerd', 'kubelet', 'kube-proxy', 'prometheus', 'prometheus-adapter'];

function log(message: string): void {
  process.stderr.write(`[cluster] ${message}\n`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function readState(): ClusterState | undefined {
  if (!existsSync(statePath)) return undefined;
  return JSON.parse(readFileSync(statePath, 'utf8')) as ClusterState;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function freePorts(names: string[]): Promise<Record<string, number>> {
  // Hold every port chosen until all are picked, so two names never get the same one.
  const servers: net.Server[] = [];
  const ports: Record<string, number> = {};
  for (const name of names) {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    servers.push(server);
    const address = server.address();
    ports[name] = typeof address === 'object' && address ? address.port : await freePort();
  }
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** One CA; one key pair that is the apiserver's serving cert, the admin client (system:masters), the
 *  front-proxy client and the service-account signer. */
function makePki(dir: string): ClusterState['pki'] {
  mkdirSync(dir, { recursive: true });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30',
    '-subj', '/CN=mdl-test-ca'], dir);
  writeFileSync(path.join(dir, 'admin.ext'), [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth,clientAuth',
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc',
    '',
  ].join('\n'));
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'admin.key', '-out', 'admin.csr',
    '-subj', '/O=system:masters/CN=admin'], dir);
  openssl(['x509', '-req', '-in', 'admin.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'admin.crt', '-days', '30', '-extfile', 'admin.ext'], dir);
  return {
    ca: path.join(dir, 'ca.crt'), caKey: path.join(dir, 'ca.key'),
    cert: path.join(dir, 'admin.crt'), key: path.join(dir, 'admin.key'),
  };
}

/** A client certificate for `user` in `groups`, signed by the cluster's CA, as a kubeconfig file. */
export function writeUserKubeconfig(state: ClusterState, user: string, groups: string[], file: string): string {
  const dir = path.join(runDir, 'pki', `user-${user}`);
  mkdirSync(dir, { recursive: true });
  const subject = `${groups.map((g) => `/O=${g}`).join('')}/CN=${user}`;
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'user.key', '-out', 'user.csr', '-subj', subject], dir);
  writeFileSync(path.join(dir, 'user.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl(['x509', '-req', '-in', 'user.csr', '-CA', state.pki.ca, '-CAkey', state.pki.caKey, '-CAcreateserial',
    '-out', 'user.crt', '-days', '30', '-extfile', 'user.ext'], dir);
  writeFileSync(file, kubeconfigYaml(state.server, state.pki.ca, path.join(dir, 'user.crt'), path.join(dir, 'user.key'), user));
  return file;
}

function kubeconfigYaml(server: string, ca: string, cert: string, key: string, user = 'admin', namespace = 'default'): string {
  const b64 = (f: string) => readFileSync(f).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
- name: mdl-test
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(ca)}
users:
- name: ${user}
  user:
    client-certificate-data: ${b64(cert)}
    client-key-data: ${b64(key)}
contexts:
- name: mdl-test
  context: { cluster: mdl-test, user: ${user}, namespace: ${namespace} }
current-context: mdl-test
`;
}

/** A request to the API server with the admin certificate. */
export function apiRequest(state: ClusterState, method: string, urlPath: string, body?: unknown,
  contentType = 'application/json'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(urlPath, state.server);
    const req = https.request(url, {
      method,
      ca: readFileSync(state.pki.ca), cert: readFileSync(state.pki.cert), key: readFileSync(state.pki.key),
      headers: body === undefined ? {} : { 'content-type': contentType },
      timeout: 10_000,
    }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { data += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
    req.on('error', reject);
    if (body !== undefined) req.write(typeof body === 'string' ? body : JSON.stringify(body));
    req.end();
  });
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>, pids: number[] = []): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const pid of pids) {
      if (!alive(pid)) throw new Error(`${what}: process ${pid} exited; see the logs in ${path.join(runDir, 'logs')}`);
    }
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not ready after ${timeoutMs / 1000} s; see the logs in ${path.join(runDir, 'logs')}`);
}

function startProcess(name: string, binary: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const logs = path.join(runDir, 'logs');
  mkdirSync(logs, { recursive: true });
  const fd = openSync(path.join(logs, `${name}.log`), 'a');
  // Detached: its own process group, so it outlives this script and down can stop it by pid.
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new Error(`${name}: could not start ${binary}`);
  return child.pid;
}

function buildBinaries(): string {
  log('checking binaries (building what is missing; a cold build takes a while)');
  const out = execFileSync('bash', [path.join(here, 'build.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  return out.trim().split('\n').pop()!.trim();
}

function saveState(state: ClusterState): void {
  writeFileSync(statePath, JSON.stringify(state, null, 2));
}

/** Restarts kube-apiserver with the same flags (tests of a watch that must resume). */
export async function restartApiServer(state: ClusterState, downMs = 1000): Promise<void> {
  const pid = state.pids['kube-apiserver'];
  if (pid !== undefined) await stopPid(pid);
  await new Promise((r) => setTimeout(r, downMs));
  const args = JSON.parse(readFileSync(path.join(runDir, 'kube-apiserver.args.json'), 'utf8')) as string[];
  state.pids['kube-apiserver'] = startProcess('kube-apiserver', path.join(state.binDir, 'kube'), args);
  saveState(state);
  await waitFor('kube-apiserver', 60_000, async () => (await apiRequest(state, 'GET', '/readyz')).status === 200,
    [state.pids['kube-apiserver']]);
}

export async function isUp(): Promise<boolean> {
  const state = readState();
  if (!state) return false;
  if (!Object.values(state.pids).every(alive)) return false;
  try {
    return (await apiRequest(state, 'GET', '/readyz')).status === 200;
  } catch {
    return false;
  }
}

export async function up(): Promise<ClusterState> {
  if (await isUp()) {
    log(`already up: ${readState()!.server}`);
    return readState()!;
  }
  if (readState()) await down();
  const t0 = Date.now();
  const binDir = buildBinaries();
  const adapterBin = realNodeEnabled() ? adapterBinary() : undefined;
  const tBuilt = Date.now();
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  const pki = makePki(path.join(runDir, 'pki'));
  const ports = await freePorts(['etcd', 'etcdPeer', 'apiserver', 'controllerManager', 'scheduler', 'kwok', 'metricsServer',
    'kubelet', 'kubeletHealthz', 'kubeProxyMetrics', 'kubeProxyHealthz', 'prometheus', 'prometheusAdapter']);
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const state: ClusterState = { binDir, server, ports, pids: {}, pki, startedAt: new Date().toISOString() };
  const kube = path.join(binDir, 'kube');
  const kubeconfigComponents = path.join(runDir, 'admin.kubeconfig');
  writeFileSync(kubeconfigComponents, kubeconfigYaml(server, pki.ca, pki.cert, pki.key));
  saveState(state);

  try {
    const etcdUrl = `http://127.0.0.1:${ports.etcd}`;
    const peerUrl = `http://127.0.0.1:${ports.etcdPeer}`;
    state.pids.etcd = startProcess('etcd', path.join(binDir, 'etcd'), [
      '--name=default', `--data-dir=${path.join(runDir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`, '--unsafe-no-fsync', '--log-level=warn',
    ]);
    saveState(state);

    const apiArgs = [
      'kube-apiserver',
      `--etcd-servers=${etcdUrl}`, '--bind-address=127.0.0.1', `--secure-port=${ports.apiserver}`,
      '--advertise-address=127.0.0.1',
      `--tls-cert-file=${pki.cert}`, `--tls-private-key-file=${pki.key}`, `--client-ca-file=${pki.ca}`,
      '--authorization-mode=Node,RBAC', `--service-cluster-ip-range=${clusterRanges.services}`,
      '--service-account-issuer=https://kubernetes.default.svc', `--service-account-key-file=${pki.key}`,
      `--service-account-signing-key-file=${pki.key}`, '--endpoint-reconciler-type=none',
      `--requestheader-client-ca-file=${pki.ca}`, '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group', '--requestheader-allowed-names=admin', '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${pki.cert}`, `--proxy-client-key-file=${pki.key}`,
      // Logs, exec and the node proxy on the real kubelet, which trusts this CA and asks the API server (webhook).
      `--kubelet-client-certificate=${pki.cert}`, `--kubelet-client-key=${pki.key}`,
      '--allow-privileged=true',
    ];
    writeFileSync(path.join(runDir, 'kube-apiserver.args.json'), JSON.stringify(apiArgs));
    await waitFor('etcd', 30_000, async () => (await fetch(`${etcdUrl}/health`)).ok, [state.pids.etcd]);
    state.pids['kube-apiserver'] = startProcess('kube-apiserver', kube, apiArgs);
    saveState(state);
    await waitFor('kube-apiserver', 90_000, async () => (await apiRequest(state, 'GET', '/readyz')).status === 200,
      [state.pids['kube-apiserver']]);
    const tApi = Date.now();

    state.pids['kube-controller-manager'] = startProcess('kube-controller-manager', kube, [
      'kube-controller-manager', `--kubeconfig=${kubeconfigComponents}`,
      `--authentication-kubeconfig=${kubeconfigComponents}`, `--authorization-kubeconfig=${kubeconfigComponents}`,
      '--bind-address=127.0.0.1', `--secure-port=${ports.controllerManager}`,
      `--root-ca-file=${pki.ca}`, `--service-account-private-key-file=${pki.key}`, '--use-service-account-credentials=false',
      `--cluster-signing-cert-file=${pki.ca}`, `--cluster-signing-key-file=${pki.caKey}`,
      '--leader-elect=false',
      // Short HPA periods so scaling is observable in a test (defaults: 15 s and 5 min).
      '--horizontal-pod-autoscaler-sync-period=2s', '--horizontal-pod-autoscaler-downscale-stabilization=10s',
      '--concurrent-deployment-syncs=10',
      // Every HPA sync logs its time and proposal (horizontal.go, level 4): the fidelity test reads them.
      '--vmodule=horizontal=4',
    ]);
    state.pids['kube-scheduler'] = startProcess('kube-scheduler', kube, [
      'kube-scheduler', `--kubeconfig=${kubeconfigComponents}`,
      `--authentication-kubeconfig=${kubeconfigComponents}`, `--authorization-kubeconfig=${kubeconfigComponents}`,
      '--bind-address=127.0.0.1', `--secure-port=${ports.scheduler}`, '--leader-elect=false',
    ]);
    const readyDelayMs = Number(process.env.MDL_CLUSTER_POD_READY_DELAY_MS ?? 1000);
    const podStages = readFileSync(path.join(here, 'kwok/pod-stages.yaml'), 'utf8')
      .replace(/__READY_DELAY_MS__/g, String(readyDelayMs))
      .replace(/^# .*\n/gm, '');
    writeFileSync(path.join(runDir, 'kwok-pod-stages.yaml'), podStages);
    state.pids.kwok = startProcess('kwok', path.join(binDir, 'kwok'), [
      // Only the fake nodes: the real node's kubelet reports its own status.
      `--kubeconfig=${kubeconfigComponents}`, '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      `--config=${path.join(here, 'kwok/node-stages.yaml')}`, `--config=${path.join(runDir, 'kwok-pod-stages.yaml')}`,
      `--config=${path.join(here, 'kwok/metrics.yaml')}`,
      `--tls-cert-file=${pki.cert}`, `--tls-private-key-file=${pki.key}`,
      '--node-ip=127.0.0.1', '--node-name=127.0.0.1', `--node-port=${ports.kwok}`,
      `--server-address=127.0.0.1:${ports.kwok}`, `--cidr=${clusterRanges.kwokPods}`, '--node-lease-duration-seconds=40',
    ]);
    saveState(state);

    await createNodes(state, Number(process.env.MDL_CLUSTER_NODES ?? 3));
    if ((process.env.MDL_CLUSTER_METRICS ?? '1') !== '0') await startMetricsServer(state, kubeconfigComponents);
    saveState(state);
    let tNodeStarted = 0;
    if (realNodeEnabled()) {
      // Before anything is recorded for down to clean: a containerd that is not ours stays untouched.
      await prepareRealNodeHost(log);
      const nodeKubeconfig = writeUserKubeconfig(state, `system:node:${realNode.name}`, ['system:nodes'], path.join(runDir, 'kubelet.kubeconfig'));
      // Saved before the start returns, so a failed start still cleans up what it made.
      state.realNode = { dir: path.join(runDir, 'node'), kubeletPort: ports.kubelet!, healthzPort: ports.kubeletHealthz!, images: {} };
      saveState(state);
      const started = await startRealNode({
        binDir, runDir, repoRoot, caFile: pki.ca, kubeconfig: nodeKubeconfig,
        proxyKubeconfig: writeUserKubeconfig(state, 'system:kube-proxy', [], path.join(runDir, 'kube-proxy.kubeconfig')),
        kubeletPort: ports.kubelet!, healthzPort: ports.kubeletHealthz!,
        proxyMetricsPort: ports.kubeProxyMetrics!, proxyHealthzPort: ports.kubeProxyHealthz!,
        startProcess: (name, binary, args, env) => {
          const pid = startProcess(name, binary, args, env);
          state.pids[name] = pid;
          saveState(state);
          return pid;
        },
        log,
      });
      state.realNode = started.node;
      state.pids.prometheus = startProcess('prometheus', path.join(binDir, 'prometheus'), prometheusArgs(runDir, ports.prometheus!, kubeconfigComponents));
      saveState(state);
      tNodeStarted = Date.now();
    }

    await waitFor(realNodeEnabled() ? 'nodes Ready (kwok\'s and rn1)' : 'fake nodes Ready', 120_000, async () => {
      const res = await apiRequest(state, 'GET', '/api/v1/nodes');
      const nodes = (JSON.parse(res.body) as { items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[] }).items;
      // The kubelet registers its node a few seconds after it starts.
      if (realNodeEnabled() && !nodes.some((n) => n.metadata.name === realNode.name)) return false;
      return nodes.length > 0 && nodes.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    }, [state.pids.kwok!, ...(state.pids.kubelet ? [state.pids.kubelet] : [])]);
    if (state.pids['kube-proxy'] !== undefined) {
      // Healthy once it has programmed the Services it read.
      await waitFor('kube-proxy', 60_000, async () => (await fetch(`http://127.0.0.1:${ports.kubeProxyHealthz}/healthz`)).ok, [state.pids['kube-proxy']]);
    }
    if (state.pids.prometheus !== undefined) {
      await waitFor('prometheus', 60_000, async () => (await fetch(`http://127.0.0.1:${ports.prometheus}/-/ready`)).ok, [state.pids.prometheus]);
      await startPrometheusAdapter(state, adapterBin!, kubeconfigComponents);
    }
    // Pods need the namespace's default service account, which the controller manager creates.
    await waitFor('default service account', 60_000, async () =>
      (await apiRequest(state, 'GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
    [state.pids['kube-controller-manager']!]);

    for (const [name, pid] of Object.entries(state.pids)) {
      if (!alive(pid)) throw new Error(`${name} exited during start; see ${path.join(runDir, 'logs', `${name}.log`)}`);
    }
    writeFileSync(kubeconfigPath, kubeconfigYaml(server, pki.ca, pki.cert, pki.key));
    rmSync(failedLogsDir, { recursive: true, force: true });
    const tDone = Date.now();
    log(`up at ${server} (build check ${((tBuilt - t0) / 1000).toFixed(1)} s, apiserver ready after ` +
      `${((tApi - tBuilt) / 1000).toFixed(1)} s, all ready after ${((tDone - tBuilt) / 1000).toFixed(1)} s` +
      `${tNodeStarted ? `; ${realNode.name}: images + containerd + kubelet started after ${((tNodeStarted - tBuilt) / 1000).toFixed(1)} s` : ''})`);
    log(`KUBECONFIG=${kubeconfigPath}`);
    return state;
  } catch (error) {
    log(`start failed: ${(error as Error).message}`);
    await down({ keepLogs: true });
    throw new Error(`${(error as Error).message.replace(path.join(runDir, 'logs'), failedLogsDir)}`);
  }
}

async function createNodes(state: ClusterState, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const name = `kwok-node-${i}`;
    const node = {
      apiVersion: 'v1', kind: 'Node',
      metadata: {
        name,
        annotations: {
          'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0',
          // kwok serves this node's kubelet-style resource metrics here; metrics-server reads the annotation.
          'metrics.k8s.io/resource-metrics-path': `/metrics/nodes/${name}/metrics/resource`,
        },
        labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
      },
      status: {
        allocatable: { cpu: '16', memory: '64Gi', pods: '110', 'nvidia.com/gpu': '4' },
        capacity: { cpu: '16', memory: '64Gi', pods: '110', 'nvidia.com/gpu': '4' },
      },
    };
    const res = await apiRequest(state, 'POST', '/api/v1/nodes', node);
    if (res.status !== 201 && res.status !== 409) throw new Error(`create node ${name}: ${res.status} ${res.body}`);
  }
}

async function startMetricsServer(state: ClusterState, kubeconfig: string): Promise<void> {
  const binary = path.join(state.binDir, 'metrics-server');
  if (!existsSync(binary)) return;
  state.pids['metrics-server'] = startProcess('metrics-server', binary, [
    '--bind-address=127.0.0.1', `--secure-port=${state.ports.metricsServer}`,
    `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`,
    `--tls-cert-file=${state.pki.cert}`, `--tls-private-key-file=${state.pki.key}`,
    '--kubelet-insecure-tls', '--kubelet-use-node-status-port',
    '--kubelet-preferred-address-types=InternalIP,Hostname', '--metric-resolution=15s',
  ]);
  // The aggregator routes metrics.k8s.io to an ExternalName Service that points at loopback.
  const svc = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'metrics-server', namespace: 'kube-system' },
    spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ name: 'https', port: state.ports.metricsServer }] },
  };
  const apiService = {
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService',
    metadata: { name: 'v1beta1.metrics.k8s.io' },
    spec: {
      group: 'metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 100,
      insecureSkipTLSVerify: true,
      service: { name: 'metrics-server', namespace: 'kube-system', port: state.ports.metricsServer },
    },
  };
  for (const [url, obj] of [['/api/v1/namespaces/kube-system/services', svc], ['/apis/apiregistration.k8s.io/v1/apiservices', apiService]] as const) {
    const res = await apiRequest(state, 'POST', url, obj);
    if (res.status !== 201 && res.status !== 409) throw new Error(`create ${obj.kind}: ${res.status} ${res.body}`);
  }
}

async function startPrometheusAdapter(state: ClusterState, binary: string, kubeconfig: string): Promise<void> {
  state.pids['prometheus-adapter'] = startProcess('prometheus-adapter', binary, adapterArgs({
    runDir, port: state.ports.prometheusAdapter!, prometheusPort: state.ports.prometheus!, kubeconfig, cert: state.pki.cert, key: state.pki.key,
  }));
  saveState(state);
  for (const { url, object } of adapterRegistration(state.ports.prometheusAdapter!)) {
    const res = await apiRequest(state, 'POST', url, object);
    if (res.status !== 201 && res.status !== 409) throw new Error(`create ${object.kind}: ${res.status} ${res.body}`);
  }
  // Available once the aggregator reaches it: the API group answers through the API server.
  await waitFor('prometheus-adapter (custom.metrics.k8s.io)', 60_000, async () =>
    (await apiRequest(state, 'GET', '/apis/custom.metrics.k8s.io/v1beta1')).status === 200, [state.pids['prometheus-adapter']]);
}

async function stopPid(pid: number): Promise<void> {
  if (!alive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Deletes the pods bound to the real node and waits until its kubelet has stopped them and torn their
 * sandboxes down. The scheduler stops first, so controllers' replacement pods stay Pending.
 */
async function drainRealNode(state: ClusterState): Promise<void> {
  if (state.pids['kube-scheduler'] !== undefined) await stopPid(state.pids['kube-scheduler']);
  const list = `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${realNode.name}`)}`;
  try {
    const pods = (JSON.parse((await apiRequest(state, 'GET', list)).body) as { items?: { metadata: { name: string; namespace: string } }[] }).items ?? [];
    for (const p of pods) {
      await apiRequest(state, 'DELETE', `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`, { gracePeriodSeconds: 1 });
    }
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const left = (JSON.parse((await apiRequest(state, 'GET', list)).body) as { items?: unknown[] }).items ?? [];
      if (left.length === 0) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    log(`${realNode.name}: pods still there after 60 s; removing their containers directly`);
  } catch (error) {
    log(`${realNode.name}: could not delete its pods through the API (${(error as Error).message}); removing their containers directly`);
  }
}

/** Stops every process that up started, by pid, newest first, and removes the data. */
export async function down(options: { keepLogs?: boolean } = {}): Promise<void> {
  const state = readState();
  if (state?.realNode) {
    const t = Date.now();
    if (state.pids['kube-apiserver'] !== undefined && alive(state.pids['kube-apiserver']) && state.pids.kubelet !== undefined) {
      await drainRealNode(state);
    }
    await stopRealNode(state.binDir, runDir, state.pids, stopPid, log);
    log(`${realNode.name} stopped and cleaned up in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  if (state) {
    const names = Object.keys(state.pids).sort((a, b) => componentOrder.indexOf(b) - componentOrder.indexOf(a));
    for (const name of names) await stopPid(state.pids[name]!);
    log(`stopped ${names.join(', ') || 'nothing'}`);
  }
  rmSync(failedLogsDir, { recursive: true, force: true });
  if (options.keepLogs && existsSync(path.join(runDir, 'logs'))) renameSync(path.join(runDir, 'logs'), failedLogsDir);
  rmSync(runDir, { recursive: true, force: true });
  rmSync(kubeconfigPath, { force: true });
}

/**
 * The real kubectl, for tests of what kubectl reads and does: the `kube` binary's `kubectl` subcommand
 * (cmd/kube/main.go, linked with the control plane). Returns a `kubectl` shim (.cache/cluster/run/bin) so
 * it can be called by name: `export PATH=$PWD/.cache/cluster/run/bin:$PATH KUBECONFIG=...` while up.
 */
export function kubectlPath(state: ClusterState | undefined = readState()): string {
  if (!state) throw new Error('the test cluster is not up: run npm run cluster:up first');
  const shim = path.join(runDir, 'bin', 'kubectl');
  mkdirSync(path.dirname(shim), { recursive: true });
  writeFileSync(shim, `#!/bin/sh\nexec '${path.join(state.binDir, 'kube')}' kubectl "$@"\n`, { mode: 0o755 });
  return shim;
}

/** Runs the real kubectl against the test cluster (admin kubeconfig unless env says otherwise). */
export function runKubectl(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlPath(), args, { env: { ...process.env, KUBECONFIG: kubeconfigPath, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const command = process.argv[2];
  const run = async () => {
    if (command === 'up') await up();
    else if (command === 'down') await down();
    else if (command === 'status') {
      const ok = await isUp();
      process.stdout.write(ok ? `up ${readState()!.server}\n` : 'down\n');
      process.exitCode = ok ? 0 : 1;
    } else {
      process.stderr.write('usage: cluster.ts up|down|status\n');
      process.exitCode = 2;
    }
  };
  run().catch((error: unknown) => {
    process.stderr.write(`[cluster] ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
