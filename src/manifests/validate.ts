/**
 * Every object is checked against the Kubernetes OpenAPI schema (kubernetes-models 5.1, generated from
 * Kubernetes 1.36) and KEDA's CRD schema (@kubernetes-models/keda) before anything is printed or
 * applied. The objects come from our own renderer, so a failure is a bug of ours: a plain Error (exit 1)
 * that says so. The validators are loaded on first use; only the kinds we render are imported.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from './types.js';

type Validator = (data: unknown) => void;
type ModelClass = new (data: unknown) => { validate(): void };

interface Models {
  Deployment: ModelClass;
  Service: ModelClass;
  PodDisruptionBudget: ModelClass;
  HorizontalPodAutoscaler: ModelClass;
  ScaledObject: ModelClass;
}

let models: Promise<Models> | undefined;

/**
 * The built CLI loads the validators from one bundled file (dist/vendor, made by scripts/build-extras.mjs):
 * the packages ship one module per schema and importing them one by one costs about half a second.
 * Run from the sources, the packages are imported directly.
 */
function loadModels(): Promise<Models> {
  models ??= (async () => {
    const bundle = new URL('../../vendor/k8s-validators.js', import.meta.url);
    if (existsSync(fileURLToPath(bundle))) return (await import(bundle.href)) as Models;
    const [d, s, p, h, k] = await Promise.all([
      import('kubernetes-models/apps/v1/Deployment'),
      import('kubernetes-models/v1/Service'),
      import('kubernetes-models/policy/v1/PodDisruptionBudget'),
      import('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'),
      import('@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject'),
    ]);
    return {
      Deployment: d.Deployment as unknown as ModelClass,
      Service: s.Service as unknown as ModelClass,
      PodDisruptionBudget: p.PodDisruptionBudget as unknown as ModelClass,
      HorizontalPodAutoscaler: h.HorizontalPodAutoscaler as unknown as ModelClass,
      ScaledObject: k.ScaledObject as unknown as ModelClass,
    };
  })();
  return models;
}

const KINDS: Record<string, keyof Models> = {
  'apps/v1/Deployment': 'Deployment',
  'v1/Service': 'Service',
  'policy/v1/PodDisruptionBudget': 'PodDisruptionBudget',
  'autoscaling/v2/HorizontalPodAutoscaler': 'HorizontalPodAutoscaler',
  'keda.sh/v1alpha1/ScaledObject': 'ScaledObject',
};

async function validatorFor(object: KubeObject): Promise<Validator | undefined> {
  const kind = KINDS[`${object.apiVersion}/${object.kind}`];
  if (!kind) return undefined;
  const Model = (await loadModels())[kind];
  return (data) => new Model(data).validate();
}

export class ManifestValidationError extends Error {
  constructor(
    readonly object: KubeObject,
    readonly detail: string,
  ) {
    super(
      `mdl rendered an invalid ${object.kind} "${object.metadata.name}" (${object.apiVersion}): ${detail}\n` +
        'This is a bug in mdl, not in your spec; please report it with the spec that produced it.',
    );
    this.name = 'ManifestValidationError';
  }
}

/** Throws ManifestValidationError on the first object the schema rejects. */
export async function validateManifests(objects: readonly KubeObject[]): Promise<void> {
  for (const object of objects) {
    const validate = await validatorFor(object);
    if (!validate) throw new ManifestValidationError(object, 'no schema is known for this kind');
    try {
      validate(structuredClone(object));
    } catch (error) {
      const errors = (error as { errors?: { instancePath?: string; message?: string }[] }).errors;
      const detail = errors?.length
        ? errors.map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim()).join('; ')
        : error instanceof Error
          ? error.message
          : String(error);
      throw new ManifestValidationError(object, detail);
    }
  }
}
