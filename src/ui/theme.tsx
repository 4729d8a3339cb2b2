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

export function T({ role, bold, children }: { role?: Role | undefined; bold?: boolean; children?: ReactNode }) {
  const color = useContext(ColorContext);
  if (!color) return <Text>{children}</Text>;
  return (
    <Text color={role ? COLORS[role] : undefined} bold={bold} dimColor={role === 'muted'}>
      {children}
    </Text>
  );
}
