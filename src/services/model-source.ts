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
/** The flags every cluster command takes to name its model (a spec or --manifests) and reach its cluster. */
export interface ModelSourceFlags {
  manifests?: string | undefined;
  name?: string | undefined;
  config?: string | undefined;
  env?: string | undefined;
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
}

export async function loadModelObjects(flags: ModelSourceFlags): Promise<ModelSource> {
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
