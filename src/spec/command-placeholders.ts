/**
 * The placeholders of `local.command`, filled per replica by `mdl dev` (src/local/command-line.ts). The one
 * list: the spec's description of local.command, docs/local.md and the filling all read it.
 */
export const COMMAND_PLACEHOLDERS = {
  port: 'the port the replica serves HTTP on, also in $PORT; required',
  grpcPort: 'another free port, for a gRPC listener',
  metricsPort: 'another free port, for a separate metrics listener',
  replica: "the replica's number, 1, 2, … in start order, as in its name <name>-<number>; a restart keeps it",
} as const;

export type CommandPlaceholder = keyof typeof COMMAND_PLACEHOLDERS;

export const PLACEHOLDER_NAMES = Object.keys(COMMAND_PLACEHOLDERS) as CommandPlaceholder[];

/** "{port} (the port …), {grpcPort} (…)": for descriptions. */
export function describePlaceholders(): string {
  return PLACEHOLDER_NAMES.map((p) => `{${p}} (${COMMAND_PLACEHOLDERS[p]})`).join(', ');
}

/** The placeholders a command uses. */
export function placeholdersIn(command: string | readonly string[]): Set<CommandPlaceholder> {
  const text = typeof command === 'string' ? command : command.join(' ');
  return new Set(PLACEHOLDER_NAMES.filter((p) => text.includes(`{${p}}`)));
}
