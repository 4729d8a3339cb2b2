/**
 * ModelSpec → Kubernetes objects, in the order they are applied: the disruption budget and the Service
 * before the Deployment they select, the autoscaler after the Deployment it scales. Pure and
 * deterministic: the same spec gives the same objects, key for key.
 */
import type { ModelSpec } from '../spec/index.js';
import { horizontalPodAutoscaler, scaledObject, type RenderScope } from './autoscaler.js';
import type { KubeObject } from './types.js';
import { deployment, podDisruptionBudget, service } from './workload.js';

export function renderManifests(spec: ModelSpec, scope: RenderScope = {}): KubeObject[] {
  const objects: KubeObject[] = [podDisruptionBudget(spec), service(spec), deployment(spec)];
  if (spec.scaling.engine === 'keda') objects.push(scaledObject(spec, scope));
  else if (spec.scaling.autoscaled) objects.push(horizontalPodAutoscaler(spec));
  return objects;
}

/** "deployment-sentiment.yaml": the file name of an object in `mdl render --output DIR`. */
export function objectFileName(object: KubeObject, extension: 'yaml' | 'json'): string {
  return `${object.kind.toLowerCase()}-${object.metadata.name}.${extension}`;
}
