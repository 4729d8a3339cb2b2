/**
 * Real third-party model servers for the tests (issue 17), started on 127.0.0.1 and stopped by process group:
 * MLServer (KServe v2, a scikit-learn iris model trained here) and llama-cpp-python's OpenAI-compatible server
 * (a tiny GGUF written here). install.sh beside this file installs them once
 * (a venv under .cache/real-servers keyed by the pinned versions); installRealServers() runs it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
export const INSTALL_SCRIPT = join(HERE, 'install.sh');

export interface RealServers {
  /** The venv's python. */
  python: string;
}

/**
 * Installs (first run: minutes, it compiles llama.cpp) or finds (then: instant) the servers. The test hook
 * that calls it needs a timeout for the cold case: COLD_INSTALL_MS.
 */
export async function installRealServers(): Promise<RealServers> {
  // No kill on a timeout: an install cut short would be redone from scratch; one that outlives a test hook
  // finishes, and the next caller waits for it on install.sh's lock.
  const { stdout } = await run('bash', [INSTALL_SCRIPT], { maxBuffer: 16 * 1024 * 1024 });
  const python = stdout.trim().split('\n').at(-1)!;
  if (!existsSync(python)) throw new Error(`install.sh did not leave ${python}`);
  return { python };
}
/** The test hook's allowance for a cold install (pip, and llama.cpp compiled on two cores: see test/bench/RESULTS.md). */
export const COLD_INSTALL_MS = 60 * 60_000;

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

export interface StartedServer {
  /** The inference base URL, http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Where its Prometheus metrics are, when it serves them. */
  metricsUrl?: string;
  /** Everything it printed, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

function startProcess(file: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): { child: ChildProcess; log: () => string } {
  // Its own process group: MLServer forks workers, and stop() takes them all.
  const child = spawn(file, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (c: Buffer) => {
    out = (out + c.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, log: () => out };
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
}

async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before ${url} answered:\n${log()}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${log()}`);
}

/** Trains the iris model and writes MLServer's model folder; returns it. */
export async function irisModelDir(servers: RealServers, dir: string): Promise<string> {
  const out = join(dir, 'iris');
  if (!existsSync(join(out, 'model.joblib'))) await run(servers.python, [join(HERE, 'train_iris.py'), out]);
  return out;
}

/** The tiny GGUF llama.cpp generates from (random weights; see tiny_gguf.py). */
export async function tinyGguf(servers: RealServers, dir: string): Promise<string> {
  const out = join(dir, 'tiny-llama.gguf');
  if (!existsSync(out)) await run(servers.python, [join(HERE, 'tiny_gguf.py'), out]);
  return out;
}

/** The command that starts MLServer for a model folder with its three ports, as `mdl dev`'s local.command can hold it. */
export function mlserverEnv(httpPort: number | string, grpcPort: number | string, metricsPort: number | string): Record<string, string> {
  return {
    MLSERVER_HOST: '127.0.0.1',
    MLSERVER_HTTP_PORT: String(httpPort),
    MLSERVER_GRPC_PORT: String(grpcPort),
    MLSERVER_METRICS_PORT: String(metricsPort),
    // MLServer's default, one inference worker process: with inference in the server's own event loop
    // (0 workers) a scrape only ever runs between requests and rest_server_requests_in_progress reads 0.
    MLSERVER_PARALLEL_WORKERS: '1',
    MLSERVER_LOAD_MODELS_AT_STARTUP: 'true',
  };
}

/** MLServer's CLI, beside the venv's python. */
export function mlserverBin(servers: RealServers): string {
  return join(dirname(servers.python), 'mlserver');
}

export async function startMlserver(servers: RealServers, modelDir: string): Promise<StartedServer> {
  const [port, grpc, metrics] = [await freePort(), await freePort(), await freePort()];
  const { child, log } = startProcess(mlserverBin(servers), ['start', modelDir], mlserverEnv(port, grpc, metrics), modelDir);
  const url = `http://127.0.0.1:${port}`;
  const stop = stopper(child);
  try {
    await waitReady(`${url}/v2/models/iris/ready`, child, log, 120_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, metricsUrl: `http://127.0.0.1:${metrics}/metrics`, log, stop };
}

/** llama-cpp-python's server command line; interrupt: its default, which ends a running stream when another request comes. */
export function llamaCppPythonArgs(model: string, port: number | string, interrupt: boolean): string[] {
  return ['-m', 'llama_cpp.server', '--model', model, '--model_alias', 'tiny', '--host', '127.0.0.1', '--port', String(port), '--n_ctx', '512', '--n_threads', '1', '--interrupt_requests', interrupt ? 'True' : 'False'];
}

export async function startLlamaCppPython(servers: RealServers, model: string, options: { interrupt: boolean }): Promise<StartedServer> {
  const port = await freePort();
  const { child, log } = startProcess(servers.python, llamaCppPythonArgs(model, port, options.interrupt), {});
  const url = `http://127.0.0.1:${port}`;
  const stop = stopper(child);
  try {
    await waitReady(`${url}/v1/models`, child, log, 120_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, log, stop };
}

/** A series' value summed over its label sets (what PromQL's sum() gives); undefined when absent. */
export function sampleValue(text: string, series: string): number | undefined {
  const esc = series.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const values = [...text.matchAll(new RegExp(`^${esc}(?:\\{[^}]*\\})?\\s+(\\S+)`, 'gm'))].map((m) => Number(m[1]));
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) : undefined;
}

/** The series names a Prometheus text exposition declares or carries. */
export function exportedSeries(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^# TYPE (\S+) (\S+)/.exec(line) ?? /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{|\s)/.exec(line);
    if (m) names.add(m[1]!);
  }
  return names;
}

/** A fresh scratch folder under .cache/real-servers/work (kept between runs: the model files are reused). */
export function workDir(name: string): string {
  const dir = resolve('.cache/real-servers/work', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function writeText(path: string, text: string): string {
  writeFileSync(path, text);
  return path;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

/** Runs the built CLI (dist/, as npm test builds it) with this Node; killed past killAfterMs so a hang fails the test. */
export function mdl(args: string[], options: { cwd?: string; killAfterMs?: number; interruptAfterMs?: number } = {}): Promise<CliRun> {
  return new Promise((ok) => {
    const started = Date.now();
    const child = spawn(process.execPath, [resolve('bin/run.js'), ...args], { cwd: options.cwd, env: { ...process.env, CI: 'true' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    if (options.interruptAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), options.interruptAfterMs);
    const guard = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      ok({ code, stdout, stderr, wallMs: Date.now() - started });
    });
  });
}
