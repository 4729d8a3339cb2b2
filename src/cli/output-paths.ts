/**
 * Output paths checked before any work starts: a run of minutes must not end by failing to write its
 * report. Nothing is created or truncated here; the check is that the file could be opened for writing.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { badInput } from '../errors.js';

/** Why `path` cannot be written, or undefined when it can. */
export function unwritableReason(path: string): string | undefined {
  if (path.trim() === '') return 'the path is empty';
  const full = resolve(path);
  const file = statOrUndefined(full);
  if (file?.isDirectory()) return 'it is a folder';
  if (file) return accessible(full) ? undefined : 'the file is not writable';
  const dir = dirname(full);
  const folder = statOrUndefined(dir);
  if (!folder) return `the folder ${dir} does not exist`;
  if (!folder.isDirectory()) return `${dir} is not a folder`;
  return accessible(dir) ? undefined : `the folder ${dir} is not writable`;
}

/** Exit 2 naming the flag when the file named by it cannot be written. */
export function checkWritableFile(path: string, flag: string): void {
  const reason = unwritableReason(path);
  if (reason) throw badInput(`${flag} ${path} cannot be written: ${reason}`, { where: flag, hint: 'Pick a file in an existing folder that you can write to.' });
}

/** GitHub Actions' step summary (appended to at the end of a run), when the variable is set. */
export function checkStepSummary(env: NodeJS.ProcessEnv = process.env): void {
  const path = env.GITHUB_STEP_SUMMARY;
  if (path === undefined || path === '') return;
  const reason = unwritableReason(path);
  if (reason) {
    throw badInput(`GITHUB_STEP_SUMMARY=${path} cannot be written: ${reason}`, {
      where: 'GITHUB_STEP_SUMMARY',
      hint: 'Unset it, or point it at a writable file (GitHub Actions sets it for each step).',
    });
  }
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function accessible(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
