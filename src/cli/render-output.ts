/** The I/O around rendering, shared by `mdl render` and `mdl validate`: validate, then print or write files. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { badInput } from '../errors.js';
import { objectFileName, objectToYaml, renderManifests, toJson, toYaml, validateManifests, type KubeObject } from '../manifests/index.js';
import { displayPath, loadSpec, type LoadSpecOptions, type ModelSpec } from '../spec/index.js';

export interface RenderResult {
  file: string;
  environment?: string;
  objects: KubeObject[];
  /** Files written with --output DIR. */
  files?: string[];
}

export interface RenderOptions {
  output: string;
  format: 'yaml' | 'json';
  /** Where stdout text goes; undefined under --json (the result document is printed instead). */
  stdout: ((text: string) => void) | undefined;
}

/** Manifests need an image; a spec for `mdl dev` alone may have none. */
export function requireImage(spec: ModelSpec, file: string): void {
  if (spec.image !== undefined) return;
  throw badInput('the spec has no image, which the manifests need', {
    where: `${file} image`,
    hint: 'Add  image: <registry/name:tag>  to the spec (or to the environment you render).',
  });
}

/** Renders and validates the manifests; then prints them or writes one file per object. */
export async function renderAndWrite(spec: ModelSpec, filepath: string, options: RenderOptions): Promise<RenderResult> {
  const file = displayPath(filepath, process.cwd());
  requireImage(spec, file);
  const objects = renderManifests(spec);
  await validateManifests(objects);
  const result: RenderResult = { file, objects };
  if (spec.environment !== undefined) result.environment = spec.environment;
  if (options.output === '-') {
    options.stdout?.(options.format === 'json' ? toJson(objects) : toYaml(objects));
    return result;
  }
  try {
    mkdirSync(options.output, { recursive: true });
    result.files = objects.map((o) => {
      const path = join(options.output, objectFileName(o, options.format));
      writeFileSync(path, options.format === 'json' ? `${JSON.stringify(o, null, 2)}\n` : objectToYaml(o));
      return relative(process.cwd(), path) || path;
    });
  } catch (error) {
    throw badInput(`cannot write manifests to ${options.output}: ${error instanceof Error ? error.message : String(error)}`, {
      where: '--output',
      hint: 'Give a folder you can write to, or - for stdout.',
    });
  }
  return result;
}

export interface ValidateResult {
  valid: true;
  file: string;
  variants: { environment?: string; objects: string[] }[];
}

/** The spec and its manifests, for the base and every environment (or the one asked for). */
export async function validateSpecFile(options: LoadSpecOptions): Promise<ValidateResult> {
  const base = await loadSpec(options);
  const envs =
    options.env !== undefined
      ? [options.env]
      : [undefined, ...Object.keys((base.source.raw.environments as Record<string, unknown> | undefined) ?? {})];
  const variants: ValidateResult['variants'] = [];
  for (const env of envs) {
    const { spec } = env === undefined || env === options.env ? base : await loadSpec({ ...options, env });
    requireImage(spec, displayPath(base.source.filepath, options.cwd));
    const objects = renderManifests(spec);
    await validateManifests(objects);
    variants.push({ ...(env !== undefined ? { environment: env } : {}), objects: objects.map((o) => `${o.kind}/${o.metadata.name}`) });
  }
  return { valid: true, file: displayPath(base.source.filepath, options.cwd), variants };
}
