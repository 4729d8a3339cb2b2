import { ExitCode, MdlError } from '../errors.js';
import { ApiError } from './client.js';
import { TUNE_FIELD_MANAGER } from './pin-plan.js';
import { objectRef, type KubeObject } from './types.js';

/** Maps a manifest field path to the spec key that produced it, when one is known. */
export type SpecLocator = (obj: KubeObject, fieldPath: string) => string | undefined;

/** Where the usual manifest fields come from in the model spec (docs/spec.md). */
export const defaultSpecLocator: SpecLocator = (obj, field) => {
  const f = field.replace(/^\./, '');
  const rules: [RegExp, string][] = [
    [/containers\[\d+\]\.image$/, 'image'],
    [/containers\[\d+\]\.resources/, 'resources'],
    [/containers\[\d+\]\.(ports|readinessProbe|livenessProbe|startupProbe)/, 'runtime'],
    [/^metadata\.name$/, 'name'],
    [/^spec\.minReplicas$/, 'scaling.minReplicas'],
    [/^spec\.maxReplicas$/, 'scaling.maxReplicas'],
    [/^spec\.metrics/, 'scaling.metric'],
    [/^spec\.behavior/, 'scaling.behavior'],
    [/^spec\.triggers/, 'scaling.metric'],
    [/^spec\.(minReplicaCount|maxReplicaCount)$/, 'scaling'],
  ];
  for (const [re, key] of rules) if (re.test(f)) return key;
  if (obj.kind === 'HorizontalPodAutoscaler' || obj.kind === 'ScaledObject') return 'scaling';
  return undefined;
};

/** An API rejection (422 Invalid, 400 BadRequest) of one object: its message and the spec key behind it. */
export function rejected(error: ApiError, obj: KubeObject, locate: SpecLocator = defaultSpecLocator, specPath?: string): MdlError {
  const causes = error.status.details?.causes ?? [];
  const fields = causes.map((c) => c.field).filter((f): f is string => Boolean(f));
  const keys = [...new Set(fields.map((f) => locate(obj, f)).filter((k): k is string => Boolean(k)))];
  const detail = causes.length > 0
    ? causes.map((c) => `${c.field ? `${c.field}: ` : ''}${c.message ?? c.reason ?? ''}`).join('; ')
    : (error.status.message ?? '');
  return new MdlError(`The API server rejected ${objectRef(obj)}: ${detail}`, {
    exitCode: ExitCode.badInput,
    where: keys.length > 0 ? `${specPath ? `${specPath} ` : ''}spec key ${keys.join(', ')}` : objectRef(obj) + (fields.length ? ` ${fields.join(', ')}` : ''),
    hint: keys.length > 0
      ? `Fix ${keys.join(', ')} in the spec and run mdl deploy again.`
      : 'Fix the spec value that renders this field and run mdl deploy again.',
    cause: error,
  });
}

/** A server-side apply conflict: which fields, which other field manager, and the way out. */
export function applyConflict(error: ApiError, obj: KubeObject): MdlError {
  const causes = error.status.details?.causes ?? [];
  const managerOf = (c: (typeof causes)[number]) => /conflict with "([^"]+)"/.exec(c.message ?? '')?.[1];
  if (causes.some((c) => managerOf(c) === TUNE_FIELD_MANAGER)) {
    return new MdlError(`${objectRef(obj)} is pinned by mdl tune (its replica bounds are held by field manager "${TUNE_FIELD_MANAGER}")`, {
      exitCode: ExitCode.badInput,
      hint: 'Wait for the running mdl tune to finish, or — if none is running — put the bounds back with mdl tune --restore, then deploy again.',
      cause: error,
    });
  }
  const lines = causes.map((c) => {
    const manager = managerOf(c);
    return `${c.field ?? '?'} (managed by ${manager ?? 'another field manager'})`;
  });
  return new MdlError(
    `Server-side apply conflict on ${objectRef(obj)}: ${lines.join(', ') || error.status.message}`,
    {
      exitCode: ExitCode.badInput,
      hint: 'Another tool owns these fields. Re-run with --force-conflicts to take them over for mdl, ' +
        'or remove them from that tool\'s configuration.',
      cause: error,
    },
  );
}
