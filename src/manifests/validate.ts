/**
 * Every object is checked against the Kubernetes OpenAPI schema (kubernetes-models 5.1, generated from
 * Kubernetes 1.36) and KEDA's CRD schema (@kubernetes-models/keda) before anything is printed or
 * applied. The objects come from our own renderer, so a failure is a bug of ours: a plain Error (exit 1)
 * that says so. The validators are loaded on first use; only the kinds we render are imported.
 */
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

function loadModels(): Promise<Models> {
  models ??= import('./k8s-models.js') as unknown as Promise<Models>;
  return models;
}

const KINDS: Record<string, keyof Models> = {
  'apps/v1/Deployment': 'Deployment',
  'v1/Service': 'Service',
  'policy/v1/PodDisruptionBudget': 'PodDisruptionBudget',
  'autoscaling/v2/HorizontalPodAutoscaler': 'HorizontalPodAutoscaler',
  'keda.sh/v1alpha1/ScaledObject': 'ScaledObject',
};

/** Whether the object's apiVersion/kind is one whose schema is checked here. */
export function hasSchema(object: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  return KINDS[`${object.apiVersion}/${object.kind}`] !== undefined;
}

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
