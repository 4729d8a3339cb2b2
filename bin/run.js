#!/usr/bin/env node
// Checked before any dependency loads, against package.json's engines (the one statement of the Node
// versions mdl supports): the current majors of oclif, Ink, undici and cosmiconfig need them.
import { readFileSync } from 'node:fs';
import { supports } from './node-version.js';
const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
if (!supports(engines.node, process.versions.node)) {
  process.stderr.write(
    `mdl needs Node.js ${engines.node}; this is ${process.version}.\n` +
      '  Run it through npm (npm run mdl -- <command>, or npx mdl), which uses the Node 24 that the project installs,\n' +
      '  or install a supported Node.js.\n',
  );
  process.exit(2);
}
// Output piped into a reader that stops early (mdl render | head) ends mdl quietly, as it does other CLIs.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
// Reuse V8's compiled code between runs (kept in the OS temp folder): start-up is most of a short command.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
// The check above is the engine check; oclif's own one (run when oclif loads) brings in semver to repeat it.
// The switch is taken back once oclif has loaded, so the processes mdl starts do not inherit it.
const setEngineSwitch = process.env.OCLIF_DISABLE_ENGINE_WARNING === undefined;
if (setEngineSwitch) process.env.OCLIF_DISABLE_ENGINE_WARNING = '1';
// A signal while the bundle loads exits 130, as it does once mdl's own handlers are in (src/cli/stop-signals.ts).
const early = () => process.exit(130);
process.on('SIGINT', early);
process.on('SIGTERM', early);
// dist/cli.js is oclif and the commands bundled by the build (scripts/build-extras.mjs). A clone has no
// dist/ until `npm run build`: say so instead of Node's module-not-found trace.
const cliUrl = new URL('../dist/cli.js', import.meta.url);
const { existsSync } = await import('node:fs');
if (!existsSync(cliUrl)) {
  process.stderr.write('mdl is not built: dist/cli.js is missing.\n  In a clone, run `npm run build` once after `npm ci` (npm run demo and npm test build it too).\n');
  process.exit(2);
}
const { main } = await import(cliUrl.href);
process.removeListener('SIGINT', early);
process.removeListener('SIGTERM', early);
if (setEngineSwitch) delete process.env.OCLIF_DISABLE_ENGINE_WARNING;
await main(import.meta.url);
