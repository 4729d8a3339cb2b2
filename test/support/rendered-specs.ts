/**
 * Every spec the tests hold up as an example, rendered: the golden specs, the examples, the dev fixture and
 * the YAML 1.1 adversarial spec (test/fixtures/yaml11), each base spec and each of its environments. Used
 * by the YAML 1.1 reader tests (unit: the yaml library as 1.1; cluster: the real kubectl).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { renderManifests, toYaml, type KubeObject } from '../../src/manifests/index.js';
import { loadSpec } from '../../src/spec/index.js';

const ROOT = join(import.meta.dirname, '../..');

export interface RenderedSpec {
  /** file (and environment) it came from, for messages */
  label: string;
  objects: KubeObject[];
  yaml: string;
}

function specFiles(): Array<{ cwd: string; file: string }> {
  const golden = join(ROOT, 'test/fixtures/golden/specs');
  return [
    ...readdirSync(golden).filter((f) => f.endsWith('.yaml')).sort().map((file) => ({ cwd: golden, file })),
    ...['examples/demo', 'examples/sentiment', 'test/fixtures/dev-spec', 'test/fixtures/yaml11'].map((d) => ({ cwd: join(ROOT, d), file: 'mdl.config.yaml' })),
  ];
}

export async function renderedSpecs(): Promise<RenderedSpec[]> {
  const out: RenderedSpec[] = [];
  for (const { cwd, file } of specFiles()) {
    const base = await loadSpec({ cwd, configPath: file });
    const envs = Object.keys((base.source.raw.environments as Record<string, unknown> | undefined) ?? {});
    for (const env of [undefined, ...envs]) {
      const { spec } = env === undefined ? base : await loadSpec({ cwd, configPath: file, env });
      const objects = renderManifests(spec);
      out.push({ label: `${join(cwd, file).slice(ROOT.length + 1)}${env ? ` (env ${env})` : ''}`, objects, yaml: toYaml(objects) });
    }
  }
  return out;
}
