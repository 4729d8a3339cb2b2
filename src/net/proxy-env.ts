/**
 * Which HTTP proxy the environment asks for, for one URL: HTTPS_PROXY for https://, HTTP_PROXY for http://
 * (lower case first, as curl and undici read them), unless NO_PROXY names the host. The one place where mdl
 * reads these variables: the Kubernetes client and the load engine both ask here, so they never disagree.
 * As in kubectl and curl, an https:// URL uses HTTPS_PROXY only (HTTP_PROXY never carries TLS traffic).
 *
 * NO_PROXY follows undici's EnvHttpProxyAgent (Node's own reading): entries split on commas or spaces;
 * `*` bypasses every host; `example.com` and `.example.com` match the host and its subdomains, `*.example.com`
 * subdomains only; `host:port` only that port; IPv6 literals bare or bracketed (`[::1]:8443`). Loopback
 * addresses are proxied like any other unless listed (NO_PROXY=127.0.0.1,localhost), as curl and undici do.
 */

export type ProxyEnv = Readonly<Record<string, string | undefined>>;

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

interface NoProxyEntry {
  hostname: string;
  port: number;
  /** `*.example.com`: subdomains only, not the apex. */
  subdomainsOnly: boolean;
}

/** The proxy URL to use for `target`, or undefined to connect directly. */
export function proxyFor(target: URL | string, env: ProxyEnv = process.env): string | undefined {
  const url = typeof target === 'string' ? new URL(target) : target;
  const proxy = url.protocol === 'https:'
    ? firstSet(env.https_proxy, env.HTTPS_PROXY)
    : url.protocol === 'http:' ? firstSet(env.http_proxy, env.HTTP_PROXY) : undefined;
  if (!proxy) return undefined;
  const hostname = normaliseHost(url.hostname);
  const port = Number.parseInt(url.port, 10) || DEFAULT_PORTS[url.protocol] || 0;
  return bypassed(hostname, port, parseNoProxy(firstSet(env.no_proxy, env.NO_PROXY) ?? '')) ? undefined : proxy;
}

/** The proxy URL without its credentials, for messages. */
export function redactProxy(proxy: string): string {
  try {
    const u = new URL(proxy);
    if (!u.username && !u.password) return proxy;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return proxy;
  }
}

function firstSet(...values: (string | undefined)[]): string | undefined {
  for (const v of values) if (v !== undefined && v.trim() !== '') return v.trim();
  return undefined;
}

function normaliseHost(hostname: string): string {
  const h = hostname.replace(/^\[(.+)\]$/, '$1').toLowerCase();
  return h.length > 1 && h.endsWith('.') ? h.slice(0, -1) : h;
}

function parseNoProxy(value: string): NoProxyEntry[] {
  const entries: NoProxyEntry[] = [];
  for (const raw of value.split(/[,\s]/)) {
    if (!raw) continue;
    let hostname: string;
    let port = 0;
    const bracketedWithPort = /^\[(.+)\]:(\d+)$/.exec(raw);
    if (bracketedWithPort) {
      hostname = bracketedWithPort[1]!;
      port = Number.parseInt(bracketedWithPort[2]!, 10);
    } else {
      const unbracketed = raw.replace(/^\[(.+)\]$/, '$1');
      // A bare IPv6 address has several colons; host:port has exactly one, followed by digits.
      const hostPort = (unbracketed.match(/:/g) ?? []).length === 1 ? /^(.+):(\d+)$/.exec(unbracketed) : null;
      hostname = hostPort ? hostPort[1]! : unbracketed;
      port = hostPort ? Number.parseInt(hostPort[2]!, 10) : 0;
    }
    entries.push({
      hostname: hostname.replace(/^\*?\./, '').replace(/^(.+)\.$/, '$1').toLowerCase(),
      port,
      subdomainsOnly: raw.startsWith('*.'),
    });
  }
  return entries;
}

function bypassed(hostname: string, port: number, entries: NoProxyEntry[]): boolean {
  for (const e of entries) {
    if (e.port && e.port !== port) continue;
    if (e.hostname === '*') return true;
    if (!e.subdomainsOnly && hostname === e.hostname) return true;
    if (hostname.endsWith(`.${e.hostname}`)) return true;
  }
  return false;
}
