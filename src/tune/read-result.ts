/**
 * The one reader of TuneResult files, for every command that reads one back (`tune --check FILE`,
 * `replay --from`, `simulate --capacity/--from`): it checks the parts mdl reads, upgrades a version-1 file
 * (whose `achievedPerSecond` is version 2's `completedPerSecond`), and refuses anything else with exit 2
 * naming the file, the JSON path and what to do. `parseTuneResult` is pure; `readTuneResultFile` adds the
 * file read.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { badInput } from '../errors.js';
import { fromZodIssue, keyPath } from '../spec/issues.js';
import type { MetricChoice, Recommendation } from './recommend.js';
import { TUNE_RESULT_SCHEMA_VERSION, type TuneResult } from './result.js';
import type { CapacityPoint, CapacityResult, Provenance } from './types.js';

/** What mdl reads back from a TuneResult; a TuneResult that mdl tune just made is one too. */
export interface TuneResultFile {
  schemaVersion: typeof TUNE_RESULT_SCHEMA_VERSION;
  target: Pick<TuneResult['target'], 'url' | 'runtime'> & { local?: boolean };
  startedAt: string;
  slo: TuneResult['slo'];
  search: Pick<CapacityResult, 'axis' | 'slo' | 'capacityPerSecond' | 'curve'>;
  capacityPerReplica: TuneResult['capacityPerReplica'];
  coldStartMs: TuneResult['coldStartMs'];
  recommendation: RecommendedSettings | null;
}

/** The part of a recommendation that replay runs. */
export type RecommendedSettings = Pick<Recommendation, 'target' | 'minReplicas' | 'maxReplicas' | 'behavior'> & { metric: Pick<MetricChoice, 'kind'> };

/** The versions this mdl reads: the current one, and 1 (upgraded). */
export const READABLE_TUNE_RESULT_VERSIONS = [1, TUNE_RESULT_SCHEMA_VERSION] as const;

const HINT = 'Give the JSON that mdl tune --json printed (mdl tune --local --json > tune-result.json).';

const num = z.number();
const provenance = z.enum(['measured', 'derived', 'simulated', 'spec', 'flag', 'default'] as const satisfies readonly Provenance[]);
const sourced = z.object({ value: num, source: provenance, note: z.string() });
const axis = z.enum(['concurrency', 'rate']);
const slo = z.object({ percentile: z.enum(['p50', 'p90', 'p95', 'p99']), latencyMs: num, errorRate: num });
const latency = z.object({ mean: num, p50: num, p90: num, p95: num, p99: num, max: num });
const point = z.object({
  axis,
  level: num,
  // null: the step got no answers (tuneResultJson in ./result.ts).
  latencyMs: latency.nullable(),
  errorRate: num,
  completedPerSecond: num,
  sentPerSecond: num.optional(),
  outputTokensPerSecond: num.optional(),
  peakWindowPerSecond: num,
  passed: z.boolean(),
  steady: z.boolean(),
  backlog: z.boolean(),
  ended: z.enum(['steady', 'breach', 'backlog', 'max-windows']),
  windows: num,
  loadSeconds: num,
  answered: num.optional(),
  phase: z.enum(['bracket', 'refine', 'confirm']),
});
const rules = z.object({
  stabilizationWindowSeconds: sourced,
  policies: z.array(z.object({ type: z.enum(['Pods', 'Percent']), value: num, periodSeconds: num })),
  selectPolicy: z.literal('Max'),
  note: z.string(),
});
const recommendation = z.object({
  metric: z.object({ kind: z.enum(['concurrency', 'queue', 'rps', 'cpu']) }),
  target: sourced,
  minReplicas: sourced,
  maxReplicas: sourced,
  behavior: z.object({ scaleUp: rules, scaleDown: rules }),
});
// search first: a document of another kind is told by its missing search.curve.
const tuneResult = z.object({
  search: z.object({ axis, slo, capacityPerSecond: num.nullable(), curve: z.array(point) }),
  // local: whether tune ran the model itself (--local), which decides the metric pipeline its proof modelled.
  target: z.object({ url: z.string(), runtime: z.string(), local: z.boolean().optional() }),
  startedAt: z.string(),
  slo: slo.extend({ source: z.enum(['flag', 'spec', 'default']) }),
  capacityPerReplica: z.object({ level: sourced, perSecond: sourced, outputTokensPerSecond: sourced.optional() }).nullable(),
  coldStartMs: sourced.nullable(),
  recommendation: recommendation.nullable(),
});

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A version-1 document as version 2: each step's, hold's and probe's achievedPerSecond is its completedPerSecond. */
export function upgradeTuneResultV1(doc: Record<string, unknown>): Record<string, unknown> {
  const rename = (x: unknown): unknown => {
    if (!isObject(x) || !('achievedPerSecond' in x)) return x;
    const { achievedPerSecond, ...rest } = x;
    return { ...rest, completedPerSecond: achievedPerSecond };
  };
  const search = doc.search;
  if (!isObject(search)) return { ...doc, schemaVersion: 2 };
  const upgraded: Record<string, unknown> = { ...search };
  if (Array.isArray(search.curve)) upgraded.curve = search.curve.map(rename);
  if (Array.isArray(search.unconfirmed)) upgraded.unconfirmed = search.unconfirmed.map(rename);
  if ('confirmation' in search) upgraded.confirmation = rename(search.confirmation);
  if ('saturationProbe' in search) upgraded.saturationProbe = rename(search.saturationProbe);
  return { ...doc, schemaVersion: 2, search: upgraded };
}

/**
 * A parsed JSON value as a TuneResult, or an exit-2 error naming `file` and the JSON path. A step printed
 * without latency (no answers) gets back what the search assumed for it: at least a window per request
 * (snapshotsToWindow in ./engine-measure.ts), so a check simulates the curve tune's own proof did.
 */
export function parseTuneResult(doc: unknown, file: string): TuneResultFile {
  const bad = (what: string, path: string, hint = HINT) => badInput(`${file} is not a TuneResult mdl can read: ${what}`, { where: `${file} ${path}`.trim(), hint });
  if (!isObject(doc)) throw bad('it is not a JSON object', '');
  if (typeof doc.kind === 'string') throw bad(`it is a "${doc.kind}" document, not what mdl tune --json writes`, 'kind');
  const version = doc.schemaVersion;
  if (version === undefined) throw bad('it has no schemaVersion', 'schemaVersion');
  if (!READABLE_TUNE_RESULT_VERSIONS.includes(version as 1)) {
    throw badInput(`${file} has TuneResult schemaVersion ${JSON.stringify(version)}; this mdl reads versions ${READABLE_TUNE_RESULT_VERSIONS.join(' and ')}`, {
      where: `${file} schemaVersion`,
      hint: 'Read it with the mdl that wrote it, or run mdl tune --json again with this one.',
    });
  }
  const parsed = tuneResult.safeParse(version === 1 ? upgradeTuneResultV1(doc) : doc, { reportInput: true });
  if (!parsed.success) {
    const zi = parsed.error.issues[0]!;
    // A version-1 file is named in its own terms.
    const named = (p: string | number) => (version === 1 && p === 'completedPerSecond' ? 'achievedPerSecond' : p);
    const path = zi.path.filter((p): p is string | number => typeof p !== 'symbol').map(named);
    if ((zi as { input?: unknown }).input === undefined) {
      // JSON has no undefined: the key is missing.
      throw bad(`${path.length > 1 ? `${keyPath(path.slice(0, -1))}: ` : ''}missing required key "${String(path.at(-1))}"`, keyPath(path));
    }
    const issue = fromZodIssue(zi, tuneResult)[0]!;
    throw bad(`${keyPath(path)}: ${issue.message}`, keyPath(path), issue.hint ? `${issue.hint} ${HINT}` : HINT);
  }
  const r = parsed.data;
  const curve: CapacityPoint[] = r.search.curve.map(({ sentPerSecond, answered, latencyMs, ...p }) => {
    const windowMs = p.windows > 0 ? (p.loadSeconds * 1000) / p.windows : 0;
    return {
      ...p,
      latencyMs: latencyMs ?? { mean: windowMs, p50: windowMs, p90: windowMs, p95: windowMs, p99: windowMs, max: windowMs },
      ...(sentPerSecond !== undefined ? { sentPerSecond } : {}),
      ...(latencyMs === null ? { answered: 0 } : answered !== undefined ? { answered } : {}),
    };
  });
  return { ...r, schemaVersion: TUNE_RESULT_SCHEMA_VERSION, search: { ...r.search, curve } };
}

/** The TuneResult in `path` (relative to `cwd`), given with `flag`. */
export async function readTuneResultFile(path: string, cwd: string, flag: string): Promise<TuneResultFile> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw badInput(`cannot read the TuneResult ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      where: flag,
      hint: 'Pass the file mdl tune --json wrote (e.g. mdl tune --local --json > tune-result.json); the path is relative to the current directory.',
    });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw badInput(`${path} is not JSON: ${(error as Error).message}`, { where: flag, hint: HINT });
  }
  return parseTuneResult(doc, path);
}
