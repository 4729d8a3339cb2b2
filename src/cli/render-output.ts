/** The I/O around rendering, shared by `mdl render` and `mdl validate`: validate, then print or write files. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { badInput } from '../errors.js';
import { stringify } from 'yaml';
import { metricsPipeline, objectFileName, objectToYaml, renderManifests, toJson, toYaml, validateManifests, type KubeObject, type MetricsPipeline } from '../manifests/index.js';
import { kubectlName } from '../kube/types.js';
import type { OutputFormat } from './output-format.js';
import { displayPath, loadSpec, type LoadSpecOptions, type ModelSpec } from '../spec/index.js';

export interface RenderResult {
  file: string;
  environment?: string;
  objects: KubeObject[];
  /** Files written with --out-dir DIR. */
  files?: string[];
  /** What the metrics pipeline needs for the scaling metric (PodMonitor, prometheus-adapter rule), not applied by deploy. */
  pipeline: MetricsPipeline;
  /** The pipeline files written with --out-dir DIR, under DIR/metrics-pipeline/. */
  pipelineFiles?: string[];
}

export interface RenderOptions {
  /** A folder to write one file per object into (--out-dir); undefined prints to stdout. */
  outDir: string | undefined;
  /** -o: the manifests as YAML documents, a JSON List, or kubectl's `kind.group/name` lines. */
  format: OutputFormat;
  /** Scopes the KEDA query to this namespace. */
  namespace?: string | undefined;
  /** Print the metrics pipeline's pieces instead of the manifests (stdout only). */
  pipelineOnly?: boolean;
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

/** The folder under --out-dir DIR for the pipeline's pieces: `kubectl apply -f DIR` does not descend into it. */
export const PIPELINE_DIR = 'metrics-pipeline';

/** The pipeline's pieces as files: name → text. The adapter rule is not a Kubernetes object but adapter config. */
export function pipelineFiles(name: string, pipeline: MetricsPipeline, format: 'yaml' | 'json'): [string, string][] {
  const files: [string, string][] = [];
  if (pipeline.podMonitor) {
    const o = pipeline.podMonitor;
    files.push([objectFileName(o, format), format === 'json' ? `${JSON.stringify(o, null, 2)}\n` : objectToYaml(o)]);
  }
  if (pipeline.adapterRules) {
    const header =
      `# prometheus-adapter rule for ${name}'s HPA metric ${pipeline.adapterRules.rules.map((r) => r.name.as).join(', ')}: merge into the\n` +
      '# adapter\'s config (its rules: list; with the Helm chart, rules.custom). Written by mdl render.\n';
    files.push([
      `prometheus-adapter-rules-${name}.${format}`,
      format === 'json' ? `${JSON.stringify(pipeline.adapterRules, null, 2)}\n` : header + stringify(pipeline.adapterRules, { lineWidth: 0 }),
    ]);
  }
  return files;
}

/** Renders and validates the manifests; then prints them or writes one file per object (and the pipeline's pieces). */
export async function renderAndWrite(spec: ModelSpec, filepath: string, options: RenderOptions): Promise<RenderResult> {
  const file = displayPath(filepath, process.cwd());
  requireImage(spec, file);
  const objects = renderManifests(spec, { namespace: options.namespace });
  await validateManifests(objects);
  const pipeline = metricsPipeline(spec);
  const result: RenderResult = { file, objects, pipeline };
  if (spec.environment !== undefined) result.environment = spec.environment;
  const { outDir, format } = options;
  const extra = pipelineFiles(spec.name, pipeline, format === 'json' ? 'json' : 'yaml');
  if (options.pipelineOnly && format === 'name') {
    throw badInput('--metrics-pipeline prints the pipeline objects themselves, not their names', { where: '--metrics-pipeline', hint: 'Use -o yaml or -o json with --metrics-pipeline.' });
  }
  if (outDir === undefined) {
    if (!options.pipelineOnly) options.stdout?.(format === 'json' ? toJson(objects) : format === 'name' ? objects.map((o) => `${kubectlName(o)}\n`).join('') : toYaml(objects));
    else if (format === 'json') options.stdout?.(`${JSON.stringify(pipeline, null, 2)}\n`);
    else options.stdout?.(extra.map(([, text]) => `---\n${text}`).join(''));
    return result;
  }
  if (format === 'name') {
    throw badInput('-o name prints names only; it cannot write manifest files', { where: '--out-dir', hint: 'Use -o yaml or -o json with --out-dir.' });
  }
  try {
    mkdirSync(outDir, { recursive: true });
    result.files = objects.map((o) => {
      const path = join(outDir, objectFileName(o, format));
      writeFileSync(path, format === 'json' ? `${JSON.stringify(o, null, 2)}\n` : objectToYaml(o));
      return relative(process.cwd(), path) || path;
    });
    if (extra.length > 0) {
      mkdirSync(join(outDir, PIPELINE_DIR), { recursive: true });
      result.pipelineFiles = extra.map(([name, text]) => {
        const path = join(outDir, PIPELINE_DIR, name);
        writeFileSync(path, text);
        return relative(process.cwd(), path) || path;
      });
    }
  } catch (error) {
    throw badInput(`cannot write manifests to ${outDir}: ${error instanceof Error ? error.message : String(error)}`, {
      where: '--out-dir',
      hint: 'Give a folder you can write to, or leave --out-dir out to print the manifests.',
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
