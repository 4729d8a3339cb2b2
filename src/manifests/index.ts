export { renderManifests, objectFileName } from './render.js';
export { toYaml, toJson, objectToYaml } from './yaml.js';
export { validateManifests, ManifestValidationError } from './validate.js';
export { deployment, service, podDisruptionBudget, startupFailureThreshold } from './workload.js';
export { horizontalPodAutoscaler, scaledObject, hpaBehavior } from './autoscaler.js';
export { commonLabels, selectorLabels, specHash, toQuantity, SPEC_HASH_ANNOTATION, MANAGED_BY } from './labels.js';
export type { KubeObject } from './types.js';
