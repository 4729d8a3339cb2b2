/**
 * The real node "rn1" beside kwok's fake ones: containerd + runc + CNI bridge/host-local, and the kubelet
 * and kube-proxy from the same Kubernetes build, as processes on this machine (root needed: namespaces,
 * cgroups, mounts, iptables).
 *
 * Addresses: the node IP is on a bridge this harness creates, and pods get addresses on that bridge, all in
 * 198.18.0.0/15 (RFC 2544 test networks). Pods have no default route and nothing is masqueraded or
 * forwarded, so nothing reaches past this machine; the host (API server, probes, tests) reaches pods over
 * the bridge's connected route; ClusterIPs (kube-proxy) and kwok's pod addresses are in the same test range,
 * routed onto the bridge and unreachable respectively (clusterRanges). Everything else listens on 127.0.0.1
 * or the node IP.
 *
 * The node is tainted `mdl.test/real-node=true:NoSchedule` so only pods that ask for it (a toleration plus
 * the node selector `mdl.test/node: real`) run here; the other cluster tests keep using kwok's nodes.
 * kwok manages only nodes annotated `kwok.x-k8s.io/node=fake`, which this one is not.
 *
 * State: containerd's root, the kubelet's root, pod logs, CNI config and IPAM state live in
 * <runDir>/node; containerd's runtime state, its socket and runc's state in /run/mdl-rn1 (short enough for
 * unix socket paths). Nothing is at containerd's default paths, so a containerd of the machine's own (a
 * Docker engine's, say) can run beside it untouched; the kubelet's cAdvisor is pointed at ours too.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { buildNodeImages } from './node-images.js';

export const realNode = {
  name: 'rn1',
  /** The node's InternalIP, on the bridge; the kubelet serves on it. */
  ip: '198.18.0.1',
  bridge: 'mdlrn0',
  podSubnet: '198.18.0.0/24',
  /** Pod addresses start here; below are the node's. */
  podRangeStart: '198.18.0.16',
  label: { key: 'mdl.test/node', value: 'real' },
  taint: { key: 'mdl.test/real-node', value: 'true', effect: 'NoSchedule' },
} as const;

/**
 * The cluster's other addresses, in the same test network: Service ClusterIPs and kwok's pod addresses,
 * neither leaving the machine by the default route. ClusterIPs are routed onto the node's bridge: a
 * connection from the host must pass routing before kube-proxy's rules rewrite it to a pod, and one that
 * nothing rewrote meets no answer there. kwok's pods run nowhere, so their range is unreachable: a dial
 * (the API server's pod proxy, say) fails at once with "no route to host" instead of waiting out ARP.
 */
export const clusterRanges = {
  services: '198.19.0.0/20',
  kwokPods: '198.19.128.0/17',
} as const;

const containerdState = '/run/mdl-rn1';
export const containerdSocket = path.join(containerdState, 'containerd.sock');
/**
 * The one place the runc shim keeps under containerd's default state folder whatever containerd's own
 * state is: its task sockets (/run/containerd/s/<hash of our address and the task>, so never a name another
 * containerd uses). At stop, each folder this run made is removed when empty: a containerd of the
 * machine's own may have sockets there too.
 */
const shimSocketDirs = ['/run/containerd/s', '/run/containerd'];
/** containerd names the network namespaces of CRI sandboxes /run/netns/cni-<uuid>. */
const netnsDir = '/run/netns';

/** What of the host's shared folders was there before this node started: stop leaves those alone. */
interface HostBefore {
  /** Sandbox network namespaces of another runtime. */
  netns: string[];
  /** Those of shimSocketDirs that existed. */
  shimSocketDirs: string[];
}
const hostBeforeFile = 'host-before.json';

function sandboxNetns(): string[] {
  return existsSync(netnsDir) ? readdirSync(netnsDir).filter((n) => n.startsWith('cni-')) : [];
}

function hostBefore(): HostBefore {
  return { netns: sandboxNetns(), shimSocketDirs: shimSocketDirs.filter((d) => existsSync(d)) };
}

function readHostBefore(nodeDir: string): HostBefore {
  try {
    return JSON.parse(readFileSync(path.join(nodeDir, hostBeforeFile), 'utf8')) as HostBefore;
  } catch {
    // No record (the node never started): assume everything was there, so nothing shared is removed.
    return { netns: sandboxNetns(), shimSocketDirs };
  }
}

export interface RealNodeState {
  dir: string;
  kubeletPort: number;
  healthzPort: number;
  /** Archives imported into containerd, by image reference. */
  images: Record<string, string>;
}

export interface NodeEnv {
  binDir: string;
  runDir: string;
  repoRoot: string;
  caFile: string;
  /** A kubeconfig with the node's identity (system:node:rn1 in system:nodes). */
  kubeconfig: string;
  /** A kubeconfig as system:kube-proxy (bound to system:node-proxier by default). */
  proxyKubeconfig: string;
  kubeletPort: number;
  healthzPort: number;
  proxyMetricsPort: number;
  proxyHealthzPort: number;
  startProcess: (name: string, binary: string, args: string[], env?: NodeJS.ProcessEnv) => number;
  log: (message: string) => void;
}

/** Whether this run starts the real node: on by default; MDL_CLUSTER_REAL_NODE=0 turns it off. */
export function realNodeEnabled(): boolean {
  return (process.env.MDL_CLUSTER_REAL_NODE ?? '1') !== '0';
}

function run(command: string, args: string[], options: { ignoreFailure?: boolean; env?: NodeJS.ProcessEnv } = {}): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  } catch (error) {
    if (options.ignoreFailure) return '';
    const e = error as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

/** Whether something answers on a unix socket (a live containerd), within a second. */
function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Throws, saying what to do, when this machine cannot run the node, or when another run of this harness has
 * its node up. A socket nobody listens on (a run killed before its stop) is cleared, with its state.
 */
export async function prepareRealNodeHost(log: (message: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error('the real test node needs root (network namespaces, cgroups, mounts); run as root, or set ' +
      'MDL_CLUSTER_REAL_NODE=0 to start the control plane with kwok\'s nodes only');
  }
  for (const plugin of ['bridge', 'host-local', 'loopback']) {
    if (!existsSync(path.join('/usr/lib/cni', plugin))) {
      throw new Error(`the CNI plugin /usr/lib/cni/${plugin} is missing: apt-get install containernetworking-plugins`);
    }
  }
  if (existsSync(containerdSocket)) {
    if (await socketAnswers(containerdSocket)) {
      throw new Error(`${containerdSocket} answers: another run of this harness has its node up (one at a time); ` +
        'npm run cluster:down in that checkout stops it');
    }
    log(`${containerdSocket} is left from a run that did not stop (nothing listens): clearing ${containerdState}`);
    clearContainerdState();
  }
}

/** containerd's state (socket, snapshots, runc root), with every mount under it; stop and start both clear it. */
function clearContainerdState(): void {
  for (const mount of mountsUnder([containerdState])) run('umount', ['-l', mount], { ignoreFailure: true });
  rmSync(containerdState, { recursive: true, force: true });
}

function ensureBridge(): void {
  run('ip', ['link', 'del', realNode.bridge], { ignoreFailure: true });
  run('ip', ['link', 'add', realNode.bridge, 'type', 'bridge']);
  run('ip', ['addr', 'add', `${realNode.ip}/${realNode.podSubnet.split('/')[1]}`, 'dev', realNode.bridge]);
  run('ip', ['link', 'set', realNode.bridge, 'up']);
  run('ip', ['route', 'replace', clusterRanges.services, 'dev', realNode.bridge]);
  run('ip', ['route', 'replace', 'unreachable', clusterRanges.kwokPods]);
}

function writeConfigs(env: NodeEnv, dir: string): { containerdConfig: string; kubeletConfig: string } {
  const cniConf = path.join(dir, 'cni', 'net.d');
  mkdirSync(cniConf, { recursive: true });
  // No gateway, masquerade or routes: the bridge plugin then leaves ip_forward alone, and a pod can reach
  // only the bridge's subnet (the host and other pods).
  writeFileSync(path.join(cniConf, '10-mdl-rn.conflist'), JSON.stringify({
    cniVersion: '1.0.0', name: 'mdl-rn',
    plugins: [{
      type: 'bridge', bridge: realNode.bridge, isGateway: false, ipMasq: false, hairpinMode: true,
      ipam: {
        type: 'host-local', dataDir: path.join(dir, 'cni', 'ipam'),
        ranges: [[{ subnet: realNode.podSubnet, rangeStart: realNode.podRangeStart }]],
      },
    }],
  }, null, 2));

  const containerdConfig = path.join(dir, 'containerd.toml');
  writeFileSync(containerdConfig, `version = 3
root = ${JSON.stringify(path.join(dir, 'containerd'))}
state = ${JSON.stringify(containerdState)}
[grpc]
  address = ${JSON.stringify(containerdSocket)}
[plugins.'io.containerd.nri.v1.nri']
  disable = true
[plugins.'io.containerd.cri.v1.runtime']
  # This machine's root lacks CAP_SYS_RESOURCE, so runc cannot set the kubelet's negative OOM scores
  # (-998 for sandboxes): clamp them at containerd's own score instead.
  restrict_oom_score_adj = true
[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = "registry.k8s.io/pause:3.10.2"
[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
  [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
    SystemdCgroup = false
    BinaryName = ${JSON.stringify(path.join(env.binDir, 'runc'))}
    Root = ${JSON.stringify(path.join(containerdState, 'runc'))}
[plugins.'io.containerd.cri.v1.runtime'.cni]
  bin_dirs = ["/usr/lib/cni"]
  conf_dir = ${JSON.stringify(cniConf)}
`);

  const kubeletConfig = path.join(dir, 'kubelet.yaml');
  // JSON is YAML: the kubelet reads this as its config file.
  writeFileSync(kubeletConfig, JSON.stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration',
    // This host's /sys/fs/cgroup is a v1 hierarchy; kubelet 1.35+ refuses it unless told not to.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs', cgroupsPerQOS: true, cgroupRoot: '/',
    containerRuntimeEndpoint: `unix://${containerdSocket}`,
    failSwapOn: false,
    address: realNode.ip, port: env.kubeletPort,
    healthzBindAddress: '127.0.0.1', healthzPort: env.healthzPort,
    readOnlyPort: 0,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: env.caFile } },
    authorization: { mode: 'Webhook' },
    // Replaces the defaults (10 %/15 % free disk), which a shared build machine may not have.
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    imageGCHighThresholdPercent: 100,
    serializeImagePulls: false,
    maxPods: 30,
    podLogsDir: path.join(dir, 'pod-logs'),
    // Pods get no name servers: nothing in them resolves names off this machine.
    resolvConf: '',
    registerWithTaints: [realNode.taint],
  }, null, 2));
  return { containerdConfig, kubeletConfig };
}

async function waitUntil(what: string, timeoutMs: number, pid: number, check: () => boolean | Promise<boolean>, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      throw new Error(`${what}: process ${pid} exited; see ${logFile}`);
    }
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not ready after ${timeoutMs / 1000} s; see ${logFile}`);
}

export function ctr(binDir: string, args: string[], options: { ignoreFailure?: boolean } = {}): string {
  return run(path.join(binDir, 'ctr'), ['--address', containerdSocket, '--namespace', 'k8s.io', ...args], options);
}

/**
 * Starts containerd, imports the images, starts the kubelet. The caller waits for the Node to be Ready
 * (it has the API client). Returns the pids under "containerd" and "kubelet".
 */
export async function startRealNode(env: NodeEnv): Promise<{ pids: Record<string, number>; node: RealNodeState }> {
  const dir = path.join(env.runDir, 'node');
  mkdirSync(dir, { recursive: true });
  const logs = path.join(env.runDir, 'logs');
  writeFileSync(path.join(dir, hostBeforeFile), JSON.stringify(hostBefore()));
  ensureBridge();
  const { containerdConfig, kubeletConfig } = writeConfigs(env, dir);
  const pids: Record<string, number> = {};
  // The shim is looked up in PATH first: ours, not a system one.
  const pathEnv = { ...process.env, PATH: `${env.binDir}:${process.env.PATH ?? ''}` };
  pids.containerd = env.startProcess('containerd', path.join(env.binDir, 'containerd'), ['--config', containerdConfig], pathEnv);
  const node: RealNodeState = { dir, kubeletPort: env.kubeletPort, healthzPort: env.healthzPort, images: {} };
  // The images build while containerd starts.
  const archives = buildNodeImages(env.repoRoot, path.join(env.runDir, 'images'));
  await waitUntil('containerd', 30_000, pids.containerd, () => {
    ctr(env.binDir, ['version']);
    return true;
  }, path.join(logs, 'containerd.log'));
  for (const [image, archive] of Object.entries(archives)) {
    ctr(env.binDir, ['images', 'import', '--platform', 'linux/amd64', archive]);
    node.images[image] = archive;
  }
  pids.kubelet = env.startProcess('kubelet', path.join(env.binDir, 'kube'), [
    'kubelet', `--config=${kubeletConfig}`, `--kubeconfig=${env.kubeconfig}`,
    `--hostname-override=${realNode.name}`, `--node-ip=${realNode.ip}`,
    `--root-dir=${path.join(dir, 'kubelet')}`, `--cert-dir=${path.join(dir, 'kubelet', 'pki')}`,
    `--node-labels=${realNode.label.key}=${realNode.label.value}`,
    // cAdvisor's own containerd client (container metadata) dials containerd's default socket otherwise.
    `--containerd=${containerdSocket}`,
  ], pathEnv);
  pids['kube-proxy'] = env.startProcess('kube-proxy', path.join(env.binDir, 'kube'), kubeProxyArgs(env));
  return { pids, node };
}

/**
 * kube-proxy in iptables mode, as local-up-cluster and k3s run it: no conntrack sysctls (values zeroed), no
 * localhost NodePorts (which would set route_localnet), NodePorts on the node IP only; its metrics and
 * health on 127.0.0.1. Traffic to a ClusterIP from outside the pod subnet (the host) is masqueraded onto
 * the bridge.
 */
function kubeProxyArgs(env: NodeEnv): string[] {
  return [
    'kube-proxy', `--kubeconfig=${env.proxyKubeconfig}`, `--hostname-override=${realNode.name}`,
    '--proxy-mode=iptables', `--cluster-cidr=${realNode.podSubnet}`, `--nodeport-addresses=${realNode.ip}/32`,
    '--iptables-localhost-nodeports=false',
    '--conntrack-max-per-core=0', '--conntrack-tcp-timeout-established=0s', '--conntrack-tcp-timeout-close-wait=0s',
    `--metrics-bind-address=127.0.0.1:${env.proxyMetricsPort}`, `--healthz-bind-address=127.0.0.1:${env.proxyHealthzPort}`,
  ];
}

/** Processes whose executable is `binary` (containerd's shims: they outlive containerd by design). */
function pidsOf(binary: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/exe`) === binary) out.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** Mount points at or below one of `roots`, deepest first. */
function mountsUnder(roots: string[]): string[] {
  const points = readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined && roots.some((r) => p === r || p.startsWith(`${r}/`)))
    // mountinfo escapes spaces and the like as octal.
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

function removeCgroups(): void {
  // The kubelet's pod cgroups (cgroupRoot "/"): remove leaf first; a cgroup with a live process stays.
  const remove = (p: string): void => {
    let entries: string[] = [];
    try {
      entries = readdirSync(p, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return;
    }
    for (const e of entries) remove(path.join(p, e));
    try {
      rmdirSync(p);
    } catch {
      // busy or already gone
    }
  };
  let controllers: string[] = [];
  try {
    controllers = readdirSync('/sys/fs/cgroup');
  } catch {
    return;
  }
  // cgroup v1: one hierarchy a controller (this machine); v2: kubepods sits at the top of the one tree.
  for (const c of controllers) remove(path.join('/sys/fs/cgroup', c, 'kubepods'));
  remove(path.join('/sys/fs/cgroup', 'kubepods'));
}

/**
 * Stops the node. The caller has already removed its pods through the API (the kubelet stops their
 * containers and tears their sandboxes and networks down); what is left is killed here: containers by
 * ctr, then containerd, then its shims by pid. Then the mounts, the bridge and the state go.
 */
export async function stopRealNode(binDir: string, runDir: string, pids: Record<string, number>,
  stopPid: (pid: number) => Promise<void>, log: (m: string) => void): Promise<void> {
  if (pids['kube-proxy'] !== undefined) {
    await stopPid(pids['kube-proxy']);
    // Its iptables chains and rules outlive it.
    run(path.join(binDir, 'kube'), ['kube-proxy', '--cleanup'], { ignoreFailure: true });
  }
  if (pids.kubelet !== undefined) await stopPid(pids.kubelet);
  if (pids.containerd !== undefined && existsSync(containerdSocket)) {
    const containers = ctr(binDir, ['containers', 'list', '--quiet'], { ignoreFailure: true }).split('\n').filter(Boolean);
    for (const id of containers) {
      ctr(binDir, ['tasks', 'kill', '--signal', 'SIGKILL', id], { ignoreFailure: true });
      ctr(binDir, ['tasks', 'delete', '--force', id], { ignoreFailure: true });
      ctr(binDir, ['containers', 'delete', id], { ignoreFailure: true });
    }
    if (containers.length > 0) log(`removed ${containers.length} container(s) the kubelet left`);
  }
  if (pids.containerd !== undefined) await stopPid(pids.containerd);
  const shims = pidsOf(path.join(binDir, 'containerd-shim-runc-v2'));
  for (const pid of shims) await stopPid(pid);
  if (shims.length > 0) log(`stopped ${shims.length} leftover shim(s)`);
  const nodeDir = path.join(runDir, 'node');
  const before = readHostBefore(nodeDir);
  // Sandbox network namespaces the kubelet did not get to remove, then every mount under our state.
  const netns = sandboxNetns().filter((n) => !before.netns.includes(n)).map((n) => path.join(netnsDir, n));
  for (const mount of [...mountsUnder([nodeDir]), ...netns]) {
    run('umount', ['-l', mount], { ignoreFailure: true });
  }
  for (const ns of netns) rmSync(ns, { force: true });
  // containerd made the first, the kubelet (a fixed path) the second; removed only when empty.
  for (const d of [netnsDir, '/var/log/containers']) {
    try {
      rmdirSync(d);
    } catch {
      // not there, or in use by someone else
    }
  }
  run('ip', ['link', 'del', realNode.bridge], { ignoreFailure: true });
  // The bridge's routes go with it; this one is on no device.
  run('ip', ['route', 'del', 'unreachable', clusterRanges.kwokPods], { ignoreFailure: true });
  removeCgroups();
  clearContainerdState();
  for (const d of shimSocketDirs.filter((x) => !before.shimSocketDirs.includes(x))) {
    try {
      rmdirSync(d);
    } catch {
      // not empty (another containerd's sockets, or a killed shim's) or already gone
    }
  }
  rmSync(nodeDir, { recursive: true, force: true });
}
