// Build steps after tsc that keep `mdl <command>` fast to start (test/bench/render-startup.ts):
// 1. oclif.manifest.json, so oclif loads only the command that runs instead of importing every command
//    file to discover them (what `oclif manifest` does, without the oclif CLI as a dependency);
// 2. dist/vendor/k8s-validators.js: the Kubernetes and KEDA schema validators bundled into one file.
//    kubernetes-models ships one ES module per schema, and the Deployment alone pulls in hundreds of them.
// 3. dist/src/spec/index.js and dist/src/cli/render-output.js rebuilt as bundles (shared chunks in
//    dist/src/chunks) with zod, yaml and cosmiconfig inside: resolving and loading some two hundred
//    small modules was most of `mdl render`'s start-up. src/errors.js stays external so MdlError is one
//    class for the whole process (exit codes depend on instanceof). Tests run the sources and the e2e
//    tests run these bundles.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Config } from '@oclif/core';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
rmSync(join(root, 'dist', 'src', 'chunks'), { recursive: true, force: true });

const config = await Config.load({ root, ignoreManifest: true });
const plugin = config.plugins.get(config.pjson.name);
if (!plugin || Object.keys(plugin.manifest.commands).length === 0) throw new Error('no commands found for the oclif manifest');
writeFileSync(join(root, 'oclif.manifest.json'), `${JSON.stringify(plugin.manifest, null, 2)}\n`);

const requireShim = {
  js: "import { createRequire as __mdlCreateRequire } from 'node:module'; const require = __mdlCreateRequire(import.meta.url);",
};

await build({
  entryPoints: { 'src/spec/index': join(root, 'src/spec/index.ts'), 'src/cli/render-output': join(root, 'src/cli/render-output.ts') },
  outdir: join(root, 'dist'),
  chunkNames: 'src/chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  keepNames: false,
  banner: requireShim,
  alias: { punycode: 'punycode/' },
  // cosmiconfig (CommonJS, loaded only when searching for the spec) stays a normal import.
  external: ['kubernetes-models', 'kubernetes-models/*', '@kubernetes-models/*', 'cosmiconfig'],
  plugins: [
    {
      name: 'shared-errors',
      setup(b) {
        // Keep the one MdlError class: every output file sits two folders below dist (dist/src/spec,
        // dist/src/cli, dist/src/chunks), so "../errors.js" names dist/src/errors.js from each of them.
        // zod re-exports all its ~60 message locales; mdl only uses English, so the bundle carries that one.
        b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
          args.resolveDir.includes(join('node_modules', 'zod')) ? { path: join(args.resolveDir, '..', 'locales', 'en.js'), namespace: 'zod-locales' } : undefined,
        );
        b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
          contents: `export { default as en } from ${JSON.stringify(args.path)};`,
          loader: 'js',
          resolveDir: root,
        }));
        b.onResolve({ filter: /(^|\/)errors\.js$/ }, (args) => {
          const target = join(args.resolveDir, args.path).replace(/\.js$/, '.ts');
          return target === join(root, 'src', 'errors.ts') ? { path: '../errors.js', external: true } : undefined;
        });
      },
    },
  ],
  logLevel: 'warning',
});

await build({
  stdin: {
    contents: [
      "export { Deployment } from 'kubernetes-models/apps/v1/Deployment';",
      "export { Service } from 'kubernetes-models/v1/Service';",
      "export { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';",
      "export { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';",
      "export { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';",
    ].join('\n'),
    resolveDir: root,
    loader: 'js',
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  legalComments: 'linked',
  // Some dependencies are CommonJS and require() Node built-ins; give the ES module bundle a require.
  banner: requireShim,
  alias: { punycode: 'punycode/' },
  outfile: join(root, 'dist', 'vendor', 'k8s-validators.js'),
  logLevel: 'warning',
});
