/**
 * The one way mdl follows a collection on the API server: list, then watch from the list's
 * resourceVersion, resuming after every end of a stream. The overall deadline aborts the request in
 * flight (a half-open connection cannot outlast it); a stream silent for longer than the server was asked
 * to keep it open is dropped and resumed; a line that is not JSON drops the stream and resumes.
 */
import { pollWait } from '../clock.js';
import { MdlError } from '../errors.js';
import { ApiError, type KubeClient, type WatchEnd, type WatchEvent } from './client.js';
import type { KubeObject } from './types.js';

/** The longest watch request asked of the server (timeoutSeconds); it closes the stream then. */
const MAX_WATCH_SECONDS = 60;
/** Silence past the server's own timeoutSeconds, after which the connection is taken for dead. */
const IDLE_GRACE_MS = 10_000;
/** Wait before retrying after an error or a malformed stream, so a broken server is not asked in a hot loop. */
const RETRY_MS = 1000;

export interface FollowOptions {
  query: Record<string, string>;
  /** Each object: ADDED for the items of a list, then the watch's ADDED/MODIFIED/DELETED (never BOOKMARK). */
  onEvent: (event: WatchEvent) => void;
  /** Checked after every event: true ends the follow. */
  stop: () => boolean;
  /** Epoch milliseconds; the request in flight is aborted then. */
  deadline: number;
  signal: AbortSignal;
  /** Resume a watch from here instead of listing first (the caller has listed). */
  resourceVersion?: string;
  /** Called when the follow resumes after an error, a silent or malformed stream, or re-lists after 410. */
  onReconnect?: (reason: string) => void;
  /** Overrides the silence after which a stream is dropped (default: the watch's timeoutSeconds + 10 s). */
  idleTimeoutMs?: number;
}

/**
 * Follows a collection until stop() returns true, the signal aborts or the deadline passes. Resolves
 * then; throws a 403 (explained) or rejected credentials at once, and the last connection error when
 * the deadline passed while the server could not be reached.
 */
export async function followCollection(client: KubeClient, path: string, o: FollowOptions): Promise<void> {
  let resourceVersion = o.resourceVersion;
  let lastError: unknown;
  const ended = () => o.stop() || o.signal.aborted || Date.now() >= o.deadline;
  while (!ended()) {
    const signal = AbortSignal.any([o.signal, AbortSignal.timeout(Math.max(0, o.deadline - Date.now()))]);
    try {
      if (resourceVersion === undefined) {
        const list = await client.request<{ metadata: { resourceVersion: string }; items: KubeObject[] }>('GET', path, { query: o.query, timeoutMs: 10_000, signal });
        resourceVersion = list.metadata.resourceVersion;
        for (const item of list.items) o.onEvent({ type: 'ADDED', object: item });
        if (o.stop()) return;
      }
      const seconds = Math.max(1, Math.min(MAX_WATCH_SECONDS, Math.ceil((o.deadline - Date.now()) / 1000)));
      const end: WatchEnd = await client.watchOnce(path, { ...o.query, resourceVersion, timeoutSeconds: seconds }, (event) => {
        if (event.type === 'ERROR') {
          if ((event.object as unknown as { code?: number }).code === 410) resourceVersion = undefined;
          return;
        }
        if (event.object?.metadata?.resourceVersion) resourceVersion = String(event.object.metadata.resourceVersion);
        if (event.type !== 'BOOKMARK') o.onEvent(event);
      }, signal, o.idleTimeoutMs ?? seconds * 1000 + IDLE_GRACE_MS);
      if (end === 'idle') o.onReconnect?.(`no event from the watch of ${path} for ${Math.round((o.idleTimeoutMs ?? seconds * 1000 + IDLE_GRACE_MS) / 1000)} s; reconnecting`);
      if (end === 'malformed') {
        o.onReconnect?.(`the watch of ${path} sent a line that is not JSON; reconnecting`);
        await pollWait(Math.min(RETRY_MS, Math.max(0, o.deadline - Date.now())), o.signal);
      }
    } catch (error) {
      if (ended() || signal.aborted) break;
      if (error instanceof ApiError && error.statusCode === 410) {
        resourceVersion = undefined;
        o.onReconnect?.('resourceVersion too old (410 Gone); listing again');
        continue;
      }
      if (error instanceof ApiError && error.statusCode === 403) throw client.explain(error);
      if (error instanceof MdlError && /rejected the credentials/.test(error.message)) throw error;
      // Unreachable (a restarting API server) or a transient server error: try again until the deadline.
      lastError = error;
      o.onReconnect?.((error as Error).message);
      await pollWait(Math.min(RETRY_MS, Math.max(0, o.deadline - Date.now())), o.signal);
    }
  }
  if (lastError && !o.stop() && Date.now() >= o.deadline) throw lastError;
}

