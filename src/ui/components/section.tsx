import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import { T } from '../theme.js';

/** A panel's title as it opens its line: "── Title ", the rest of the line follows. */
export function SectionTitle({ title }: { title: string }) {
  return (
    <>
      <T role="muted">── </T>
      <T role="title" bold>
        {title}
      </T>
      <T> </T>
    </>
  );
}

/** A panel: a rule with its title and a one-line summary, then the panel's body. */
export function Section({ title, width, summary, children }: { title: string; width: number; summary?: ReactNode; children?: ReactNode }) {
  return (
    <Box flexDirection="column" width={width}>
      <Box width={width}>
        <Text wrap="truncate-end">
          <SectionTitle title={title} />
          {summary}
        </Text>
      </Box>
      {children}
    </Box>
  );
}

/** A chart's y-axis label: a right-aligned number in a fixed-width gutter, so every chart shares one x axis. */
export const GUTTER = 10;

export function gutter(text: string): string {
  return `${text.slice(0, GUTTER - 2).padStart(GUTTER - 2)} ┤`;
}
