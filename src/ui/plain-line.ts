/**
 * The plain view: the same view state as the dashboard, as one line a second (CI logs, pipes): the load
 * engine's progress line of the last second, then what only the view state knows — replicas and the
 * autoscaler, thresholds so far. Pure.
 */
import { formatProgressLine } from '../report/plain-progress.js';
import { formatRate, formatSpan, type LoadViewState } from './load-state.js';
import { scaleUpLag } from './scaling-state.js';

export function formatPlainLine(state: LoadViewState): string {
  const parts: string[] = [];
  if (state.last) parts.push(formatProgressLine(state.last));
  const sc = state.scaling;
  if (sc.known) {
    let text = `replicas ${sc.ready ?? '?'}/${sc.desired ?? '?'} ready`;
    if (sc.metric) text += ` · ${sc.metric.name} ${sc.metric.current === null ? '<unknown>' : formatRate(sc.metric.current)}${sc.metric.unit}/${formatRate(sc.metric.target)}${sc.metric.unit}`;
    const lag = scaleUpLag(sc);
    if (lag.worstMs !== undefined) text += ` · scale-up lag ${formatSpan(lag.worstMs)}`;
    if (lag.pending > 0) text += ` · ${lag.pending} scale-up pending`;
    parts.push(text);
  }
  if (state.thresholds.length > 0) {
    const passed = state.thresholds.filter((t) => t.passed).length;
    const failing = state.thresholds.filter((t) => !t.passed).map((t) => t.expression);
    parts.push(`thresholds ${passed}/${state.thresholds.length} pass${failing.length ? ` (failing: ${failing.join(', ')})` : ''}`);
  }
  return parts.join(' · ');
}
