/**
 * `mdl tune --write`: the recommendation written into the spec's scaling section in place, keeping the
 * user's comments, key order and formatting (the yaml Document API edits nodes, not text), with a diff.
 */
import { createTwoFilesPatch } from 'diff';
import { isMap, isNode, isScalar, parseDocument, Scalar, visit } from 'yaml';
import { readsAsNonString } from '../yaml-scalars.js';
import { badInput } from '../errors.js';
import { formatDuration } from '../units.js';
import type { Recommendation } from './recommend.js';
import type { TuneResult } from './result.js';

export interface WriteBackResult {
  text: string;
  diff: string;
  changed: boolean;
}

/**
 * Whether `--write` may write the result's recommendation: only when there is one, the run finished, and
 * its simulation stayed within budget (or `force` says to write the best found anyway). Without a
 * simulation (no traffic section) the derived setting is all there is, and it is written.
 */
export function writeDecision(result: Pick<TuneResult, 'recommendation' | 'interrupted' | 'simulation'>, force = false): { write: true } | { write: false; why: string } {
  if (!result.recommendation) return { write: false, why: 'there is no recommendation' };
  if (result.interrupted) return { write: false, why: 'the run was interrupted' };
  const sim = result.simulation;
  if (sim && !sim.passed && !force) {
    return {
      write: false,
      why: `no setting passes the simulation (the best found is ${Math.round(sim.chosen.summary.secondsOverSlo)} s over the SLO against a ${Math.round(sim.budgetSeconds)} s budget); --force writes it anyway`,
    };
  }
  return { write: true };
}

/** The spec's scaling section as the recommendation fills it (spec units: durations and rates as text). */
export function scalingPatch(rec: Recommendation): Record<string, unknown> {
  const target = rec.metric.kind === 'rps' ? `${rec.target.value}rps` : rec.target.value;
  const rules = (r: Recommendation['behavior']['scaleUp']) => ({
    stabilization: r.stabilizationWindowSeconds.value === 0 ? '0s' : formatDuration(r.stabilizationWindowSeconds.value * 1000),
    policies: r.policies.map((p) => ({ type: p.type, value: p.value, period: formatDuration(p.periodSeconds * 1000) })),
    selectPolicy: r.selectPolicy,
  });
  return {
    minReplicas: rec.minReplicas.value,
    maxReplicas: rec.maxReplicas.value,
    metric: { type: rec.metric.kind, target },
    behavior: { scaleUp: rules(rec.behavior.scaleUp), scaleDown: rules(rec.behavior.scaleDown) },
  };
}

/**
 * Sets each leaf of `patch` under `scaling` (or `environments.<env>.scaling`), leaving every other node —
 * and the comments on the nodes it sets — as they were.
 */
export function writeScaling(text: string, patch: Record<string, unknown>, file: string, env?: string): WriteBackResult {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length > 0) {
    throw badInput(`${file} is not valid YAML: ${doc.errors[0]!.message}`, { where: file, hint: 'Fix the file, then run mdl tune --write again.' });
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw badInput(`${file} does not hold a mapping at the top`, { where: file });
  }
  const base = env ? ['environments', env, 'scaling'] : ['scaling'];
  const setLeaves = (path: string[], value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) setLeaves([...path, k], v);
      return;
    }
    // Lists (policies) are replaced whole: their items have no identity to keep.
    if (doc.getIn(path) === value) return;
    doc.setIn(path, value);
    quoteForYaml11(doc.getIn(path, true));
  };
  setLeaves(base, patch);
  const out = restoreSpacing(text, doc.toString({ lineWidth: 0 }));
  return {
    text: out,
    changed: out !== text,
    diff: out === text ? '' : createTwoFilesPatch(file, file, text, out, '', '', { context: 3 }),
  };
}

/** Double-quotes the strings in a node just written that a YAML 1.1 reader would take for another type. */
function quoteForYaml11(node: unknown): void {
  const quote = (s: Scalar) => {
    if (typeof s.value === 'string' && readsAsNonString(s.value)) s.type = Scalar.QUOTE_DOUBLE;
  };
  if (isScalar(node)) quote(node);
  else if (isNode(node)) visit(node, { Scalar: (_key, s) => quote(s) });
}

/**
 * The yaml printer normalises spacing inside a line (two spaces before a comment become one). A printed
 * line that differs from an original line only in such spacing is put back as the user wrote it; the
 * indentation is part of the comparison, so structure never changes.
 */
function restoreSpacing(original: string, printed: string): string {
  const key = (line: string) => {
    const indent = /^\s*/.exec(line)![0];
    return indent + line.slice(indent.length).replace(/\s+/g, ' ').trimEnd();
  };
  const byKey = new Map<string, string>();
  // For a changed value: the gap the user left before the comment on the same key.
  const COMMENTED = /^(\s*[^\s#:][^#:]*:)\s*(\S.*?)(\s+)(#.*)$/;
  const gaps = new Map<string, string>();
  for (const line of original.split('\n')) {
    if (!byKey.has(key(line))) byKey.set(key(line), line);
    const m = COMMENTED.exec(line);
    if (m) gaps.set(`${m[1]}${m[4]}`, m[3]!);
  }
  return printed
    .split('\n')
    .map((line) => {
      const kept = byKey.get(key(line));
      if (kept !== undefined) return kept;
      const m = COMMENTED.exec(line);
      const gap = m ? gaps.get(`${m[1]}${m[4]}`) : undefined;
      return m && gap !== undefined ? `${m[1]} ${m[2]}${gap}${m[4]}` : line;
    })
    .join('\n');
}
