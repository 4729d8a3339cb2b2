import { stringify } from 'yaml';
import type { KubeObject } from './types.js';

const OPTIONS = { lineWidth: 0, indent: 2, aliasDuplicateObjects: false } as const;

/** Multi-document YAML, one object per document, byte-identical for identical objects. */
export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => `---\n${stringify(o, OPTIONS)}`).join('');
}

export function objectToYaml(object: KubeObject): string {
  return stringify(object, OPTIONS);
}

/** A JSON List of the objects (kubectl apply -f accepts it). */
export function toJson(objects: readonly KubeObject[]): string {
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`;
}
