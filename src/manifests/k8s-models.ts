/**
 * The schema classes of the kinds mdl renders, in one module so that validation loads them with one
 * dynamic import (the packages ship one module per schema; the build bundles this file into one chunk).
 */
export { Deployment } from 'kubernetes-models/apps/v1/Deployment';
export { Service } from 'kubernetes-models/v1/Service';
export { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
export { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
export { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
