/**
 * Errors a user can cause carry their exit code and a hint; anything else is a bug of ours.
 * Exit codes are the project's contract (docs/architecture.md): scripts and CI branch on them.
 */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  badInput: 2,
  cluster: 3,
  rollout: 4,
  thresholds: 99,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface MdlErrorOptions {
  exitCode?: ExitCode;
  /** What the user can do about it, one sentence. */
  hint?: string;
  /** Where: "mdl.config.yaml:12:5 scaling.maxReplicas" or a flag name. */
  where?: string;
  cause?: unknown;
}

/** An error the user can act on. Its message is shown as-is, without a stack trace. */
export class MdlError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly where: string | undefined;

  constructor(message: string, options: MdlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MdlError';
    this.exitCode = options.exitCode ?? ExitCode.badInput;
    this.hint = options.hint;
    this.where = options.where;
  }
}

/** Bad flags or spec: exit 2. */
export function badInput(message: string, options: Omit<MdlErrorOptions, 'exitCode'> = {}): MdlError {
  return new MdlError(message, { ...options, exitCode: ExitCode.badInput });
}

export function isMdlError(error: unknown): error is MdlError {
  return error instanceof MdlError;
}

/** Renders an error as the lines a user reads: what, where, what to do. */
export function formatError(error: MdlError): string {
  const lines = [`Error: ${error.message}`];
  if (error.where) lines.push(`  at ${error.where}`);
  if (error.hint) lines.push(`  ${error.hint}`);
  return lines.join('\n');
}
