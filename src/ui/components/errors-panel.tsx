import { Text } from 'ink';
import type { ErrorClass } from '../../load/types.js';
import { errorRatio, type LoadViewState } from '../load-state.js';
import { T } from '../theme.js';
import { SectionTitle } from './section.js';

/** Errors by class (most frequent first) and the error ratio so far. */
export function ErrorsPanel({ state }: { state: LoadViewState }) {
  const entries = (Object.entries(state.errors) as Array<[ErrorClass, number]>).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const ratio = errorRatio(state.totals);
  return (
    <Text wrap="truncate-end">
      <SectionTitle title="Errors" />
      <T role={state.totals.failed > 0 ? 'bad' : 'ok'}>
        {state.totals.failed} failed{ratio !== undefined ? ` (${(ratio * 100).toFixed(ratio > 0 && ratio < 0.01 ? 2 : 1)}%)` : ''}
      </T>
      <T role="muted"> of {state.totals.completed + state.totals.failed}</T>
      {entries.length > 0 ? <T> · </T> : null}
      {entries.map(([cls, n], i) => (
        <T key={cls} role="bad">
          {i > 0 ? '  ' : ''}
          {cls} {n}
        </T>
      ))}
    </Text>
  );
}
