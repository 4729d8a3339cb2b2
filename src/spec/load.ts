/**
 * Finding and loading the spec: cosmiconfig searches upward from the working directory (or takes
 * --config), the chosen environment overlay is merged over the base, the runtime preset under it, then
 * the zod schema validates and resolve.ts resolves. Every problem is an MdlError (exit 2) with file,
 * line, column and key path.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, relative, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { MdlError, badInput } from '../errors.js';
import { SourceLocator, fromZodIssue, specError, suggest, type SourceMap } from './issues.js';
import { deepMerge, isPlainObject } from './merge.js';
import { isRuntimeName, loadPreset } from './presets.js';
import { loadGpuPrices } from './prices.js';
import { resolveSpec } from './resolve.js';
import { RUNTIMES, SpecSchema } from './schema.js';
import type { ModelSpec } from './types.js';

export const SPEC_FILE_NAMES = [
  'mdl.config.yaml',
  'mdl.config.yml',
  'mdl.config.json',
  'mdl.config.js',
  'mdl.config.mjs',
  'mdl.config.ts',
  '.mdlrc',
  '.mdlrc.yaml',
  '.mdlrc.yml',
  '.mdlrc.json',
  '.mdlrc.js',
  '.mdlrc.mjs',
  '.mdlrc.ts',
  'package.json',
] as const;

export interface LoadSpecOptions {
  /** --config: a spec file, relative to cwd. */
  configPath?: string;
  cwd: string;
  /** --env: the environment overlay to apply. */
  env?: string;
}

export interface SpecSource {
  filepath: string;
  format: 'yaml' | 'json' | 'js' | 'package.json';
  /** The environment overlay applied, if any. */
  environment?: string;
  /** The spec as written (before overlay, preset and defaults). */
  raw: Record<string, unknown>;
  /** The source text for YAML/JSON specs (comment-preserving write-back starts from it). */
  text?: string;
}

export interface LoadedSpec {
  spec: ModelSpec;
  source: SpecSource;
}

type Format = SpecSource['format'];

function formatOf(filepath: string): Format {
  if (basename(filepath) === 'package.json') return 'package.json';
  const ext = extname(filepath);
  if (ext === '.json') return 'json';
  if (ext === '.js' || ext === '.mjs' || ext === '.cjs' || ext === '.ts') return 'js';
  return 'yaml';
}

/** The spec's path as the user would type it: relative to the working directory when below it. */
export function displayPath(filepath: string, cwd: string): string {
  const rel = relative(cwd, filepath);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? filepath : rel;
}

/** Parses YAML (JSON is YAML too) and reports a syntax error with its position. */
export function parseSpecText(text: string, filepath: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const err = doc.errors[0];
  if (err) {
    const { line, col } = lineCounter.linePos(err.pos[0]);
    const firstLine = err.message.split('\n')[0] ?? err.message;
    throw badInput(`${filepath} is not valid YAML: ${firstLine}`, {
      where: `${filepath}:${line}:${col}`,
      hint: 'Fix the syntax at that position (indentation, a missing ":" or quote); a YAML linter shows the same.',
    });
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Unresolved or excessive aliases surface only when the document is converted.
    throw badInput(`${filepath} is not valid YAML: ${error instanceof Error ? error.message : String(error)}`, {
      where: filepath,
      hint: 'Define each &anchor before its *alias, or write the value out.',
    });
  }
}

async function importSpec(filepath: string): Promise<unknown> {
  try {
    const mod = (await import(pathToFileURL(filepath).href)) as { default?: unknown };
    const value = mod.default ?? mod;
    return typeof value === 'function' ? await (value as () => unknown)() : value;
  } catch (error) {
    throw badInput(`${filepath} could not be loaded: ${error instanceof Error ? error.message : String(error)}`, {
      where: filepath,
      hint: 'The file must export the spec as its default export.',
    });
  }
}

/**
 * No spec file anywhere upward (exit 2). Commands that can work from flags alone (loadtest and tune with a
 * URL) take this one case as "no spec"; every other spec error still stops them.
 */
export class SpecNotFoundError extends MdlError {
  override readonly name = 'SpecNotFoundError';
}

/** True for SpecNotFoundError, by name, so that it holds across the built CLI's bundles too. */
export function isSpecNotFound(error: unknown): error is SpecNotFoundError {
  return error instanceof MdlError && error.name === 'SpecNotFoundError';
}

/** The spec file: --config, or the first of SPEC_FILE_NAMES found upward from cwd (through cosmiconfig). */
export async function findSpecFile(options: LoadSpecOptions): Promise<string> {
  if (options.configPath !== undefined) {
    const filepath = resolvePath(options.cwd, options.configPath);
    if (!existsSync(filepath) || !statSync(filepath).isFile()) {
      throw badInput(`spec file ${options.configPath} not found`, {
        where: '--config',
        hint: 'Give the path of an existing spec file, or run `mdl init` to create mdl.config.yaml.',
      });
    }
    return filepath;
  }
  // cosmiconfig does the upward search; we only ask it for the path and read the file ourselves, so that
  // positions in YAML/JSON can be reported.
  const { cosmiconfig } = await import('cosmiconfig');
  const found = async (filepath: string, content: string) => (content.trim() === '' ? null : { filepath });
  const explorer = cosmiconfig('mdl', {
    searchPlaces: [...SPEC_FILE_NAMES],
    searchStrategy: 'global',
    stopDir: dirname(resolvePath('/')),
    cache: false,
    loaders: {
      '.yaml': found,
      '.yml': found,
      '.json': (filepath, content) => {
        if (basename(filepath) !== 'package.json') return found(filepath, content);
        const pkg = JSON.parse(content) as Record<string, unknown>;
        // cosmiconfig reads the "mdl" property of what this returns: an object without it means "not here,
        // search on" (null would make cosmiconfig fail on the property look-up).
        return pkg.mdl === undefined ? {} : { mdl: { filepath } };
      },
      '.js': found,
      '.mjs': found,
      '.cjs': found,
      '.ts': found,
      noExt: found,
    },
  });
  let result: Awaited<ReturnType<typeof explorer.search>>;
  try {
    result = await explorer.search(options.cwd);
  } catch (error) {
    throw badInput(`could not search for a spec: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!result || result.isEmpty || !result.config) {
    throw new SpecNotFoundError(`no mdl spec found in ${options.cwd} or above`, {
      hint: `Run \`mdl init\` to create mdl.config.yaml, or pass --config <file>. Looked for: ${SPEC_FILE_NAMES.join(', ')} (the "mdl" key).`,
    });
  }
  return result.filepath;
}

/** Reads a spec file into its raw object and the source map used for positions. */
export async function readSpecFile(filepath: string, shownAs: string = filepath): Promise<{ raw: unknown; format: Format; text?: string; prefix: string[] }> {
  const format = formatOf(filepath);
  if (format === 'js') return { raw: await importSpec(filepath), format, prefix: [] };
  let text: string;
  try {
    text = readFileSync(filepath, 'utf8');
  } catch (error) {
    throw badInput(`cannot read ${filepath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const doc = parseSpecText(text, shownAs);
  if (format === 'package.json') {
    return { raw: isPlainObject(doc) ? doc.mdl : undefined, format, text, prefix: ['mdl'] };
  }
  return { raw: doc, format, text, prefix: [] };
}

/** Finds, reads, overlays, validates and resolves the spec. */
export async function loadSpec(options: LoadSpecOptions): Promise<LoadedSpec> {
  const filepath = await findSpecFile(options);
  const file = await readSpecFile(filepath, displayPath(filepath, options.cwd));
  const source: SourceMap = { filepath: displayPath(filepath, options.cwd), prefix: file.prefix };
  if (file.text !== undefined) source.text = file.text;
  const spec = resolveRaw(file.raw, { filepath, env: options.env, source });

  const out: SpecSource = { filepath, format: file.format, raw: file.raw as Record<string, unknown> };
  if (options.env !== undefined) out.environment = options.env;
  if (file.text !== undefined) out.text = file.text;
  return { spec, source: out };
}

/**
 * The pure part of loading: the raw object of a spec file → ModelSpec, or an MdlError. Exposed for
 * tests and for callers that hold a spec in memory.
 */
export function resolveRaw(raw: unknown, opts: { filepath: string; env?: string | undefined; source?: SourceMap }): ModelSpec {
  const source: SourceMap = opts.source ?? { filepath: opts.filepath, prefix: [] };
  const locator = new SourceLocator(source);
  if (!isPlainObject(raw)) {
    throw badInput(`${source.filepath} does not hold a spec: expected a mapping with name, image, …`, {
      where: locator.where([]),
      hint: 'Run `mdl init` in an empty folder to see a starting spec.',
    });
  }
  const { environments, ...base } = raw;
  let merged: Record<string, unknown> = base;
  let localSource = source;
  if (opts.env !== undefined) {
    const envs = isPlainObject(environments) ? environments : {};
    const names = Object.keys(envs);
    const overlay = envs[opts.env];
    if (overlay === undefined) {
      const near = suggest(opts.env, names);
      throw badInput(`unknown environment "${opts.env}"`, {
        where: `--env, ${locator.where(['environments'])}`,
        hint: names.length === 0 ? 'The spec has no environments section; add one or drop --env.' : `${near ? `Did you mean "${near}"? ` : ''}Environments in the spec: ${names.join(', ')}.`,
      });
    }
    if (!isPlainObject(overlay)) {
      throw badInput(`environment "${opts.env}" must be a mapping of spec keys`, { where: locator.where(['environments', opts.env]) });
    }
    if ('environments' in overlay) {
      throw badInput(`environment "${opts.env}" cannot contain environments`, { where: locator.where(['environments', opts.env, 'environments']) });
    }
    merged = deepMerge(base, overlay) as Record<string, unknown>;
    localSource = { ...source, overlayPrefix: [...source.prefix, 'environments', opts.env] };
  }
  const loc = new SourceLocator(localSource);

  const runtime = merged.runtime ?? 'http';
  if (typeof runtime !== 'string' || !isRuntimeName(runtime)) {
    const near = typeof runtime === 'string' ? suggest(runtime, RUNTIMES) : undefined;
    throw specError(
      [{ path: ['runtime'], message: `unknown runtime ${JSON.stringify(runtime)}`, hint: `${near ? `Did you mean "${near}"? ` : ''}Runtimes: ${RUNTIMES.join(', ')}.` }],
      loc,
    );
  }
  const preset = loadPreset(runtime);
  const full = deepMerge(preset.defaults, merged) as Record<string, unknown>;
  if (environments !== undefined) full.environments = environments;

  const parsed = SpecSchema.safeParse(full, { reportInput: true });
  if (!parsed.success) {
    throw specError(parsed.error.issues.flatMap((i) => fromZodIssue(i, SpecSchema)), loc);
  }
  const resolved = resolveSpec(parsed.data, {
    preset,
    ...(parsed.data.cost?.gpu !== undefined ? { gpuPrices: loadGpuPrices() } : {}),
    baseDir: dirname(opts.filepath),
    ...(opts.env !== undefined ? { environment: opts.env } : {}),
  });
  if (!resolved.ok) throw specError(resolved.issues, loc);
  return resolved.spec;
}

export function isSpecError(error: unknown): error is MdlError {
  return error instanceof MdlError;
}
