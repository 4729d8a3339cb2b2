/**
 * Spec problems as a user reads them: zod issues become "file:line:col key.path: what was wrong", with
 * what was expected and what to do, mapped to positions in the YAML/JSON source through the `yaml`
 * Document API and a LineCounter.
 */
import { closest, distance } from 'fastest-levenshtein';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { MdlError } from '../errors.js';
import type { SpecIssue } from './resolve.js';

export type { SpecIssue };

/** The nearest candidate when it is close enough to be a likely typo. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(word, candidates as string[]);
  const limit = Math.max(2, Math.floor(best.length / 3));
  return distance(word.toLowerCase(), best.toLowerCase()) <= limit ? best : undefined;
}

interface ZodDef {
  type: string;
  shape?: Record<string, { _zod: { def: ZodDef } }>;
  innerType?: { _zod: { def: ZodDef } };
  in?: { _zod: { def: ZodDef } };
  element?: { _zod: { def: ZodDef } };
  valueType?: { _zod: { def: ZodDef } };
  options?: { _zod: { def: ZodDef } }[];
}

/** The keys an object schema accepts at a path, for "did you mean" on unknown keys. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let defs: ZodDef[] = [(schema as unknown as { _zod: { def: ZodDef } })._zod.def];
  const unwrap = (d: ZodDef): ZodDef[] => {
    switch (d.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
        return d.innerType ? unwrap(d.innerType._zod.def) : [];
      case 'pipe':
        return d.in ? unwrap(d.in._zod.def) : [];
      case 'union':
        return (d.options ?? []).flatMap((o) => unwrap(o._zod.def));
      default:
        return [d];
    }
  };
  defs = defs.flatMap(unwrap);
  for (const segment of path) {
    const next: ZodDef[] = [];
    for (const d of defs) {
      if (d.type === 'object' && typeof segment === 'string' && d.shape?.[segment]) next.push(d.shape[segment]._zod.def);
      else if (d.type === 'array' && typeof segment === 'number' && d.element) next.push(d.element._zod.def);
      else if (d.type === 'record' && d.valueType) next.push(d.valueType._zod.def);
    }
    defs = next.flatMap(unwrap);
  }
  return [...new Set(defs.flatMap((d) => (d.type === 'object' && d.shape ? Object.keys(d.shape) : [])))];
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${String(value)}`;
}

const EXPECTED_NAMES: Record<string, string> = {
  object: 'a mapping (key: value)',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

/** One zod issue (or several for unknown keys) in the user's terms. */
export function fromZodIssue(zi: z.core.$ZodIssue, schema: z.ZodType): SpecIssue[] {
  const path = zi.path.filter((p): p is string | number => typeof p !== 'symbol');
  switch (zi.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(schema, path);
      return zi.keys.map((key) => {
        const near = suggest(key, known);
        return {
          path: [...path, key],
          message: `unknown key "${key}"`,
          hint: near ? `Did you mean "${near}"?` : `Known keys here: ${known.join(', ')}.`,
        };
      });
    }
    case 'invalid_type': {
      const input = (zi as { input?: unknown }).input;
      if (input === undefined) {
        return [{ path, message: `missing required key "${String(path.at(-1) ?? '')}"`, hint: `Add it: ${EXPECTED_NAMES[zi.expected] ?? zi.expected} is expected.` }];
      }
      const expected = zi.message.startsWith('expected ') ? zi.message.slice(9) : (EXPECTED_NAMES[zi.expected] ?? zi.expected);
      return [{ path, message: `expected ${expected}, got ${describeValue(input)}` }];
    }
    case 'invalid_value': {
      const values = zi.values.map(String);
      const input = (zi as { input?: unknown }).input;
      const near = typeof input === 'string' ? suggest(input, values) : undefined;
      return [
        {
          path,
          message: `expected one of ${values.join(', ')}, got ${describeValue(input)}`,
          hint: near ? `Did you mean "${near}"?` : `Use one of: ${values.join(', ')}.`,
        },
      ];
    }
    case 'invalid_format':
      return [{ path, message: `expected ${zi.message}, got ${describeValue((zi as { input?: unknown }).input)}` }];
    case 'invalid_key': {
      // A map's key (env, podAnnotations): say which key and what a key must look like.
      const key = path.at(-1);
      const expected = zi.issues.map((i) => i.message).join('; ');
      return [{ path, message: `the key ${JSON.stringify(String(key ?? ''))} is not ${expected}` }];
    }
    case 'too_small':
    case 'too_big': {
      const bound = zi.code === 'too_small' ? `at least ${String(zi.minimum)}` : `at most ${String(zi.maximum)}`;
      const what = zi.origin === 'string' ? `a text of ${bound} characters` : zi.origin === 'array' ? `a list of ${bound} items` : `a value ${bound}`;
      return [{ path, message: `expected ${what}, got ${describeValue((zi as { input?: unknown }).input)}` }];
    }
    case 'invalid_union': {
      const msg = zi.message && zi.message !== 'Invalid input' ? zi.message : 'a value of another shape';
      return [{ path, message: `${msg.startsWith('expected') ? msg : `expected ${msg}`}, got ${describeValue((zi as { input?: unknown }).input)}` }];
    }
    default:
      return [{ path, message: zi.message }];
  }
}

/** Where a key path is in the source text. */
export interface SourceMap {
  filepath: string;
  /** Path inside the document where the spec starts (["mdl"] for package.json). */
  prefix: (string | number)[];
  /** Where to look first: the overlay of the chosen environment. */
  overlayPrefix?: (string | number)[];
  text?: string;
}

interface Located {
  line: number;
  col: number;
}

function locateIn(doc: Document, lc: LineCounter, path: readonly (string | number)[]): { pos: Located; exact: boolean } | undefined {
  let node: unknown = doc.contents;
  let best: number | undefined = (node as Node | null)?.range?.[0];
  let exact = true;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) {
        exact = false;
        break;
      }
      best = (pair.key as Node).range?.[0] ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
      node = node.items[segment];
      best = (node as Node).range?.[0] ?? best;
    } else {
      exact = false;
      break;
    }
  }
  if (best === undefined) return undefined;
  const { line, col } = lc.linePos(best);
  return { pos: { line, col }, exact };
}

export class SourceLocator {
  private parsed: { doc: Document; lc: LineCounter } | undefined;

  constructor(private readonly source: SourceMap) {}

  /** "mdl.config.yaml:12:5", or the file alone when the position is unknown (JS/TS specs). */
  where(path: readonly (string | number)[]): string {
    const file = this.source.filepath;
    if (this.source.text === undefined) return file;
    if (!this.parsed) {
      const lc = new LineCounter();
      this.parsed = { doc: parseDocument(this.source.text, { lineCounter: lc, prettyErrors: false }), lc };
    }
    const { doc, lc } = this.parsed;
    const candidates: (string | number)[][] = [];
    if (this.source.overlayPrefix) candidates.push([...this.source.overlayPrefix, ...path]);
    candidates.push([...this.source.prefix, ...path]);
    let fallback: Located | undefined;
    for (const c of candidates) {
      const hit = locateIn(doc, lc, c);
      if (hit?.exact) return `${file}:${hit.pos.line}:${hit.pos.col}`;
      if (hit && !fallback && c === candidates.at(-1)) fallback = hit.pos;
    }
    return fallback ? `${file}:${fallback.line}:${fallback.col}` : file;
  }
}

export function keyPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || '(top level)';
}

/** All problems in one error: the first one in `where`/`hint`, every one in the message. */
export function specError(issues: SpecIssue[], locator: SourceLocator): MdlError {
  // In file order, so the list reads top to bottom.
  const position = (i: SpecIssue): number[] => {
    const m = /:(\d+):(\d+)$/.exec(locator.where(i.path));
    return m ? [Number(m[1]), Number(m[2])] : [Number.MAX_SAFE_INTEGER, 0];
  };
  const sorted = issues
    .map((issue, index) => ({ issue, index, pos: position(issue) }))
    .sort((a, b) => a.pos[0]! - b.pos[0]! || a.pos[1]! - b.pos[1]! || a.index - b.index)
    .map((x) => x.issue);
  const shown = sorted.slice(0, 20);
  const lines = shown.map((i) => {
    const head = `${locator.where(i.path)} ${keyPath(i.path)}: ${i.message}`;
    return i.hint ? `${head}\n    ${i.hint}` : head;
  });
  const first = shown[0]!;
  if (sorted.length === 1) {
    const opts: { where: string; hint?: string } = { where: `${locator.where(first.path)} ${keyPath(first.path)}` };
    if (first.hint) opts.hint = first.hint;
    return new MdlError(`invalid spec: ${first.message}`, opts);
  }
  const more = issues.length > shown.length ? `\n  … and ${issues.length - shown.length} more` : '';
  return new MdlError(`invalid spec, ${issues.length} problems:\n  ${lines.join('\n  ')}${more}`, {
    where: `${locator.where(first.path)} ${keyPath(first.path)}`,
    hint: 'Fix them in order; `mdl schema` prints every key and its type.',
  });
}
