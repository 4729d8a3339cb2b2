import { parseCommandString } from 'execa';
import { PLACEHOLDER_NAMES, type CommandPlaceholder } from '../spec/command-placeholders.js';

export interface CommandLine {
  file: string;
  args: string[];
  /** True when the user's string needs a shell (it is then run as /bin/sh -c). */
  shell: boolean;
}

/** The values of one replica's placeholders; a placeholder the command does not use may be left out. */
export type PlaceholderValues = { port: number } & Partial<Record<CommandPlaceholder, number>>;

// Characters that only mean something to a shell: a command holding any of them is run through /bin/sh.
const SHELL_SYNTAX = /[|&;<>()$`\\"'*?[\]#~=%!{}\n]/;

/**
 * Turns the spec's command into what to execute for one replica, with its placeholders ({port}, {grpcPort},
 * {metricsPort}, {replica}: src/spec/command-placeholders.ts) filled in. A plain string is split into
 * arguments (no shell); a string with shell syntax runs through /bin/sh -c, as the user wrote it.
 * A leading `node` is the Node.js that runs mdl, so the demo runs on the project's Node.
 */
export function commandLine(command: string | string[], values: PlaceholderValues | number): CommandLine {
  const filled: PlaceholderValues = typeof values === 'number' ? { port: values } : values;
  const fill = (s: string) => {
    let out = s;
    for (const p of PLACEHOLDER_NAMES) {
      const v = filled[p];
      if (v !== undefined) out = out.replaceAll(`{${p}}`, String(v));
    }
    return out;
  };
  let parts: string[];
  if (Array.isArray(command)) {
    parts = command.map(fill);
  } else {
    // The placeholders' braces are not shell syntax.
    let withoutPlaceholders = command;
    for (const p of PLACEHOLDER_NAMES) withoutPlaceholders = withoutPlaceholders.replaceAll(`{${p}}`, '');
    if (SHELL_SYNTAX.test(withoutPlaceholders)) return { file: '/bin/sh', args: ['-c', fill(command)], shell: true };
    parts = parseCommandString(fill(command).trim());
  }
  const [file, ...args] = parts;
  if (!file) throw new Error('empty command');
  return { file: file === 'node' ? process.execPath : file, args, shell: false };
}
