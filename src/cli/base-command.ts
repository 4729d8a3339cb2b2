import { Command, Flags, type Interfaces } from '@oclif/core';
import { ExitCode, MdlError, formatError, isMdlError } from '../errors.js';
import type { LoadedSpec } from '../spec/index.js';
import { redactUrl } from '../load/redact.js';
import { formatBug, setBugExitCode } from './bug-report.js';
import { FlagValueError } from './flags.js';
import { decideOutputMode, isCI, type OutputMode } from './output-mode.js';
import { expandBareFlags, type BareFlag } from './bare-flags.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof MdlCommand)['baseFlags'] & T['flags']>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/**
 * The base of every mdl command: the shared flags, the output mode, and the one place where errors
 * become exit codes (docs/architecture.md). Commands stay thin: parse flags, call src/, return a result; with
 * --json oclif prints that result alone on stdout.
 */
export abstract class MdlCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    config: Flags.string({
      char: 'c',
      helpGroup: 'GLOBAL',
      env: 'MDL_CONFIG',
      description: 'Spec file (default: mdl.config.yaml or .mdlrc found upward from here)',
    }),
    env: Flags.string({
      helpGroup: 'GLOBAL',
      env: 'MDL_ENV',
      description: "Environment overlay from the spec's environments section",
    }),
    debug: Flags.boolean({
      helpGroup: 'GLOBAL',
      description: 'On a bug in mdl, print the stack trace (as MDL_DEBUG=1 does)',
    }),
    ui: Flags.boolean({
      helpGroup: 'GLOBAL',
      allowNo: true,
      env: 'MDL_UI',
      description: 'Live dashboard on stderr (default: when stderr is a terminal and not in CI)',
    }),
  };

  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;
  /**
   * The exit code of a bug of ours. 1 by default; a command whose 1 means something else (mdl diff:
   * "there are changes", as kubectl diff) moves it above 1 so that a script never takes a crash for an answer.
   */
  static unexpectedExitCode: number = ExitCode.unexpected;
  /** Value flags that may stand alone, kubectl-style (deploy's bare --dry-run means client). */
  static bareFlags: Readonly<Record<string, BareFlag>> = {};
  /** Set by a command whose result is printed but whose outcome is a failure (thresholds: 99). */
  protected resultExitCode: ExitCode = ExitCode.ok;

  public override async init(): Promise<void> {
    await super.init();
    const bare = (this.ctor as typeof MdlCommand).bareFlags;
    if (Object.keys(bare).length > 0) this.argv = expandBareFlags(this.argv, bare);
    setBugExitCode((this.ctor as typeof MdlCommand).unexpectedExitCode);
    try {
      const { args, flags } = await this.parse({
        flags: this.ctor.flags,
        baseFlags: (super.ctor as typeof MdlCommand).baseFlags,
        enableJsonFlag: this.ctor.enableJsonFlag,
        args: this.ctor.args,
        strict: this.ctor.strict,
      });
      this.flags = flags as BaseFlags<T>;
      this.args = args as BaseArgs<T>;
    } catch (error) {
      // A value that is not what its flag takes (src/cli/flags.ts): its own message, where and example.
      if (error instanceof FlagValueError) throw new MdlError(`${error.flag} ${error.detail}`, { where: error.flag, hint: error.hint });
      // oclif's parser errors (unknown flag, missing arg, exclusive flags) are the user's: exit 2 with oclif's message.
      // Its text is tidied: "Parsing --port \n\tExpected an integer…\nSee more help with --help" reads as one line.
      const message = (error instanceof Error ? error.message : String(error))
        .replace(/\n?See more help with --help\s*$/, '')
        .replace(/^Parsing (--\S+)\s*\n\t/, '$1: ');
      throw new MdlError(message, { hint: `See: mdl ${this.id ?? ''} --help`.trim() });
    }
  }

  protected get outputMode(): OutputMode {
    return decideOutputMode({
      json: this.jsonEnabled(),
      ui: this.flags.ui,
      stderrIsTTY: Boolean(process.stderr.isTTY),
      ci: isCI(),
    });
  }

  /**
   * The spec named by --config (or found upward from the working directory), with the --env overlay
   * applied, validated and resolved. Loaded lazily so that commands without a spec do not pay for zod.
   */
  protected async loadSpec(): Promise<LoadedSpec> {
    const { loadSpec } = await import('../spec/index.js');
    const flags = this.flags as { config?: string; env?: string };
    return loadSpec({
      cwd: process.cwd(),
      ...(flags.config !== undefined ? { configPath: flags.config } : {}),
      ...(flags.env !== undefined ? { env: flags.env } : {}),
    });
  }

  /** Human text goes to stderr so that stdout stays for results. Silent under --json. */
  protected note(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${message}\n`);
  }

  public override async catch(raw: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // oclif's own exits (this.exit, --help, --version) pass through untouched.
    if (raw?.oclif?.exit !== undefined && !isMdlError(raw)) throw raw;
    const error = redactedError(raw);
    const userError = isMdlError(error);
    const exitCode: number = userError ? error.exitCode : (this.ctor as typeof MdlCommand).unexpectedExitCode;
    if (this.jsonEnabled()) {
      const doc = {
        error: {
          message: error.message,
          exitCode,
          ...(userError && error.where ? { where: error.where } : {}),
          ...(userError && error.hint ? { hint: error.hint } : {}),
        },
      };
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    }
    process.stderr.write(userError ? `${formatError(error)}\n` : formatBug(error));
    return this.exit(exitCode);
  }

  public override async finally(error: Error | undefined): Promise<unknown> {
    if (!error && this.resultExitCode !== ExitCode.ok) process.exitCode = this.resultExitCode;
    return super.finally(error);
  }
}

/** The error with any URL user info in its text hidden (src/load/redact.ts): messages end up in CI logs. */
function redactedError<E extends Error>(error: E): E {
  if (!(error instanceof Error)) return error;
  if (isMdlError(error)) {
    return new MdlError(redactUrl(error.message), {
      exitCode: error.exitCode,
      ...(error.where !== undefined ? { where: redactUrl(error.where) } : {}),
      ...(error.hint !== undefined ? { hint: redactUrl(error.hint) } : {}),
    }) as unknown as E;
  }
  error.message = redactUrl(error.message);
  if (error.stack) error.stack = redactUrl(error.stack);
  return error;
}

