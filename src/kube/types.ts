import type { KubeObject as RenderedObject } from '../manifests/types.js';

/** A Kubernetes object as plain data: what the renderer returns and what the API server sends back
 *  (whose metadata also carries resourceVersion, generation, managedFields...). */
export interface KubeObject extends RenderedObject {
  metadata: RenderedObject['metadata'] & { [key: string]: unknown };
}
/** "apps/v1" -> { group: "apps", version: "v1" }; "v1" -> { group: "", version: "v1" }. */
/** matchLabels as a label selector query ("k=v,k=v"). */
export function labelSelector(matchLabels: Record<string, string>): string {
  return Object.entries(matchLabels).map(([k, v]) => `${k}=${v}`).join(',');
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** "Deployment.apps", "Service" (core group): the GroupKind form ApplySets use. */
export function groupKind(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): string {
  const { group } = splitApiVersion(obj.apiVersion);
  return group ? `${obj.kind}.${group}` : obj.kind;
}

/** "Deployment/sentiment" for messages. */
export function objectRef(obj: KubeObject): string {
  return `${obj.kind}/${obj.metadata.name}`;
}

/** "deployment.apps/sentiment", "service/sentiment": the line `kubectl get -o name` prints for an object. */
export function kubectlName(obj: { apiVersion: string; kind: string; metadata: { name: string } }): string {
  const { group } = splitApiVersion(obj.apiVersion);
  return `${obj.kind.toLowerCase()}${group ? `.${group}` : ''}/${obj.metadata.name}`;
}
