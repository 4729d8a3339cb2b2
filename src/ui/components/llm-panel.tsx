import { Text } from 'ink';
import { formatMs, formatRate, type LoadViewState } from '../load-state.js';
import { T } from '../theme.js';
import { SectionTitle } from './section.js';

/** For streaming LLM endpoints: time to first token, inter-token latency, output tokens/s, goodput. */
export function LlmPanel({ state }: { state: LoadViewState }) {
  const llm = state.last?.llm;
  const final = state.result?.llm;
  const ttftP50 = final ? final.ttftMs.p50 : llm && llm.ttftMs.count > 0 ? llm.ttftMs.p50 : undefined;
  const ttftP95 = final ? final.ttftMs.p95 : llm && llm.ttftMs.count > 0 ? llm.ttftMs.p95 : undefined;
  const itlP50 = final ? final.itlMs.p50 : llm && llm.itlMs.count > 0 ? llm.itlMs.p50 : undefined;
  const itlP95 = final ? final.itlMs.p95 : llm && llm.itlMs.count > 0 ? llm.itlMs.p95 : undefined;
  const tokens = final ? final.outputTokensPerSecond : llm?.outputTokensPerSecond;
  return (
    <Text wrap="truncate-end">
      <SectionTitle title="LLM" />
      <T>TTFT p50 {formatMs(ttftP50)} p95 {formatMs(ttftP95)}</T>
      <T> · ITL p50 {formatMs(itlP50)} p95 {formatMs(itlP95)} ms</T>
      <T> · </T>
      <T bold>{tokens !== undefined ? formatRate(tokens) : '–'}</T>
      <T> tok/s</T>
      <T> · goodput {final ? `${formatRate(final.goodputPerSecond)}/s` : '–'}</T>
    </Text>
  );
}
