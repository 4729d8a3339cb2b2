// Build steps after tsc that keep `mdl <command>` fast to start (test/bench/render-startup.ts):
// 1. dist/cli.js and dist/commands/*.js rebuilt by esbuild as one module graph (shared code in dist/chunks):
//    oclif, every command and the libraries they load up front (zod, yaml, the Kubernetes schema classes).
//    Resolving and loading some three hundred small modules one by one was most of a short command's
//    start-up. Dynamic imports stay lazy chunks, and packages that are heavy or only needed by some
//    commands (Ink, React, client-node, undici, execa…) stay normal imports from node_modules.
// 2. oclif.manifest.json, so oclif loads only the command that runs instead of importing every command
//    file to discover them (what `oclif manifest` does, without the oclif CLI as a dependency).
// Tests run the sources; the e2e tests run this build.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const stale of ['chunks', 'vendor', 'src/chunks']) rmSync(join(root, 'dist', stale), { recursive: true, force: true });

/** Bundled: small, pure JavaScript, and needed by the commands that must start fast. */
const BUNDLED = new Set(['@oclif/core', 'zod', 'yaml', 'kubernetes-models', '@kubernetes-models/keda', 'fastest-levenshtein']);
const external = [
  ...Object.keys(pjson.dependencies).filter((name) => !BUNDLED.has(name)).flatMap((name) => [name, `${name}/*`]),
  // oclif reads tsconfig.json through TypeScript only when run from sources (bin/dev.js).
  'typescript',
];

/**
 * oclif requires these at start-up but calls them only to glob commands without the manifest, to filter
 * plugins, or to print help, errors and spinners: each becomes a stand-in that loads the real module on
 * first use (a call or a property read). The stand-in answers __esModule itself (read here, at build time),
 * so that oclif's import helpers do not load the module just to ask.
 */
const LAZY_FOR_OCLIF = ['tinyglobby', 'minimatch', 'wrap-ansi', 'clean-stack', 'indent-string', 'string-width', 'widest-line', 'cli-spinners', 'ejs'];
const oclifRequire = createRequire(join(root, 'node_modules', '@oclif', 'core', 'lib', 'index.js'));
const wslUtilsRequire = createRequire(oclifRequire.resolve('wsl-utils'));
const lazyOclifDependencies = {
  name: 'lazy-oclif-dependencies',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_FOR_OCLIF.join('|')})$`);
    b.onResolve({ filter }, (args) =>
      args.importer.includes(join('node_modules', '@oclif', 'core')) ? { path: args.path, namespace: 'lazy-oclif' } : undefined,
    );
    // oclif asks wsl-utils only whether this is WSL; the package also loads child_process and PowerShell
    // helpers at import. is-wsl, which wsl-utils itself uses for the answer, is enough.
    b.onResolve({ filter: /^wsl-utils$/ }, (args) =>
      args.importer.includes(join('node_modules', '@oclif', 'core')) ? { path: 'wsl-utils', namespace: 'oclif-wsl' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'oclif-wsl' }, () => ({
      contents: `export { default as isWsl } from ${JSON.stringify(wslUtilsRequire.resolve('is-wsl'))};`,
      loader: 'js',
      resolveDir: root,
    }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-oclif' }, (args) => ({
      contents: [
        'let real;',
        `const load = () => (real ??= require(${JSON.stringify(oclifRequire.resolve(args.path))}));`,
        'module.exports = new Proxy(function lazy() {}, {',
        `  get: (_, key) => (key === '__esModule' ? ${JSON.stringify(oclifRequire(args.path).__esModule === true)} : load()[key]),`,
        '  has: (_, key) => key in load(),',
        '  apply: (_, self, args) => Reflect.apply(load(), self, args),',
        '});',
      ].join('\n'),
      loader: 'js',
      resolveDir: root,
    }));
  },
};

const requireShim = {
  js: "import { createRequire as __mdlCreateRequire } from 'node:module'; const require = __mdlCreateRequire(import.meta.url);",
};

const entryPoints = { cli: join(root, 'src/cli/main.ts') };
for (const file of readdirSync(join(root, 'commands'))) {
  if (file.endsWith('.ts')) entryPoints[`commands/${file.slice(0, -3)}`] = join(root, 'commands', file);
}

await build({
  entryPoints,
  outdir: join(root, 'dist'),
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: process.env.MDL_BUILD_NO_MINIFY !== '1',
  legalComments: 'linked',
  // Some bundled dependencies are CommonJS and require() Node built-ins; give the ES modules a require.
  banner: requireShim,
  alias: {
    punycode: 'punycode/',
    // yaml's ES module build (the same code as its CommonJS one): esbuild can hoist and trim it.
    yaml: join(root, 'node_modules', 'yaml', 'browser', 'index.js'),
  },
  external,
  plugins: [
    lazyOclifDependencies,
    {
      name: 'zod-english-only',
      setup(b) {
        // zod re-exports all its ~60 message locales; mdl only uses English, so the bundle carries that one.
        b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
          args.resolveDir.includes(join('node_modules', 'zod')) ? { path: join(args.resolveDir, '..', 'locales', 'en.js'), namespace: 'zod-locales' } : undefined,
        );
        b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
          contents: `export { default as en } from ${JSON.stringify(args.path)};`,
          loader: 'js',
          resolveDir: root,
        }));
      },
    },
  ],
  logLevel: 'warning',
});

// After the bundle: the manifest records the bundled command files.
const { Config } = await import('@oclif/core');
const config = await Config.load({ root, ignoreManifest: true });
const plugin = config.plugins.get(config.pjson.name);
if (!plugin || Object.keys(plugin.manifest.commands).length === 0) throw new Error('no commands found for the oclif manifest');
writeFileSync(join(root, 'oclif.manifest.json'), `${JSON.stringify(plugin.manifest, null, 2)}\n`);
