/**
 * The schema check of `deploy --dry-run=client`: what `mdl render` checks, without an API server. Objects
 * rendered from the spec are ours (a failure is a bug: ManifestValidationError); objects read from
 * --manifests are the user's, so a failure there is bad input naming the file and the object.
 */
import { badInput } from '../errors.js';
import type { ModelSource } from './model-source.js';

export async function validateObjects(source: ModelSource, manifestsFile?: string): Promise<void> {
  const { hasSchema, validateManifests, ManifestValidationError } = await import('../manifests/validate.js');
  if (source.specPath) {
    await validateManifests(source.objects);
    return;
  }
  // Kinds without a known schema (a ConfigMap in the file) are left to the API server.
  for (const object of source.objects.filter(hasSchema)) {
    try {
      await validateManifests([object]);
    } catch (error) {
      if (!(error instanceof ManifestValidationError)) throw error;
      throw badInput(`${object.kind}/${object.metadata.name} in ${manifestsFile ?? 'the manifests'} is not a valid ${object.kind} (${object.apiVersion}): ${error.detail}`, {
        where: '--manifests',
        hint: 'Fix the object in the file (or render it again with mdl render).',
      });
    }
  }
}
