/**
 * Redaction of credentials in everything mdl prints or writes: request header values and the user info of
 * URLs (`https://user:token@host`). Results, reports, dashboards and error messages may be shared (CI logs,
 * artifacts, PR comments), so they show `[redacted]` unless the user passed --show-secrets. Pure: strings in,
 * strings out. The one place that knows what a secret looks like; docs/loadtest.md lists where it applies.
 */

export const REDACTED = '[redacted]';

/**
 * Header values shorter than this are not searched for in free text: a value such as `1` or `json` would
 * blank unrelated words. They are still redacted wherever headers themselves are shown.
 */
export const MIN_SECRET_LENGTH = 8;

/** `scheme://userinfo@`: the user info of a URL anywhere in a text (no spaces, slashes or @ inside). */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>]+)@/gi;

function redactUserinfo(userinfo: string): string {
  const colon = userinfo.indexOf(':');
  // user:password keeps the user (it names the account); a lone user part is often a token.
  return colon > 0 ? `${userinfo.slice(0, colon)}:redacted` : 'redacted';
}

/** A URL with the password (or a lone user, often a token) of its user info hidden, unless `show`. */
export function redactUrl(url: string, show = false): string {
  if (show) return url;
  return url.replace(USERINFO, (_m, scheme: string, userinfo: string) => `${scheme}${redactUserinfo(userinfo)}@`);
}

/** Header names with every value `[redacted]`, unless `show`. */
export function redactHeaders(headers: Record<string, string>, show = false): Record<string, string> {
  if (show) return { ...headers };
  return Object.fromEntries(Object.keys(headers).map((k) => [k, REDACTED]));
}

/** The strings to search for in free text: the user info of each URL and each header value (and its token). */
export function secretsOf(sources: { urls?: readonly string[]; headers?: Record<string, string> }): string[] {
  const found = new Set<string>();
  for (const url of sources.urls ?? []) {
    for (const m of url.matchAll(USERINFO)) {
      const userinfo = m[2]!;
      const colon = userinfo.indexOf(':');
      const secret = colon > 0 ? userinfo.slice(colon + 1) : userinfo;
      found.add(secret);
      try {
        found.add(decodeURIComponent(secret));
      } catch {
        // not percent-encoded text: the raw form is enough
      }
    }
  }
  for (const value of Object.values(sources.headers ?? {})) {
    found.add(value);
    // "Bearer abc…": the token alone may be echoed too.
    const token = value.trim().split(/\s+/).at(-1);
    if (token) found.add(token);
  }
  return [...found].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** Text with URL user info and each known secret replaced, unless `show`. */
export function redactText(text: string, secrets: readonly string[] = [], show = false): string {
  if (show) return text;
  let out = redactUrl(text);
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/** A copy of a JSON-like value with redactText applied to every string in it (keys included). */
export function redactValue<T>(value: T, secrets: readonly string[] = [], show = false): T {
  if (show) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactText(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [redactText(k, secrets), walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}

/** One run's redaction: the secrets of its target and headers, and whether --show-secrets was given. */
export interface Redactor {
  readonly show: boolean;
  url(url: string): string;
  text(text: string): string;
  value<T>(value: T): T;
}

export function createRedactor(sources: { urls?: readonly string[]; headers?: Record<string, string>; show?: boolean }): Redactor {
  const show = sources.show === true;
  const secrets = secretsOf(sources);
  return {
    show,
    url: (url) => redactUrl(url, show),
    text: (text) => redactText(text, secrets, show),
    value: (value) => redactValue(value, secrets, show),
  };
}
