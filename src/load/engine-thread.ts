/**
 * Runs the load engine on its own thread (a worker), for `mdl loadtest`.
 *
 * Why a thread: V8 grows a heap's young generation by doubling as long as a program allocates quickly,
 * up to 64 MiB per semi-space on this Node. At thousands of requests a second the engine allocates
 * enough to get there, but only after minutes: the last doubling put a 50 MiB step into the resident
 * memory of a 5-minute run (test/bench/RESULTS.md). The young generation's size is fixed when a heap is
 * created, so a running process cannot change its own; a worker's heap is created here, with a fixed
 * young generation (ENGINE_SEMI_SPACE_MB from the start, never grown), so the engine's memory reaches
 * its size in the first second and stays there. The thread also keeps the engine's timestamps clear of
 * the dashboard's rendering on the main thread.
 *
 * Same contract as runLoad (options and hooks, one snapshot a second, the result); errors the user can
 * cause come back as MdlError with their exit code.
 */
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { MdlError, type ExitCode } from '../errors.js';
import type { LoadOptions, RunHooks } from './engine.js';
import type { LoadResult, LoadSnapshot } from './types.js';

/** Each of the young generation's two semi-spaces, MiB: V8's default starts at 1 and may grow to 64. */
export const ENGINE_SEMI_SPACE_MB = 16;

/** Messages from the engine thread. */
export type EngineThreadMessage =
  | { kind: 'snapshot'; snapshot: LoadSnapshot }
  | { kind: 'result'; result: LoadResult }
  | { kind: 'error'; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  exitCode?: ExitCode;
  hint?: string;
  where?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof MdlError) return { name: error.name, message: error.message, exitCode: error.exitCode, hint: error.hint, where: error.where };
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

export function reviveError(e: SerializedError): Error {
  if (e.name === 'MdlError') return new MdlError(e.message, { exitCode: e.exitCode, hint: e.hint, where: e.where });
  const error = new Error(e.message);
  error.name = e.name;
  if (e.stack) error.stack = e.stack;
  return error;
}

/**
 * The worker's module: beside this one when run from source (.ts; the worker inherits tsx) or compiled
 * file by file; dist/engine-worker.js when this module is in one of the bundle's chunks (dist/chunks/).
 */
function workerUrl(): URL {
  const candidates = import.meta.url.endsWith('.ts') ? ['./engine-worker.ts'] : ['./engine-worker.js', '../engine-worker.js'];
  const urls = candidates.map((c) => new URL(c, import.meta.url));
  return urls.find((u) => existsSync(u)) ?? urls[0]!;
}

export function runLoadInThread(options: LoadOptions, hooks: RunHooks = {}): Promise<LoadResult> {
  if (options.clock) throw new Error('a custom clock cannot cross to the engine thread: call runLoad');
  // Read by V8 when the worker's heap is created (and by nothing else later): the semi-spaces start
  // at this size; resourceLimits caps them at the same size, so they never grow.
  setFlagsFromString(`--min-semi-space-size=${ENGINE_SEMI_SPACE_MB}`);
  const worker = new Worker(workerUrl(), {
    workerData: options,
    // V8's young generation = two semi-spaces + as much again for new large objects.
    resourceLimits: { maxYoungGenerationSizeMb: 3 * ENGINE_SEMI_SPACE_MB },
    stdout: false,
    stderr: false,
  });
  return new Promise<LoadResult>((resolve, reject) => {
    let settled = false;
    const abort = () => worker.postMessage({ kind: 'abort' });
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', abort);
      void worker.terminate();
      fn();
    };
    if (hooks.signal?.aborted) abort();
    else hooks.signal?.addEventListener('abort', abort, { once: true });
    worker.on('message', (m: EngineThreadMessage) => {
      if (m.kind === 'snapshot') hooks.onSnapshot?.(m.snapshot);
      else if (m.kind === 'result') settle(() => resolve(m.result));
      else settle(() => reject(reviveError(m.error)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the load engine's thread stopped (exit code ${code}) before its result`))));
  });
}
