/**
 * Pinning an autoscaler's replica count for `mdl tune`, as data: which fields hold the bounds, the
 * annotation that records the original bounds, and the patches that pin, re-pin and restore. Pure.
 *
 * The patches are JSON merge patches (an Update by field manager `mdl-tune`), not server-side apply:
 * an apply by another manager would take the fields away from `mdl`'s own apply or conflict with it.
 * An Update moves ownership of the fields it changes to `mdl-tune`, so after restoring the values,
 * `releasePatch` removes `mdl-tune`'s managedFields entry: the fields are then owned by nobody, and the
 * next `mdl deploy` takes them back without a conflict, whatever values its spec holds by then.
 */
import { TUNE_PINNED_FROM_ANNOTATION } from '../manifests/labels.js';

export const TUNE_FIELD_MANAGER = 'mdl-tune';
export { TUNE_PINNED_FROM_ANNOTATION };

export type AutoscalerKind = 'HorizontalPodAutoscaler' | 'ScaledObject';

/** The field names that bound the replica count, per kind. */
export const BOUND_FIELDS: Record<AutoscalerKind, { min: string; max: string }> = {
  HorizontalPodAutoscaler: { min: 'minReplicas', max: 'maxReplicas' },
  ScaledObject: { min: 'minReplicaCount', max: 'maxReplicaCount' },
};

/** Replica bounds as found on the object; null when the field is absent (KEDA's are optional). */
export interface ReplicaBounds {
  min: number | null;
  max: number | null;
}

export interface PinnedFrom {
  /** The bounds before `mdl tune` pinned them: what a restore writes back. */
  original: ReplicaBounds;
  /** The replica count the search ran with (min = max). */
  replicas: number;
  pinnedAt: string;
}

interface ObjectLike {
  metadata: { resourceVersion?: unknown; annotations?: Record<string, string> | undefined; managedFields?: unknown };
  spec?: unknown;
}

export function boundsOf(kind: AutoscalerKind, obj: ObjectLike): ReplicaBounds {
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const f = BOUND_FIELDS[kind];
  const read = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : null);
  return { min: read(spec[f.min]), max: read(spec[f.max]) };
}

/** The annotation's value: JSON with the kind's own field names, so that a reader of the object sees
 *  `{"minReplicas":2,"maxReplicas":10,"pinnedReplicas":1,"pinnedAt":"…"}`. */
export function encodePinnedFrom(kind: AutoscalerKind, p: PinnedFrom): string {
  const f = BOUND_FIELDS[kind];
  return JSON.stringify({ [f.min]: p.original.min, [f.max]: p.original.max, pinnedReplicas: p.replicas, pinnedAt: p.pinnedAt });
}

export class PinAnnotationError extends Error {}

/** Reads the annotation back; throws PinAnnotationError when it is not what encodePinnedFrom wrote. */
export function decodePinnedFrom(kind: AutoscalerKind, text: string): PinnedFrom {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new PinAnnotationError(`${TUNE_PINNED_FROM_ANNOTATION} is not JSON: ${text.slice(0, 80)}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new PinAnnotationError(`${TUNE_PINNED_FROM_ANNOTATION} is not a JSON object`);
  const d = doc as Record<string, unknown>;
  const f = BOUND_FIELDS[kind];
  const bound = (key: string): number | null => {
    const v = d[key];
    if (v === null || v === undefined) return null;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
    throw new PinAnnotationError(`${TUNE_PINNED_FROM_ANNOTATION}: ${key} is ${JSON.stringify(v)}, not a whole number`);
  };
  const original = { min: bound(f.min), max: bound(f.max) };
  if (!(f.min in d) && !(f.max in d)) throw new PinAnnotationError(`${TUNE_PINNED_FROM_ANNOTATION} holds neither ${f.min} nor ${f.max}`);
  if (kind === 'HorizontalPodAutoscaler' && original.max === null) throw new PinAnnotationError(`${TUNE_PINNED_FROM_ANNOTATION}: an HPA needs ${f.max}`);
  const replicas = typeof d.pinnedReplicas === 'number' ? d.pinnedReplicas : 0;
  const pinnedAt = typeof d.pinnedAt === 'string' ? d.pinnedAt : '';
  return { original, replicas, pinnedAt };
}

/** The original bounds recorded on the object, or null when it is not pinned. */
export function pinnedFromOf(kind: AutoscalerKind, obj: ObjectLike): PinnedFrom | null {
  const text = obj.metadata.annotations?.[TUNE_PINNED_FROM_ANNOTATION];
  return text === undefined ? null : decodePinnedFrom(kind, text);
}

export type MergePatch = Record<string, unknown>;

/**
 * min = max = replicas. With `record`, the annotation is written in the same patch, so the object is never
 * pinned without a record of what to restore. resourceVersion makes the patch fail (409) if the object
 * changed since it was read.
 */
export function pinPatch(kind: AutoscalerKind, resourceVersion: string, replicas: number, record?: PinnedFrom): MergePatch {
  const f = BOUND_FIELDS[kind];
  return {
    metadata: { resourceVersion, ...(record ? { annotations: { [TUNE_PINNED_FROM_ANNOTATION]: encodePinnedFrom(kind, record) } } : {}) },
    spec: { [f.min]: replicas, [f.max]: replicas },
  };
}

/** Writes the original bounds back (null removes a field that was absent) and drops the annotation. */
export function restorePatch(kind: AutoscalerKind, resourceVersion: string, original: ReplicaBounds): MergePatch {
  const f = BOUND_FIELDS[kind];
  return {
    metadata: { resourceVersion, annotations: { [TUNE_PINNED_FROM_ANNOTATION]: null } },
    spec: { [f.min]: original.min, [f.max]: original.max },
  };
}

export type JsonPatchOp = { op: 'test' | 'remove'; path: string; value?: unknown };

/**
 * A JSON patch that removes `mdl-tune`'s managedFields entries (tested by index and name, and against
 * the resourceVersion read), or null when there are none. Sent on its own, after the restore: a request
 * that both changes fields and edits managedFields records its changes under its own manager again.
 */
export function releasePatch(obj: ObjectLike): JsonPatchOp[] | null {
  const entries = Array.isArray(obj.metadata.managedFields) ? (obj.metadata.managedFields as { manager?: string }[]) : [];
  const indices = entries.map((e, i) => (e?.manager === TUNE_FIELD_MANAGER ? i : -1)).filter((i) => i >= 0);
  // An object left without any entry would have its managedFields rebuilt by the server: leave it then.
  if (indices.length === 0 || indices.length === entries.length) return null;
  const ops: JsonPatchOp[] = [{ op: 'test', path: '/metadata/resourceVersion', value: obj.metadata.resourceVersion }];
  // Highest index first, so that each removal leaves the lower indices in place.
  for (const i of indices.reverse()) {
    ops.push({ op: 'test', path: `/metadata/managedFields/${i}/manager`, value: TUNE_FIELD_MANAGER });
    ops.push({ op: 'remove', path: `/metadata/managedFields/${i}` });
  }
  return ops;
}

/** "min 2, max 10" ("unset" for an absent field), for messages. */
export function formatBounds(b: ReplicaBounds): string {
  return `min ${b.min ?? 'unset'}, max ${b.max ?? 'unset'}`;
}
