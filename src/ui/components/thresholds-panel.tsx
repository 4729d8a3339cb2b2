import { Text } from 'ink';
import type { ThresholdOutcome } from '../../load/types.js';
import { formatThresholdValue } from '../load-state.js';
import { T } from '../theme.js';
import { SectionTitle } from './section.js';

/** Thresholds pass/fail: provisional (≈, from the run so far) while running, final from the result. */
export function ThresholdsPanel({ thresholds, provisional }: { thresholds: ThresholdOutcome[]; provisional: boolean }) {
  const passed = thresholds.filter((t) => t.passed).length;
  return (
    <Text wrap="wrap">
      <SectionTitle title="Thresholds" />
      {thresholds.length === 0 ? (
        <T role="muted">{"none set (--threshold 'p95<300ms' or the spec's slo)"}</T>
      ) : (
        <>
          <T role={passed === thresholds.length ? 'ok' : 'bad'}>
            {passed}/{thresholds.length} pass{provisional ? ' so far' : ''}
          </T>
          {thresholds.map((t) => (
            <T key={t.expression} role={t.passed ? 'ok' : 'bad'}>
              {'  '}
              {t.passed ? '✓' : '✗'} {t.expression} ({provisional ? '≈' : ''}
              {formatThresholdValue(t)})
            </T>
          ))}
        </>
      )}
    </Text>
  );
}
