/** Runs fn with exactly the given proxy variables set (mdl reads process.env), then puts the old ones back. */
export const PROXY_VARS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'] as const;

export async function withProxyEnv<T>(vars: Partial<Record<(typeof PROXY_VARS)[number], string>>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(PROXY_VARS.map((k) => [k, process.env[k]]));
  for (const k of PROXY_VARS) delete process.env[k];
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const k of PROXY_VARS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

/** The environment of a child process with no proxy variable of the parent's, plus these. */
export function proxyEnvOnly(vars: Partial<Record<(typeof PROXY_VARS)[number], string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of PROXY_VARS) delete env[k];
  return { ...env, ...vars };
}
