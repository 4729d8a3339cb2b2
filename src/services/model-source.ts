import { modelNameOf, readManifestFile } from '../kube/manifest-file.js';
import type { KubeObject } from '../kube/types.js';

export interface ModelSource {
  name: string;
  objects: KubeObject[];
  /** The spec file the objects were rendered from, when they were. */
  specPath?: string;
}

/**
 * The objects a cluster command works on, in dependency order: rendered from the spec (--config, --env)
 * or, with --manifests, read from a file of already rendered manifests.
 */
export async function loadModelObjects(flags: { manifests?: string; name?: string; config?: string; env?: string; namespace?: string | undefined }): Promise<ModelSource> {
  if (flags.manifests) {
    const objects = await readManifestFile(flags.manifests);
    return { name: modelNameOf(objects, flags.name), objects };
  }
  const [{ loadSpec }, { renderManifests }] = await Promise.all([import('../spec/index.js'), import('../manifests/index.js')]);
  const { spec, source } = await loadSpec({
    cwd: process.cwd(),
    ...(flags.config !== undefined ? { configPath: flags.config } : {}),
    ...(flags.env !== undefined ? { env: flags.env } : {}),
  });
  // A namespace given on the command line scopes the KEDA query (src/manifests/autoscaler.ts) to it.
  return { name: flags.name ?? spec.name, objects: renderManifests(spec, { namespace: flags.namespace }), specPath: source.filepath };
}
