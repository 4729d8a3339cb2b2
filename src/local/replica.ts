/**
 * One replica: a process started through the guard (src/local/guard.ts), its readiness, its output and its
 * traffic counters. The slot outlives its process: a crashed replica restarts under the same name.
 */
import { execa, type ResultPromise } from 'execa';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { commandLine, type PlaceholderValues } from './command-line.js';
import { placeholdersIn } from '../spec/command-placeholders.js';
import { TrafficCounters } from './counters.js';
import { GUARD_SOURCE, type GuardSpec } from './guard.js';
import type { ResolvedOptions } from './options.js';

export type ReplicaState = 'starting' | 'ready' | 'unready' | 'draining' | 'stopping' | 'stopped' | 'crashed';

export interface ReplicaHooks {
  now(): number;
  wallNow(): number;
  onOutput(replica: Replica, stream: 'stdout' | 'stderr', line: string): void;
  onStarting(replica: Replica): void;
  onReady(replica: Replica): void;
  onUnready(replica: Replica): void;
  /** The process ended without being asked to (or never became ready in time). */
  onCrash(replica: Replica, exitCode: number | undefined): void;
}

const OUTPUT_TAIL = 20;
const READY_POLL_MS = 1000;
const UNREADY_AFTER_FAILURES = 3;

export class Replica {
  state: ReplicaState = 'stopped';
  port = 0;
  /** Pid of the replica's own process (its process group id too). */
  pid: number | undefined;
  /** Pid of the guard in front of it. */
  guardPid: number | undefined;
  restarts = 0;
  /** Crashes in a row without 30 s of readiness in between: the restart backoff's exponent. */
  crashStreak = 0;
  startedAtMs: number | undefined;
  startedAtWall: number | undefined;
  readyAtMs: number | undefined;
  timeToReadyMs: number | undefined;
  readonly counters: TrafficCounters;
  readonly lastOutput: string[] = [];
  /** CPU seconds at the last autoscaler reading, for the cpu metric. */
  cpuMark: { atMs: number; seconds: number } | undefined;
  private proc: ResultPromise | undefined;
  private exited: Promise<void> = Promise.resolve();
  private generation = 0;

  constructor(
    readonly id: string,
    private readonly options: ResolvedOptions,
    private readonly hooks: ReplicaHooks,
  ) {
    this.counters = new TrafficCounters(hooks.now());
  }

  get takesTraffic(): boolean {
    return this.state === 'ready';
  }

  get alive(): boolean {
    return this.state === 'starting' || this.state === 'ready' || this.state === 'unready' || this.state === 'draining';
  }

  /** {port} and {replica}, and a free port of its own for each of {grpcPort} and {metricsPort} the command uses. */
  private async placeholderValues(): Promise<PlaceholderValues> {
    const values: PlaceholderValues = { port: this.port, replica: replicaNumber(this.id) };
    const taken = new Set([this.port]);
    for (const p of placeholdersIn(this.options.command)) {
      if (p !== 'grpcPort' && p !== 'metricsPort') continue;
      let port = await freePort();
      while (taken.has(port)) port = await freePort();
      taken.add(port);
      values[p] = port;
    }
    return values;
  }

  async start(): Promise<void> {
    const generation = ++this.generation;
    this.port = await freePort();
    const line = commandLine(this.options.command, await this.placeholderValues());
    const spec: GuardSpec = { file: line.file, args: line.args, graceMs: this.options.stopGraceMs };
    this.state = 'starting';
    this.startedAtMs = this.hooks.now();
    this.startedAtWall = this.hooks.wallNow();
    this.readyAtMs = undefined;
    this.timeToReadyMs = undefined;
    this.pid = undefined;
    // --title: `ps` shows "mdl-guard iris-1" instead of the guard's source.
    const proc = execa(process.execPath, [`--title=mdl-guard ${this.id}`, '-e', GUARD_SOURCE], {
      cwd: this.options.cwd,
      env: { ...this.options.env, PORT: String(this.port), MDL_GUARD_SPEC: JSON.stringify(spec) },
      // Its own process group: a Ctrl-C in the terminal reaches mdl only, which then stops replicas in order.
      detached: true,
      ipc: true,
      serialization: 'json',
      stdin: 'ignore',
      buffer: false,
      reject: false,
      cleanup: false,
      forceKillAfterDelay: this.options.stopGraceMs + 2000,
    });
    this.proc = proc;
    this.guardPid = proc.pid;
    // The guard reports the replica's pid (its process group) once spawned; an exit first rejects.
    const pidKnown = proc.getOneMessage().then(
      (m) => {
        const msg = m as { type?: string; pid?: number };
        if (msg?.type === 'started' && typeof msg.pid === 'number') this.pid = msg.pid;
      },
      () => undefined,
    );
    for (const stream of ['stdout', 'stderr'] as const) {
      const readable = proc[stream];
      if (!readable) continue;
      createInterface({ input: readable }).on('line', (text) => {
        this.lastOutput.push(text);
        if (this.lastOutput.length > OUTPUT_TAIL) this.lastOutput.shift();
        this.hooks.onOutput(this, stream, text);
      });
    }
    this.exited = proc.then((result) => {
      if (generation !== this.generation) return;
      const expected = this.state === 'stopping' || this.state === 'stopped';
      this.pid = undefined;
      if (expected) {
        this.state = 'stopped';
      } else {
        this.state = 'crashed';
        this.hooks.onCrash(this, typeof result.exitCode === 'number' ? result.exitCode : undefined);
      }
    });
    await pidKnown;
    this.hooks.onStarting(this);
    void this.pollReadiness(generation);
  }

  private async pollReadiness(generation: number): Promise<void> {
    let failures = 0;
    while (generation === this.generation && this.alive) {
      const starting = this.state === 'starting';
      const ok = await probe(this.port, this.options.healthPath, starting ? 1000 : 2000);
      if (generation !== this.generation || !this.alive) return;
      if (ok) {
        failures = 0;
        if (this.state === 'starting') {
          this.state = 'ready';
          this.readyAtMs = this.hooks.now();
          this.timeToReadyMs = this.readyAtMs - (this.startedAtMs ?? this.readyAtMs);
          this.hooks.onReady(this);
        } else if (this.state === 'unready') {
          this.state = 'ready';
          this.hooks.onReady(this);
        }
      } else if (this.state === 'starting') {
        if (this.hooks.now() - (this.startedAtMs ?? 0) > this.options.startTimeoutMs) {
          this.lastOutput.push(`(not ready after ${this.options.startTimeoutMs} ms on ${this.options.healthPath})`);
          this.kill();
          return; // the exit is then reported as a crash
        }
      } else if (this.state === 'ready' && ++failures >= UNREADY_AFTER_FAILURES) {
        this.state = 'unready';
        this.hooks.onUnready(this);
      }
      await delay(starting ? this.options.readinessIntervalMs : READY_POLL_MS);
    }
  }

  /** Stops taking traffic, waits (bounded) for in-flight requests to finish, then stops the process. */
  async drainAndStop(): Promise<void> {
    if (!this.alive) return this.exited;
    this.state = 'draining';
    const deadline = this.hooks.now() + this.options.drainTimeoutMs;
    while (this.counters.inFlight > 0 && this.hooks.now() < deadline) await delay(20);
    return this.stop();
  }

  /** SIGTERM to the guard, which forwards it to the replica's group and SIGKILLs it after the grace period. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'crashed') return this.exited;
    this.state = 'stopping';
    this.proc?.kill('SIGTERM');
    return this.exited;
  }

  /** Kills without asking: used when a replica does not become ready in time. */
  kill(): void {
    this.proc?.kill('SIGKILL');
    if (this.pid !== undefined) {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Synchronous last resort on process exit: no waiting possible, so SIGKILL both groups. */
  killNow(): void {
    for (const pid of [this.pid, this.guardPid]) {
      if (pid === undefined) continue;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // not a group leader or already gone
      }
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function probe(port: number, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** A free loopback port (there is a small window before the replica binds it; a clash shows as a crash). */
/** The number at the end of a replica's name ("iris-3" → 3): its {replica}. */
export function replicaNumber(id: string): number {
  return Number(/-(\d+)$/.exec(id)?.[1] ?? 0);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
