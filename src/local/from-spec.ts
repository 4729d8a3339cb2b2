/**
 * Spec → local runtime options. Takes only the fields the runtime needs, structurally, so any validated spec
 * object fits. Until src/spec's loader is in place, `readDevSpec` reads those fields from the YAML file itself.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { badInput } from '../errors.js';
import type { LocalRuntimeOptions, ScalingBehavior, ScalingMetric, ScalingRules } from './options.js';

export interface DevSpec {
  name: string;
  runtime?: string;
  resources?: { cpu?: string | number };
  scaling?: {
    minReplicas?: number;
    maxReplicas?: number;
    metric?: { type: string; target: number | string };
    behavior?: DevBehavior;
  };
  local?: { command?: string | string[]; healthPath?: string; port?: number };
  ports?: { http?: number };
  health?: { readiness?: string; readinessPath?: string };
}

interface DevBehavior {
  scaleUp?: DevScalingRules;
  scaleDown?: DevScalingRules;
}

interface DevScalingRules extends ScalingRules {
  /** The spec's short spelling of stabilizationWindowSeconds. */
  stabilizationSeconds?: number;
}

/** Readiness paths of the runtime presets (templates/runtimes); a spec's own health path wins. */
const PRESET_HEALTH: Record<string, string> = {
  'kserve-v2': '/v2/health/ready',
  triton: '/v2/health/ready',
  vllm: '/health',
  tgi: '/health',
  torchserve: '/ping',
  openai: '/health',
  http: '/',
};

export interface DevFlags {
  port?: number;
  replicas?: number;
  syncPeriodMs?: number;
}

export function localOptionsFromSpec(spec: DevSpec, specDir: string, flags: DevFlags = {}): LocalRuntimeOptions {
  const command = spec.local?.command;
  if (command === undefined || (typeof command === 'string' && command.trim() === '')) {
    throw badInput('The spec has no local.command, so mdl cannot run the model on this machine.', {
      where: 'local.command',
      hint: 'Add e.g.  local: { command: "python serve.py --port {port}" }  ({port} is filled in per replica).',
    });
  }
  const min = spec.scaling?.minReplicas ?? 1;
  const max = Math.max(spec.scaling?.maxReplicas ?? Math.max(min, 1), min);
  const metric = toMetric(spec.scaling?.metric);
  const healthPath =
    spec.local?.healthPath ?? spec.health?.readinessPath ?? spec.health?.readiness ?? PRESET_HEALTH[spec.runtime ?? 'http'] ?? '/';
  const replicas = flags.replicas ?? min;
  if (flags.replicas !== undefined && (flags.replicas < 1 || !Number.isInteger(flags.replicas))) {
    throw badInput(`--replicas must be a whole number ≥ 1, got ${flags.replicas}`, { where: '--replicas' });
  }
  const cpu = spec.resources?.cpu;
  return {
    command,
    cwd: specDir,
    name: spec.name,
    port: flags.port ?? spec.local?.port ?? 0,
    replicas,
    healthPath,
    scaling: {
      // --replicas above the spec's max raises the max, so the count asked for is the count run.
      minReplicas: Math.min(min, replicas),
      maxReplicas: Math.max(max, replicas),
      metric,
      behavior: toBehavior(spec.scaling?.behavior),
      ...(flags.syncPeriodMs === undefined ? {} : { syncPeriodMs: flags.syncPeriodMs }),
      ...(cpu === undefined ? {} : { cpuRequestCores: cpuCores(cpu) }),
    },
  };
}

function toMetric(m: { type: string; target: number | string } | undefined): ScalingMetric {
  if (!m) return { type: 'concurrency', target: 4 };
  const target = typeof m.target === 'number' ? m.target : Number.parseFloat(String(m.target));
  if (m.type === 'concurrency' || m.type === 'rps' || m.type === 'cpu') return { type: m.type, target };
  throw badInput(`mdl dev can scale on concurrency, rps or cpu; the spec asks for ${m.type}.`, {
    where: 'scaling.metric.type',
    hint: 'Use an environment overlay (--env) that sets a concurrency or rps metric for local runs.',
  });
}

function toBehavior(b: DevBehavior | undefined): ScalingBehavior | undefined {
  if (!b) return undefined;
  const rules = (r: DevScalingRules | undefined): ScalingRules | undefined => {
    if (!r) return undefined;
    const { stabilizationSeconds, ...rest } = r;
    return { ...rest, stabilizationWindowSeconds: r.stabilizationWindowSeconds ?? stabilizationSeconds };
  };
  return { scaleUp: rules(b.scaleUp), scaleDown: rules(b.scaleDown) };
}

function cpuCores(cpu: string | number): number {
  if (typeof cpu === 'number') return cpu;
  return cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
}

const DEFAULT_SPEC_FILES = ['mdl.config.yaml', 'mdl.config.yml'];

/** Reads the spec file (interim, until src/spec's loader is wired in): path given or mdl.config.yaml here. */
export async function readDevSpec(path: string | undefined): Promise<{ spec: DevSpec; file: string }> {
  const candidates = path ? [path] : DEFAULT_SPEC_FILES;
  for (const candidate of candidates) {
    const file = resolve(candidate);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      if (path) throw badInput(`Cannot read the spec file ${path}.`, { where: '--config', hint: 'Check the path.' });
      continue;
    }
    const doc = parseDocument(text);
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      throw badInput(`The spec is not valid YAML: ${e.message.split('\n')[0]}`, {
        where: `${candidate}:${e.linePos?.[0]?.line ?? '?'}`,
      });
    }
    const spec = doc.toJS() as DevSpec;
    if (!spec || typeof spec !== 'object' || typeof spec.name !== 'string') {
      throw badInput('The spec has no name.', { where: `${candidate} name` });
    }
    return { spec, file };
  }
  throw badInput('No spec file found (mdl.config.yaml).', {
    where: '--config',
    hint: 'Pass one with --config, e.g. mdl dev -c examples/demo/mdl.config.yaml, or create one with mdl init.',
  });
}

export function specDirOf(file: string): string {
  return dirname(file);
}
