import { parseCommandString } from 'execa';

export interface CommandLine {
  file: string;
  args: string[];
  /** True when the user's string needs a shell (it is then run as /bin/sh -c). */
  shell: boolean;
}

// Characters that only mean something to a shell: a command holding any of them is run through /bin/sh.
const SHELL_SYNTAX = /[|&;<>()$`\\"'*?[\]#~=%!{}\n]/;

/**
 * Turns the spec's command into what to execute for one replica, with `{port}` filled in. A plain string is
 * split into arguments (no shell); a string with shell syntax runs through /bin/sh -c, as the user wrote it.
 * A leading `node` is the Node.js that runs mdl, so the demo runs on the project's Node.
 */
export function commandLine(command: string | string[], port: number): CommandLine {
  const fill = (s: string) => s.replaceAll('{port}', String(port));
  let parts: string[];
  if (Array.isArray(command)) {
    parts = command.map(fill);
  } else {
    const withoutPort = command.replaceAll('{port}', '');
    if (SHELL_SYNTAX.test(withoutPort)) return { file: '/bin/sh', args: ['-c', fill(command)], shell: true };
    parts = parseCommandString(fill(command).trim());
  }
  const [file, ...args] = parts;
  if (!file) throw new Error('empty command');
  return { file: file === 'node' ? process.execPath : file, args, shell: false };
}
