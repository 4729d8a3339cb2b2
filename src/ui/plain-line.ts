/**
 * The plain view: the same view state as the dashboard, as one line (for CI logs and pipes). Pure.
 */
import { errorRatio, formatClock, formatMs, formatRate, formatSpan, type LoadViewState } from './load-state.js';
import { scaleUpLag } from './scaling-state.js';

export function formatPlainLine(state: LoadViewState): string {
  const s = state.last;
  const parts: string[] = [];
  const clock = `${formatClock(state.elapsedMs)}${state.totalMs ? `/${formatClock(state.totalMs)}` : ''}`;
  parts.push(`${clock}${s?.warmup ? ' warm-up' : ''}${state.stageIndex !== undefined ? ` stage ${state.stageIndex + 1}` : ''}`);
  if (s) {
    parts.push(`${formatRate(s.achievedPerSecond)}${s.targetPerSecond !== undefined ? `/${formatRate(s.targetPerSecond)}` : ''} req/s`);
    const l = s.latencyMs;
    parts.push(l.count > 0 ? `p50 ${formatMs(l.p50)} p95 ${formatMs(l.p95)} p99 ${formatMs(l.p99)} ms` : 'no responses');
  }
  const ratio = errorRatio(state.totals);
  parts.push(
    `failed ${state.totals.failed}${ratio !== undefined && state.totals.failed > 0 ? ` (${(ratio * 100).toFixed(1)}%)` : ''}` +
      ` dropped ${state.totals.dropped} in flight ${s?.inFlight ?? 0}`,
  );
  if (s?.llm && s.llm.ttftMs.count > 0) {
    parts.push(`ttft p95 ${formatMs(s.llm.ttftMs.p95)} ms ${formatRate(s.llm.outputTokensPerSecond)} tok/s`);
  }
  const sc = state.scaling;
  if (sc.known) {
    let text = `replicas ${sc.ready ?? '?'}/${sc.desired ?? '?'}`;
    if (sc.metric) text += ` ${sc.metric.name} ${sc.metric.current === null ? '<unknown>' : formatRate(sc.metric.current)}${sc.metric.unit}/${formatRate(sc.metric.target)}${sc.metric.unit}`;
    const lag = scaleUpLag(sc);
    if (lag.worstMs !== undefined) text += ` lag ${formatSpan(lag.worstMs)}`;
    if (lag.pending > 0) text += ` (${lag.pending} scale-up pending)`;
    parts.push(text);
  }
  if (state.thresholds.length > 0) {
    const passed = state.thresholds.filter((t) => t.passed).length;
    const failing = state.thresholds.filter((t) => !t.passed).map((t) => t.expression);
    parts.push(`thresholds ${passed}/${state.thresholds.length} pass${failing.length ? ` (failing: ${failing.join(', ')})` : ''}`);
  }
  return parts.join(' | ');
}
