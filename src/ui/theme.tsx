/**
 * Colour that honours NO_COLOR (https://no-color.org): components ask for a colour by role and get plain
 * text when colour is off, so a NO_COLOR frame carries no escape sequence at all.
 */
import { createContext, useContext, type ReactNode } from 'react';
import { Text } from 'ink';

export type Role = 'ok' | 'bad' | 'warn' | 'muted' | 'accent' | 'p50' | 'p95' | 'p99' | 'slo' | 'target' | 'desired' | 'ready' | 'title';

const COLORS: Record<Role, string> = {
  ok: 'green',
  bad: 'red',
  warn: 'yellow',
  muted: 'gray',
  accent: 'cyan',
  p50: 'green',
  p95: 'yellow',
  p99: 'magenta',
  slo: 'red',
  target: 'gray',
  desired: 'blue',
  ready: 'green',
  title: 'cyan',
};

export const ColorContext = createContext<boolean>(true);

/** NO_COLOR set to anything but the empty string turns colour off; so does TERM=dumb. */
export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return true;
}

/**
 * Ink's colours come from chalk, which looks at stdout; the dashboard is drawn on stderr, so take the
 * colour depth from the stream actually drawn on (stdout may be a file while stderr is the terminal).
 */
export async function matchColorsToStream(stream: NodeJS.WriteStream): Promise<void> {
  const { default: chalk, supportsColorStderr } = await import('chalk');
  if (stream === process.stderr && supportsColorStderr && chalk.level < supportsColorStderr.level) chalk.level = supportsColorStderr.level;
}

export function T({ role, bold, children }: { role?: Role | undefined; bold?: boolean; children?: ReactNode }) {
  const color = useContext(ColorContext);
  if (!color) return <Text>{children}</Text>;
  return (
    <Text color={role ? COLORS[role] : undefined} bold={bold} dimColor={role === 'muted'}>
      {children}
    </Text>
  );
}
