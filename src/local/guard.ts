/**
 * The small Node.js program that sits between mdl and each replica (run as `node -e GUARD_SOURCE`).
 *
 * Why: a SIGKILL of mdl cannot run any cleanup, and Linux offers Node no parent-death signal. The guard holds
 * an IPC channel to mdl; when that channel closes (mdl is gone, however it died) or its parent pid changes, it
 * stops the replica. The replica runs in its own process group, so a shell command's children go with it.
 * On SIGTERM (mdl stopping a replica) it forwards SIGTERM to the group and SIGKILLs it after the grace period.
 *
 * Plain CommonJS in a string: it must run without the TypeScript loader and without a build.
 */
export const GUARD_SOURCE = String.raw`
const { spawn } = require('node:child_process');
const { constants } = require('node:os');
const spec = JSON.parse(process.env.MDL_GUARD_SPEC);
delete process.env.MDL_GUARD_SPEC;
const parentPid = process.ppid;
const child = spawn(spec.file, spec.args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true, env: process.env });
let stopping = false;
const killGroup = (signal) => {
  try { process.kill(-child.pid, signal); } catch {}
};
const stop = () => {
  if (stopping) return;
  stopping = true;
  killGroup('SIGTERM');
  setTimeout(() => { killGroup('SIGKILL'); process.exit(137); }, spec.graceMs).unref();
};
child.on('error', (error) => {
  process.stderr.write('cannot start ' + spec.file + ': ' + error.message + '\n');
  process.exit(127);
});
child.on('spawn', () => {
  if (process.send) process.send({ type: 'started', pid: child.pid });
});
// On exit, whatever the replica left in its group goes too.
child.on('exit', (code, signal) => {
  killGroup('SIGKILL');
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
});
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('SIGHUP', stop);
process.on('disconnect', stop);
setInterval(() => { if (process.ppid !== parentPid) stop(); }, 500).unref();
`;

export interface GuardSpec {
  file: string;
  args: string[];
  graceMs: number;
}
