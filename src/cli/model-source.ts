import { MdlError } from '../errors.js';
import { modelNameOf, readManifestFile } from '../kube/manifest-file.js';
import type { KubeObject } from '../kube/types.js';

export interface ModelSource {
  name: string;
  objects: KubeObject[];
}

/**
 * The objects a cluster command works on: rendered manifests from --manifests. Rendering straight from
 * the spec (--config/--env) plugs in here once the spec loader and renderer are available.
 */
export async function loadModelObjects(flags: { manifests?: string; name?: string; config?: string; env?: string }): Promise<ModelSource> {
  if (!flags.manifests) {
    throw new MdlError('Rendering from the spec is not available in this build: pass the rendered manifests', {
      where: '--manifests',
      hint: 'Run: mdl deploy --manifests manifests.yaml',
    });
  }
  const objects = await readManifestFile(flags.manifests);
  return { name: modelNameOf(objects, flags.name), objects };
}
