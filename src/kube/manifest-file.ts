import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { badInput } from '../errors.js';
import type { KubeObject } from './types.js';

/** Reads a multi-document YAML file of Kubernetes objects (what `mdl render` prints), in file order. */
export async function readManifestFile(file: string): Promise<KubeObject[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw badInput(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { where: '--manifests' });
  }
  const objects: KubeObject[] = [];
  for (const [index, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) throw badInput(`${file}: document ${index + 1} is not valid YAML: ${doc.errors[0]!.message}`, { where: '--manifests' });
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    const o = value as Partial<KubeObject>;
    if (typeof o !== 'object' || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
      throw badInput(`${file}: document ${index + 1} is not a Kubernetes object (apiVersion, kind and metadata.name are required)`, { where: '--manifests' });
    }
    objects.push(o as KubeObject);
  }
  if (objects.length === 0) throw badInput(`${file} has no Kubernetes objects`, { where: '--manifests' });
  return objects;
}

/** The model's name: the flag, else the first Deployment's name. */
export function modelNameOf(objects: KubeObject[], flag: string | undefined): string {
  const name = flag ?? objects.find((o) => o.kind === 'Deployment')?.metadata.name ?? objects[0]?.metadata.name;
  if (!name) throw badInput('Cannot tell the model name', { hint: 'Pass --name.' });
  return name;
}
