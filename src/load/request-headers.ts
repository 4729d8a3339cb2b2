/**
 * The headers a load test sends, and where they may go. The spec's `loadtest.headers` are credentials for
 * the spec's own endpoint: they go to the origin of `loadtest.url` only. A URL given on the command line
 * with another origin (another host, port or scheme; `--local`'s runtime) gets them only with
 * --spec-headers, so a token for production never reaches a host it was not meant for. `--header` values go
 * wherever the command sends requests: the user typed them for this run. Values may name environment
 * variables, `${TOKEN}`, so secrets stay out of spec files (`$${` writes a literal `${`). Pure: the
 * environment is passed in.
 */
import { badInput } from '../errors.js';
import { redactUrl } from './redact.js';

export interface HeaderSources {
  /** The URL requests go to. */
  targetUrl: string;
  /** The spec's loadtest URL (joined with its path); its origin is where the spec's headers belong. */
  specUrl?: string | undefined;
  specHeaders?: Record<string, string> | undefined;
  /** Parsed --header values (names in lower case). */
  flagHeaders?: Record<string, string> | undefined;
  /** --spec-headers: send the spec's headers to the target whatever its origin. */
  sendSpecHeaders?: boolean | undefined;
  env: Readonly<Record<string, string | undefined>>;
}

export interface WithheldHeaders {
  names: string[];
  targetOrigin: string;
  /** The origin they belong to; undefined when the spec has no loadtest.url. */
  specOrigin: string | undefined;
}

export interface RequestHeaders {
  headers: Record<string, string>;
  /** Spec headers not sent because the target is another origin; undefined when none were held back. */
  withheld: WithheldHeaders | undefined;
}

function originOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function lowerCaseNames(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One header value with ${NAME} replaced from `env`; an unset or malformed reference is exit 2. */
export function expandHeaderValue(value: string, env: HeaderSources['env'], header: string, where: string): string {
  return value.replace(REFERENCE, (match, name: string | undefined) => {
    if (match === '$${') return '${';
    if (name === undefined || !VARIABLE_NAME.test(name)) {
      throw badInput(`header "${header}" has \${${name ?? ''}}, which is not an environment variable reference`, {
        where,
        hint: 'Write ${NAME} with a variable name (letters, digits, _), or $${ for a literal ${.',
      });
    }
    const v = env[name];
    if (v === undefined) {
      throw badInput(`header "${header}" uses \${${name}}, but the environment variable ${name} is not set`, {
        where,
        hint: `Set ${name} before running mdl (e.g. export ${name}=…), or remove it from the header.`,
      });
    }
    return v;
  });
}

/** The headers to send: the spec's when the target is their origin (or --spec-headers), then --header. */
export function resolveRequestHeaders(s: HeaderSources): RequestHeaders {
  const spec = lowerCaseNames(s.specHeaders);
  const flags = s.flagHeaders ?? {};
  const targetOrigin = originOf(s.targetUrl) ?? redactUrl(s.targetUrl);
  const specOrigin = originOf(s.specUrl);
  const specNames = Object.keys(spec).filter((k) => !(k in flags));
  const allowed = s.sendSpecHeaders === true || (specOrigin !== undefined && specOrigin === targetOrigin);
  const headers: Record<string, string> = {};
  if (allowed) {
    for (const name of specNames) headers[name] = expandHeaderValue(spec[name]!, s.env, name, `loadtest.headers.${name} in the spec`);
  }
  for (const [name, value] of Object.entries(flags)) headers[name] = expandHeaderValue(value, s.env, name, '--header');
  return {
    headers,
    withheld: !allowed && specNames.length > 0 ? { names: specNames, targetOrigin, specOrigin } : undefined,
  };
}

/** The one-line warning for withheld spec headers: which, why, and how to send them anyway. */
export function withheldWarning(w: WithheldHeaders): string {
  const why = w.specOrigin === undefined ? 'the spec has no loadtest.url to scope them to' : `they belong to ${w.specOrigin} (loadtest.url)`;
  return (
    `Warning: not sending the spec's loadtest.headers (${w.names.join(', ')}) to ${w.targetOrigin}: ${why}. ` +
    'Pass --spec-headers to send them there, or --header "Name: value" for this run.'
  );
}
