import { createHash } from 'node:crypto';
import type { KubeObject } from './types.js';

/**
 * ApplySet (KEP-3659) labels and annotations: which objects belong to a model, for `mdl deploy --prune` and
 * for any tool that reads the labels. The parent is a Secret in the model's namespace with mdl's tooling, so
 * kubectl's own `apply --applyset` refuses to manage it (docs/cluster.md).
 */
export const APPLYSET_PART_OF = 'applyset.kubernetes.io/part-of';
export const APPLYSET_ID = 'applyset.kubernetes.io/id';
export const APPLYSET_TOOLING = 'applyset.kubernetes.io/tooling';
export const APPLYSET_GROUP_KINDS = 'applyset.kubernetes.io/contains-group-kinds';
export const TOOLING = 'mdl/v1';

export function applySetParentName(modelName: string): string {
  return `mdl-applyset-${modelName}`;
}

/** The KEP's ID: "applyset-" + base64url(sha256("<name>.<namespace>.<kind>.<group>")) + "-v1". */
export function applySetId(parentName: string, namespace: string, kind = 'Secret', group = ''): string {
  const digest = createHash('sha256').update(`${parentName}.${namespace}.${kind}.${group}`).digest('base64url');
  return `applyset-${digest}-v1`;
}

export function parseGroupKinds(annotation: string | undefined): string[] {
  return (annotation ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export function formatGroupKinds(groupKinds: Iterable<string>): string {
  return [...new Set(groupKinds)].sort().join(',');
}

export function applySetParent(parentName: string, namespace: string, groupKinds: Iterable<string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: parentName,
      namespace,
      labels: { [APPLYSET_ID]: applySetId(parentName, namespace) },
      annotations: { [APPLYSET_TOOLING]: TOOLING, [APPLYSET_GROUP_KINDS]: formatGroupKinds(groupKinds) },
    },
    type: 'Opaque',
  };
}

/** A copy of obj labelled as a member of the set. */
export function withApplySetLabel(obj: KubeObject, id: string): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, [APPLYSET_PART_OF]: id } } };
}
