/** `mdl init`: a commented starting spec for a runtime, written from templates/init/. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve as resolvePath } from 'node:path';
import { badInput } from '../errors.js';
import { readsAsNonString } from '../yaml-scalars.js';
import { specJsonSchema } from './json-schema.js';
import { loadPreset, templatesDir } from './presets.js';
import { registryMetric } from './metric-registry.js';
import { RUNTIMES, type MetricType, type RuntimeName } from './schema.js';

export interface InitOptions {
  cwd: string;
  runtime: string;
  name?: string;
  image?: string;
  /** Where to write (default mdl.config.yaml in cwd). */
  file?: string;
  force: boolean;
}

export interface InitResult {
  file: string;
  schemaFile: string;
  runtime: RuntimeName;
  name: string;
  image: string;
}

interface RuntimeStarter {
  image: string;
  resources: string;
  /** The starting scaling metric; its comment names the series from the metric registry. */
  metric: { type: MetricType; target: string };
  p95: string;
  /** {{name}} in it becomes the spec's name. */
  loadtest: string;
}

const GPU = '  cpu: "4"\n  memory: 24Gi\n  gpu: 1                # per replica; resource name nvidia.com/gpu unless gpuResource says otherwise';
const STARTERS: Record<RuntimeName, RuntimeStarter> = {
  vllm: {
    image: 'vllm/vllm-openai:latest',
    resources: GPU,
    metric: { type: 'queue', target: '5' },
    p95: '2s',
    loadtest: '  model: {{name}}\n  payload: { prompt: "Hello", max_tokens: 64 }',
  },
  tgi: {
    image: 'ghcr.io/huggingface/text-generation-inference:latest',
    resources: GPU,
    metric: { type: 'queue', target: '5' },
    p95: '2s',
    loadtest: '  model: tgi\n  payload: { prompt: "Hello", max_tokens: 64 }',
  },
  triton: {
    image: 'nvcr.io/nvidia/tritonserver:24.08-py3',
    resources: GPU,
    metric: { type: 'queue', target: '10' },
    p95: '200ms',
    loadtest: '  model: {{name}}\n  # payload: ./requests.jsonl    # KServe v2 inference requests, one per line',
  },
  torchserve: {
    image: 'pytorch/torchserve:latest',
    resources: '  cpu: "2"\n  memory: 4Gi',
    metric: { type: 'cpu', target: '70%' },
    p95: '300ms',
    loadtest: '  path: /predictions/{{name}}\n  # payload: ./requests.jsonl',
  },
  'kserve-v2': {
    image: 'ghcr.io/acme/my-model:1.0.0',
    resources: '  cpu: "2"\n  memory: 4Gi',
    metric: { type: 'concurrency', target: '8' },
    p95: '300ms',
    loadtest: '  model: {{name}}\n  # payload: ./requests.jsonl',
  },
  openai: {
    image: 'ghcr.io/acme/my-llm-server:1.0.0',
    resources: GPU,
    metric: { type: 'concurrency', target: '16' },
    p95: '2s',
    loadtest: '  model: {{name}}\n  payload: { prompt: "Hello", max_tokens: 64 }',
  },
  http: {
    image: 'ghcr.io/acme/my-model:1.0.0',
    resources: '  cpu: "1"\n  memory: 2Gi',
    metric: { type: 'cpu', target: '70%' },
    p95: '300ms',
    loadtest: '  path: /predict\n  payload: { text: "hello" }',
  },
};

/** "{ type: queue, target: 5 }        # vllm:num_requests_waiting per pod": the series named from the registry. */
function starterMetric(runtime: RuntimeName, m: RuntimeStarter['metric']): string {
  const flow = `{ type: ${m.type}, target: ${m.target} }`;
  const series = registryMetric(runtime, m.type)?.series;
  return series ? `${flow.padEnd(Math.max(34, flow.length + 1))}# ${series} per pod` : flow;
}

export const SCHEMA_FILE = '.mdl/mdl.config.schema.json';

/** A user's text as a YAML scalar: plain when every reader (YAML 1.1 included) reads it back as this string. */
function yamlText(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/.test(value) && !readsAsNonString(value) ? value : JSON.stringify(value);
}

/** A folder name as a valid spec name: "My_Model v2" → "my-model-v2". */
export function nameFromFolder(folder: string): string {
  const cleaned = folder
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 52)
    .replace(/-+$/, '');
  return cleaned || 'model';
}

/** The text of a starting spec; pure apart from reading the template. */
export function renderInitTemplate(runtime: RuntimeName, name: string, image: string, schemaPath: string): string {
  const preset = loadPreset(runtime);
  const starter = STARTERS[runtime];
  const d = preset.defaults as { port?: number; health?: { startup?: { maxLoadTime?: string } }; shutdown?: { drain?: string }; loadtest?: { protocol?: string } };
  const values: Record<string, string> = {
    schemaPath,
    name: yamlText(name),
    image: yamlText(image),
    runtime,
    port: String(d.port ?? 8080),
    resources: starter.resources,
    maxLoadTime: d.health?.startup?.maxLoadTime ?? '2m',
    drain: d.shutdown?.drain ?? '10s',
    metric: starterMetric(runtime, starter.metric),
    p95: starter.p95,
    protocol: d.loadtest?.protocol ?? 'http',
    // The starters name the model where the server routes by it (loadtest.model, TorchServe's path).
    loadtest: starter.loadtest.replace(/\{\{name\}\}/g, name),
  };
  const template = readFileSync(join(templatesDir(), 'init', 'mdl.config.yaml'), 'utf8');
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`templates/init/mdl.config.yaml uses an unknown placeholder {{${key}}}`);
    return v;
  });
}

export function initSpec(options: InitOptions): InitResult {
  if (!(RUNTIMES as readonly string[]).includes(options.runtime)) {
    throw badInput(`unknown runtime "${options.runtime}"`, { where: '--runtime', hint: `Use one of: ${RUNTIMES.join(', ')}.` });
  }
  const runtime = options.runtime as RuntimeName;
  const file = resolvePath(options.cwd, options.file ?? 'mdl.config.yaml');
  const shown = relative(options.cwd, file) || file;
  if (existsSync(file) && !options.force) {
    throw badInput(`${shown} already exists`, { where: shown, hint: 'Pass --force to overwrite it, or --config to write another file.' });
  }
  const name = options.name ?? nameFromFolder(basename(dirname(file)));
  if (!/^[a-z]([-a-z0-9]{0,50}[a-z0-9])?$/.test(name)) {
    throw badInput(`"${name}" is not a valid name`, {
      where: '--name',
      hint: 'Use lowercase letters, digits and "-", starting with a letter, at most 52 characters.',
    });
  }
  if (options.image !== undefined && options.image.trim() === '') throw badInput('the image is empty', { where: '--image' });
  const image = options.image ?? STARTERS[runtime].image;
  const schemaFile = join(dirname(file), SCHEMA_FILE);
  const schemaRel = relative(dirname(file), schemaFile);
  const text = renderInitTemplate(runtime, name, image, `./${schemaRel}`);
  try {
    mkdirSync(dirname(schemaFile), { recursive: true });
    writeFileSync(schemaFile, `${JSON.stringify(specJsonSchema(), null, 2)}\n`);
    writeFileSync(file, text);
  } catch (error) {
    throw badInput(`cannot write ${shown}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { file: shown, schemaFile: relative(options.cwd, schemaFile) || schemaFile, runtime, name, image };
}
