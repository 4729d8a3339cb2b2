/**
 * Which view a command uses, decided in one place so every command agrees:
 * - json: the result document alone on stdout, nothing live;
 * - ink: the live dashboard on stderr (stderr is a terminal, not CI, not turned off);
 * - plain: one line per event or per second on stderr (CI, pipes, --no-ui).
 */
export type OutputMode = 'json' | 'ink' | 'plain';

export interface OutputModeInput {
  json: boolean;
  /** --ui / --no-ui; undefined means decide from the terminal. */
  ui: boolean | undefined;
  stderrIsTTY: boolean;
  ci: boolean;
}

export function decideOutputMode(input: OutputModeInput): OutputMode {
  if (input.json) return 'json';
  if (input.ui === false) return 'plain';
  if (input.ui === true) return input.stderrIsTTY ? 'ink' : 'plain';
  return input.stderrIsTTY && !input.ci ? 'ink' : 'plain';
}

/** CI systems set CI=true (GitHub, GitLab, Buildkite, CircleCI…). */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}
