/**
 * The built CLI as a user runs it, from tests and benchmarks: `node bin/run.js ARGS`, its exit code and
 * both streams once it ends. One runner, so every caller reads an exit code the same way (a signal or a
 * timeout counts as 1).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

export const MDL_BIN = resolve('bin/run.js');

export interface MdlRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall-clock seconds the process ran. */
  seconds: number;
}

export function runMdl(args: string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<MdlRun> {
  const started = Date.now();
  return new Promise((done) => {
    execFile(
      process.execPath,
      [MDL_BIN, ...args],
      {
        maxBuffer: 64 * 1024 * 1024,
        ...(options.cwd ? { cwd: options.cwd } : {}),
        ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
        ...(options.env ? { env: options.env } : {}),
      },
      (error, stdout, stderr) => {
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, seconds: (Date.now() - started) / 1000 });
      },
    );
  });
}
