/**
 * Which URLs are local runtimes that mdl started (`mdl dev`, `loadtest --local`, `tune --local`): each one
 * leaves a small file named after its port in a per-user folder under the temp dir while it runs, so a
 * load test asks only those for `/.mdl/status` and sends nothing extra to a server that is not mdl's.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

function registryDir(): string {
  let user = 'user';
  try {
    user = String(userInfo().uid >= 0 ? userInfo().uid : userInfo().username);
  } catch {
    // No user database entry (some containers): one folder for all.
  }
  return join(tmpdir(), `mdl-local-${user}`);
}

function entryPath(port: string): string {
  return join(registryDir(), `${port}.json`);
}

function loopbackPort(url: string): string | null {
  try {
    const u = new URL(url);
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) return null;
    return u.port || (u.protocol === 'https:' ? '443' : '80');
  } catch {
    return null;
  }
}

/** Records `url` as a runtime of this process until the returned function is called. */
export function advertiseLocalTarget(url: string): () => void {
  const port = loopbackPort(url);
  if (!port) return () => {};
  try {
    mkdirSync(registryDir(), { recursive: true });
    writeFileSync(entryPath(port), JSON.stringify({ url, pid: process.pid }));
  } catch {
    // Not advertised: a load test against it then shows no replicas, nothing else changes.
    return () => {};
  }
  return () => rmSync(entryPath(port), { force: true });
}

/** True when `url` is served by a local runtime mdl started and whose process still runs. */
export function isMdlLocalTarget(url: string): boolean {
  const port = loopbackPort(url);
  if (!port) return false;
  try {
    const entry = JSON.parse(readFileSync(entryPath(port), 'utf8')) as { pid?: unknown };
    if (typeof entry.pid !== 'number') return false;
    process.kill(entry.pid, 0);
    return true;
  } catch {
    return false;
  }
}
