/** A Kubernetes object as mdl renders and applies it: plain data, no client classes. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** "apps/v1" -> { group: "apps", version: "v1" }; "v1" -> { group: "", version: "v1" }. */
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
