import { stringify } from 'yaml';
import { createTwoFilesPatch } from 'diff';
import { ExitCode, MdlError } from '../errors.js';
import { YAML_STRINGIFY_OPTIONS } from '../yaml-scalars.js';
import { ApiError, KubeClient, type ResourceInfo } from './client.js';
import { applyConflict, rejected, type SpecLocator } from './errors.js';
import { groupKind, objectRef, splitApiVersion, type KubeObject } from './types.js';

export const FIELD_MANAGER = 'mdl';

export interface ApplyOptions {
  /** Server-side dry-run: the API server validates, defaults and admits, and stores nothing. */
  dryRun?: boolean;
  forceConflicts?: boolean;
  locate?: SpecLocator;
  /** The spec file the objects came from, named in rejection messages. */
  specPath?: string;
}

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface ApplyResult {
  ref: string;
  groupKind: string;
  name: string;
  namespace: string | undefined;
  action: ApplyAction;
  /** The object as the API server returned it. */
  live: KubeObject;
}

/** The resource that serves obj, or an error that says which API is missing and what to install. */
export async function resourceOf(client: KubeClient, obj: KubeObject): Promise<ResourceInfo> {
  let info: ResourceInfo | undefined;
  try {
    info = await client.resourceFor(obj.apiVersion, obj.kind);
  } catch (error) {
    throw client.explain(error);
  }
  if (info) return info;
  const { group } = splitApiVersion(obj.apiVersion);
  const install = group === 'keda.sh'
    ? 'Install KEDA in the cluster (its CRDs serve keda.sh/v1alpha1), or set scaling.engine: hpa in the spec.'
    : `Install the CRD or API that serves ${obj.apiVersion} ${obj.kind}.`;
  throw new MdlError(`The cluster does not serve ${obj.kind} (${obj.apiVersion}), needed for ${objectRef(obj)}`, {
    exitCode: ExitCode.cluster,
    hint: install,
  });
}

export function namespaceOf(info: ResourceInfo, obj: KubeObject, defaultNamespace: string): string | undefined {
  return info.namespaced ? (obj.metadata.namespace ?? defaultNamespace) : undefined;
}

export function objectPath(info: ResourceInfo, namespace: string | undefined, name: string): string {
  return `${KubeClient.collectionPath(info, namespace)}/${encodeURIComponent(name)}`;
}

/** GET an object; undefined when it does not exist. */
export async function getObject(client: KubeClient, obj: KubeObject, defaultNamespace: string): Promise<KubeObject | undefined> {
  const info = await resourceOf(client, obj);
  const namespace = namespaceOf(info, obj, defaultNamespace);
  try {
    return await client.request<KubeObject>('GET', objectPath(info, namespace, obj.metadata.name));
  } catch (error) {
    if (error instanceof ApiError && error.statusCode === 404) return undefined;
    throw client.explain(error);
  }
}

/** Server-side apply of one object with field manager `mdl`. */
export async function applyObject(client: KubeClient, obj: KubeObject, defaultNamespace: string, options: ApplyOptions = {}): Promise<ApplyResult> {
  const info = await resourceOf(client, obj);
  const namespace = namespaceOf(info, obj, defaultNamespace);
  const body: KubeObject = { ...obj, metadata: { ...obj.metadata, ...(namespace ? { namespace } : {}) } };
  const path = objectPath(info, namespace, obj.metadata.name);
  const before = await getObject(client, obj, defaultNamespace);
  let live: KubeObject;
  try {
    live = await client.request<KubeObject>('PATCH', path, {
      query: { fieldManager: FIELD_MANAGER, force: options.forceConflicts ? true : undefined, dryRun: options.dryRun ? 'All' : undefined },
      body,
      contentType: 'application/apply-patch+yaml',
    });
  } catch (error) {
    if (error instanceof ApiError) {
      if (error.statusCode === 409 && error.status.reason === 'Conflict') throw applyConflict(error, obj);
      if (error.statusCode === 422 || error.statusCode === 400) throw rejected(error, obj, options.locate, options.specPath);
      if (error.statusCode === 403) throw client.forbidden(error, 'patch', info.plural, namespace);
      if (error.statusCode === 404 && namespace) {
        throw new MdlError(`Namespace "${namespace}" does not exist (applying ${objectRef(obj)})`, {
          exitCode: ExitCode.cluster,
          hint: 'Create it, or pass --create-namespace.',
        });
      }
    }
    throw error;
  }
  let action: ApplyAction;
  if (!before) action = 'created';
  else if (options.dryRun) action = sameContent(before, live) ? 'unchanged' : 'configured';
  else action = before.metadata.resourceVersion === live.metadata.resourceVersion ? 'unchanged' : 'configured';
  return { ref: objectRef(obj), groupKind: groupKind(obj), name: obj.metadata.name, namespace, action, live };
}

/** Fields the server owns and that change on every write: left out of comparisons and diffs. */
export function comparable(obj: KubeObject | undefined): KubeObject | undefined {
  if (!obj) return undefined;
  const { status: _status, ...rest } = obj;
  const { managedFields: _m, resourceVersion: _r, generation: _g, creationTimestamp: _c, uid: _u, ...metadata } = obj.metadata;
  return { ...rest, metadata } as KubeObject;
}

function sameContent(a: KubeObject, b: KubeObject): boolean {
  return stringify(comparable(a)) === stringify(comparable(b));
}

export interface ObjectDiff {
  ref: string;
  action: ApplyAction;
  /** A unified diff of live -> would-be, as YAML; empty when unchanged. */
  patch: string;
}

/** What applying objects would change: each object's live state against a server-side dry-run of it. */
export async function diffObjects(client: KubeClient, objects: KubeObject[], defaultNamespace: string, options: Omit<ApplyOptions, 'dryRun'> = {}): Promise<ObjectDiff[]> {
  const diffs: ObjectDiff[] = [];
  for (const obj of objects) {
    const before = comparable(await getObject(client, obj, defaultNamespace));
    const result = await applyObject(client, obj, defaultNamespace, { ...options, dryRun: true });
    const after = comparable(result.live);
    const oldText = before ? stringify(before, YAML_STRINGIFY_OPTIONS) : '';
    const newText = stringify(after, YAML_STRINGIFY_OPTIONS);
    const patch = oldText === newText ? '' : createTwoFilesPatch(`live/${result.ref}`, `mdl/${result.ref}`, oldText, newText, undefined, undefined, { context: 3 });
    diffs.push({ ref: result.ref, action: patch ? result.action : 'unchanged', patch });
  }
  return diffs;
}

/** Deletes one object (foreground: its pods go with a Deployment). Missing objects are fine. */
export async function deleteObject(client: KubeClient, info: ResourceInfo, namespace: string | undefined, name: string, dryRun = false): Promise<boolean> {
  try {
    await client.request('DELETE', objectPath(info, namespace, name), {
      query: { dryRun: dryRun ? 'All' : undefined },
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
    });
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.statusCode === 404) return false;
    if (error instanceof ApiError && error.statusCode === 403) throw client.forbidden(error, 'delete', info.plural, namespace);
    throw error;
  }
}

/** Lists the objects of one GroupKind with a label selector. */
export async function listByLabel(client: KubeClient, gk: string, namespace: string, labelSelector: string): Promise<{ info: ResourceInfo; items: KubeObject[] } | undefined> {
  const info = await resourceForGroupKind(client, gk);
  if (!info) return undefined;
  try {
    const list = await client.request<{ items: KubeObject[] }>('GET', KubeClient.collectionPath(info, namespace), { query: { labelSelector } });
    return { info, items: list.items };
  } catch (error) {
    if (error instanceof ApiError && error.statusCode === 403) throw client.forbidden(error, 'list', info.plural, namespace);
    throw error;
  }
}

/** The preferred version's resource for "Kind.group" (or "Kind" for the core group). */
export async function resourceForGroupKind(client: KubeClient, gk: string): Promise<ResourceInfo | undefined> {
  const dot = gk.indexOf('.');
  const kind = dot < 0 ? gk : gk.slice(0, dot);
  const group = dot < 0 ? '' : gk.slice(dot + 1);
  if (!group) return client.resourceFor('v1', kind);
  let preferred: string | undefined;
  try {
    const g = await client.request<{ preferredVersion?: { version: string } }>('GET', `/apis/${group}`);
    preferred = g.preferredVersion?.version;
  } catch (error) {
    if (error instanceof ApiError && error.statusCode === 404) return undefined;
    throw client.explain(error);
  }
  return preferred ? client.resourceFor(`${group}/${preferred}`, kind) : undefined;
}
