import { existsSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { ExitCode, MdlError } from '../errors.js';
import { proxyFor, redactProxy } from '../net/proxy-env.js';

/** Where mdl talks to, resolved as kubectl does: KUBECONFIG (several files merged) or ~/.kube/config,
 *  --context or the current context, --namespace or the context's namespace or "default". */
export interface KubeTarget {
  kubeConfig: KubeConfig;
  context: string;
  server: string;
  namespace: string;
  /** Which files the configuration came from, for messages. */
  source: string;
  /** The HTTP proxy requests go through (the cluster's proxy-url, else HTTPS_PROXY/HTTP_PROXY), credentials left out. */
  proxy?: string;
}

export interface KubeTargetOptions {
  context?: string;
  namespace?: string;
  /** --kubeconfig: this one file instead of KUBECONFIG or ~/.kube/config (kubectl's precedence). */
  kubeconfig?: string | undefined;
}

/** The kube target options of a command's flags (--kubeconfig, --context, --namespace), unset ones left out. */
export function kubeTargetOptions(flags: { kubeconfig?: string | undefined; context?: string | undefined; namespace?: string | undefined }): KubeTargetOptions {
  return {
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context ? { context: flags.context } : {}),
    ...(flags.namespace ? { namespace: flags.namespace } : {}),
  };
}

export async function resolveKubeTarget(options: KubeTargetOptions = {}): Promise<KubeTarget> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  const envValue = options.kubeconfig ?? process.env.KUBECONFIG;
  const source = options.kubeconfig ? `--kubeconfig ${options.kubeconfig}` : envValue ? `KUBECONFIG=${envValue}` : '~/.kube/config';
  if (options.kubeconfig && !existsSync(options.kubeconfig)) {
    throw new MdlError(`The kubeconfig file ${options.kubeconfig} does not exist`, {
      where: '--kubeconfig',
      hint: 'Give the path of a kubeconfig file, or leave --kubeconfig out to use KUBECONFIG or ~/.kube/config.',
    });
  }
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else if (process.env.KUBECONFIG) {
      const files = process.env.KUBECONFIG.split(process.platform === 'win32' ? ';' : ':').filter((f) => f && existsSync(f));
      if (files.length === 0) throw new Error(`no file of ${process.env.KUBECONFIG} exists`);
      kc.loadFromDefault();
    } else kc.loadFromDefault();
  } catch (error) {
    throw new MdlError(`Cannot read the Kubernetes configuration (${source}): ${(error as Error).message}`, {
      exitCode: ExitCode.cluster,
      hint: 'Point KUBECONFIG at a valid kubeconfig file, or pass --context for one that exists.',
    });
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
      throw new MdlError(`Context "${options.context}" is not in ${source} (contexts: ${known})`, {
        exitCode: ExitCode.cluster,
        where: '--context',
        hint: 'Pick one of the listed contexts (kubectl config get-contexts).',
      });
    }
    kc.setCurrentContext(options.context);
  }
  const context = kc.getCurrentContext();
  const contextObject = context ? kc.getContextObject(context) : null;
  const cluster = kc.getCurrentCluster();
  if (!contextObject || !cluster) {
    throw new MdlError(`No current context in ${source}`, {
      exitCode: ExitCode.cluster,
      hint: 'Set one with kubectl config use-context, or pass --context.',
    });
  }
  // kubectl's rule: the cluster's proxy-url, else HTTPS_PROXY/HTTP_PROXY unless NO_PROXY names the server.
  // The env proxy is set as the cluster's proxy-url, so that client-node builds the same agent for both.
  let proxy = cluster.proxyUrl;
  if (!proxy) {
    proxy = proxyFor(cluster.server);
    if (proxy) {
      const withProxy = { ...cluster, proxyUrl: proxy };
      kc.clusters = kc.clusters.map((c) => (c.name === cluster.name ? withProxy : c));
    }
  }
  return {
    kubeConfig: kc,
    context,
    server: cluster.server,
    namespace: options.namespace || contextObject.namespace || 'default',
    source,
    ...(proxy ? { proxy: redactProxy(proxy) } : {}),
  };
}
