/**
 * What a bug of ours looks like to a user, in one place: the command's catch and the process-level handlers
 * (unhandled rejections, uncaught exceptions) both print one paragraph and exit with the bug exit code
 * (docs/architecture.md); the stack only when asked for (MDL_DEBUG=1, DEBUG=mdl*, or --debug).
 */
import { ExitCode, formatError, isMdlError } from '../errors.js';

/** The exit code of a bug: 1, unless the running command gives 1 another meaning (mdl diff). */
let bugExitCode: number = ExitCode.unexpected;

export function setBugExitCode(code: number): void {
  bugExitCode = code;
}

export function getBugExitCode(): number {
  return bugExitCode;
}

export function debugEnabled(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv): boolean {
  if (argv.includes('--debug')) return true;
  const flag = env.MDL_DEBUG ?? '';
  if (flag !== '' && flag !== '0' && flag !== 'false') return true;
  return (env.DEBUG ?? '').split(',').some((p) => p.trim() === '*' || p.trim().startsWith('mdl'));
}

/** The lines printed for an error that is not the user's. */
export function formatBug(error: unknown, debug: boolean = debugEnabled()): string {
  const e = error instanceof Error ? error : undefined;
  const message = e?.message ?? String(error);
  return (
    `Error: ${message}\nThis is a bug in mdl; please report it with the command you ran.` +
    `${debug ? `\n${e?.stack ?? ''}` : '\n(Set MDL_DEBUG=1 or pass --debug to see the stack trace.)'}\n`
  );
}

/**
 * A promise nobody awaited that rejects, or an exception thrown from a callback, would otherwise end the
 * process with Node's stack trace and exit code 1 (or be lost). A user error that gets there still exits
 * with its own code and message.
 */
export function installCrashHandlers(): void {
  const crash = (error: unknown) => {
    if (isMdlError(error)) {
      process.stderr.write(`${formatError(error)}\n`);
      process.exit(error.exitCode);
    }
    process.stderr.write(formatBug(error));
    process.exit(bugExitCode);
  };
  process.on('unhandledRejection', crash);
  process.on('uncaughtException', crash);
}
