import https from 'node:https';
import http from 'node:http';
import { ExitCode, MdlError } from '../errors.js';
import type { KubeTarget } from './context.js';
import { splitApiVersion, type KubeObject } from './types.js';

/** A Kubernetes API Status object (the body of an error response). */
export interface ApiStatus {
  kind?: 'Status';
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
  };
}

/** A response the API server gave with a non-2xx status. The caller decides what it means. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly status: ApiStatus,
    readonly method: string,
    readonly path: string,
  ) {
    super(status.message ?? `${method} ${path}: HTTP ${statusCode}`);
    this.name = 'ApiError';
  }
}

export interface ResourceInfo {
  /** "deployments" */
  plural: string;
  namespaced: boolean;
  group: string;
  version: string;
  kind: string;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
  /** Aborts the request itself (an overall deadline); it then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface WatchEvent<T = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

const verbOfMethod: Record<string, string> = { GET: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/**
 * A small client over the Kubernetes REST API. Credentials (client certificates, tokens, exec plugins)
 * come from @kubernetes/client-node's KubeConfig; requests, watches and error handling are ours, so that
 * every failure becomes a message that names the context, server, verb, resource and namespace.
 */
export class KubeClient {
  private readonly discovery = new Map<string, Promise<ResourceInfo[] | undefined>>();

  /** `signal`, when given, aborts every request that does not bring its own (a command's overall deadline). */
  constructor(
    readonly target: KubeTarget,
    private readonly signal?: AbortSignal,
  ) {}

  private async httpOptions(method: string, url: URL, headers: Record<string, string>, timeoutMs: number): Promise<https.RequestOptions> {
    const opts: https.RequestOptions = { method, headers: { ...headers }, timeout: timeoutMs };
    try {
      await this.target.kubeConfig.applyToHTTPSOptions(opts);
    } catch (error) {
      throw new MdlError(
        `Cannot get credentials for context "${this.target.context}" (${this.target.server}): ${(error as Error).message}`,
        { exitCode: ExitCode.cluster, hint: 'Check the user entry of this context in your kubeconfig (its exec plugin, token or certificate).' },
      );
    }
    opts.hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    opts.port = url.port;
    opts.path = url.pathname + url.search;
    return opts;
  }

  private url(path: string, query?: RequestOptions['query']): URL {
    const base = this.target.server.replace(/\/+$/, '');
    const url = new URL(base + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** The raw request. Resolves with the parsed body on 2xx, rejects with ApiError otherwise and with an
   *  exit-3 MdlError when the server cannot be reached or rejects the credentials. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = { accept: 'application/json' };
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const opts = await this.httpOptions(method, url, headers, options.timeoutMs ?? 30_000);
    if (options.signal === undefined && this.signal) options = { ...options, signal: this.signal };
    const { statusCode, body } = await new Promise<{ statusCode: number; body: string }>((resolve, reject) => {
      const req = (url.protocol === 'http:' ? http : https).request({ ...opts, ...(options.signal ? { signal: options.signal } : {}) }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => { data += chunk; });
        res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body: data }));
        res.on('error', (error) => reject(options.signal?.aborted ? options.signal.reason : error));
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (error) => reject(options.signal?.aborted ? options.signal.reason : this.unreachable(error)));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
    const parsed = parseJson(body);
    if (statusCode >= 200 && statusCode < 300) return parsed as T;
    const status: ApiStatus = isStatus(parsed) ? parsed : { message: body.trim() || `HTTP ${statusCode}`, code: statusCode };
    if (statusCode === 401) throw this.unauthorized();
    throw new ApiError(statusCode, status, method, path);
  }

  unreachable(error: Error & { code?: string }): MdlError {
    return new MdlError(
      `Cannot reach the cluster of context "${this.target.context}" at ${this.target.server}${this.target.proxy ? ` through the proxy ${this.target.proxy}` : ''}: ${error.code ?? error.message}`,
      {
        exitCode: ExitCode.cluster,
        cause: error,
        hint: this.target.proxy
          ? 'Check that the cluster and the proxy are running (HTTPS_PROXY, or proxy-url in the kubeconfig; NO_PROXY lists hosts to reach directly).'
          : 'Check that the cluster is running and that this is the context you meant (--context).',
      },
    );
  }

  unauthorized(): MdlError {
    return new MdlError(
      `The cluster at ${this.target.server} rejected the credentials of context "${this.target.context}" (401 Unauthorized)`,
      { exitCode: ExitCode.cluster, hint: 'Log in again or refresh the credentials of this context, then retry.' },
    );
  }

  /** The exit-3 error for a 403: which verb on which resource in which namespace RBAC refused. */
  forbidden(error: ApiError, verb: string, resource: string, namespace: string | undefined): MdlError {
    const where = namespace ? `in namespace "${namespace}"` : 'at cluster scope';
    return new MdlError(
      `Forbidden: cannot ${verb} ${resource} ${where} (context "${this.target.context}", ${this.target.server}): ${error.status.message ?? ''}`.trim(),
      { exitCode: ExitCode.cluster, cause: error, hint: `Ask a cluster admin for RBAC permission to ${verb} ${resource} ${where}, or use a context that has it.` },
    );
  }

  /** Maps a 403 of any request to the exit-3 error, reading verb/resource/namespace from the path. */
  explain(error: unknown): unknown {
    if (!(error instanceof ApiError) || error.statusCode !== 403) return error;
    const { verb, resource, namespace } = describeRequest(error.method, error.path);
    return this.forbidden(error, verb, resource, namespace);
  }

  /** The resource (plural, scope) that serves apiVersion/kind, from API discovery; undefined if none does. */
  async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    const { group, version } = splitApiVersion(apiVersion);
    let list = this.discovery.get(apiVersion);
    if (!list) {
      const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
      list = this.request<{ resources: { name: string; kind: string; namespaced: boolean }[] }>('GET', path)
        .then((body) => body.resources.filter((r) => !r.name.includes('/')).map((r) => ({ plural: r.name, namespaced: r.namespaced, group, version, kind: r.kind })))
        .catch((error: unknown) => {
          if (error instanceof ApiError && error.statusCode === 404) return undefined;
          throw error;
        });
      this.discovery.set(apiVersion, list);
      // A failed discovery is not cached: the next call asks again.
      list.catch(() => this.discovery.delete(apiVersion));
    }
    return (await list)?.find((r) => r.kind === kind);
  }

  /** Forgets discovery results (after CRDs were installed). */
  resetDiscovery(): void {
    this.discovery.clear();
  }

  /** The collection path of a resource, in a namespace when it is namespaced. */
  static collectionPath(info: ResourceInfo, namespace: string | undefined): string {
    const prefix = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
    return info.namespaced && namespace ? `${prefix}/namespaces/${namespace}/${info.plural}` : `${prefix}/${info.plural}`;
  }

  /**
   * Streams one watch request. Calls onEvent for each event and resolves with why the stream ended:
   * the server closed it (its timeoutSeconds, or the connection dropped), nothing arrived for idleTimeoutMs
   * (a half-open connection; the socket is destroyed), a line was not JSON (the stream is dropped), or the
   * signal aborted it. The caller resumes from the last resourceVersion. An exception thrown by onEvent
   * rejects the promise; nothing is thrown inside a socket handler.
   */
  async watchOnce(path: string, query: RequestOptions['query'], onEvent: (event: WatchEvent) => void, signal: AbortSignal,
    idleTimeoutMs: number): Promise<WatchEnd> {
    const url = this.url(path, { ...query, watch: 1, allowWatchBookmarks: true });
    const opts = await this.httpOptions('GET', url, { accept: 'application/json' }, idleTimeoutMs);
    if (signal.aborted) return 'aborted';
    return new Promise<WatchEnd>((resolve, reject) => {
      let settled = false;
      const settle = (end: WatchEnd | Error) => {
        if (settled) return;
        settled = true;
        if (end instanceof Error) reject(end);
        else resolve(end);
      };
      const req = (url.protocol === 'http:' ? http : https).request({ ...opts, signal }, (res) => {
        if ((res.statusCode ?? 0) >= 300) {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => { data += c; });
          res.on('end', () => {
            const parsed = parseJson(data);
            if (res.statusCode === 401) settle(this.unauthorized());
            else settle(new ApiError(res.statusCode ?? 0, isStatus(parsed) ? parsed : { message: data }, 'GET', path));
          });
          return;
        }
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let nl: number;
          while (!settled && (nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (!line) continue;
            const event = parseJson(line) as WatchEvent | undefined;
            if (typeof event !== 'object' || event === null || typeof event.type !== 'string') {
              settle('malformed');
              req.destroy();
              return;
            }
            try {
              onEvent(event);
            } catch (error) {
              settle(error as Error);
              req.destroy();
              return;
            }
          }
        });
        res.on('end', () => settle('closed'));
        res.on('error', () => settle(signal.aborted ? 'aborted' : 'closed'));
        res.on('aborted', () => settle(signal.aborted ? 'aborted' : 'closed'));
      });
      // A peer that vanished without a FIN (a NAT or load balancer dropped the flow) is found by keepalive probes.
      req.on('socket', (socket) => socket.setKeepAlive(true, WATCH_KEEPALIVE_MS));
      // Socket inactivity: no byte (event, bookmark or headers) for idleTimeoutMs.
      req.on('timeout', () => {
        settle('idle');
        req.destroy();
      });
      req.on('error', (error: Error & { code?: string }) => {
        if (signal.aborted) settle('aborted');
        else settle(this.unreachable(error));
      });
      req.end();
    });
  }
}

/** Why one watch request ended. */
export type WatchEnd = 'closed' | 'idle' | 'malformed' | 'aborted';

const WATCH_KEEPALIVE_MS = 15_000;

/** "GET /apis/apps/v1/namespaces/ml/deployments" -> list deployments in ml (RBAC's words for a request). */
export function describeRequest(method: string, path: string): { verb: string; resource: string; namespace: string | undefined } {
  const clean = path.split('?')[0]!;
  const m = /^\/(?:api\/[^/]+|apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(\/[^/]+)?/.exec(clean);
  const named = Boolean(m?.[3]);
  const verb = method === 'GET' ? (named ? 'get' : 'list') : (verbOfMethod[method] ?? method.toLowerCase());
  return { verb, resource: m?.[2] ?? clean, namespace: m?.[1] };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function isStatus(value: unknown): value is ApiStatus {
  return typeof value === 'object' && value !== null && (value as ApiStatus).kind === 'Status';
}
