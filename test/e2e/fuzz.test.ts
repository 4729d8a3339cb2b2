/**
 * Fuzz over the built CLI: random values for the flags of every command (read from oclif.manifest.json, so a
 * new flag is fuzzed without touching this file), and mutated specs through validate and render. mdl may
 * refuse anything, but only with a documented exit code (docs/architecture.md) and a message: never 1 (a bug
 * of ours), never a stack trace, never a hang. Runs that start real work are stopped with SIGTERM and must
 * then exit 130. Seeds are fixed and runs bounded, so a failure replays and the test stays near a minute.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { startCapacityServer, type CapacityServer } from '../fixtures/capacity-server.js';

const ROOT = process.cwd();
// 127: no such command (oclif's not-found plugin), as README's exit-code table says.
const DOCUMENTED = new Set([0, 2, 3, 4, 99, 127, 130]);
/** A V8 stack frame: "    at fn (/path/file.js:12:5)" or "    at /path/file.ts:3:9". */
const STACK_FRAME = /^\s+at .*\.(?:m?js|cjs|ts|tsx):\d+:\d+\)?$/m;
/** Work that has not ended by then is asked to stop (SIGTERM), as a CI cancel would. */
const STOP_AFTER_MS = 5_000;
/** After the stop: a run still going is a hang. */
const HANG_AFTER_MS = 8_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  stopped: boolean;
  hung: boolean;
}

function mdl(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      // No cluster: cluster commands must say so (exit 3), not crash.
      env: { ...process.env, CI: 'true', KUBECONFIG: join(cwd, 'no-kubeconfig'), GITHUB_STEP_SUMMARY: '', MDL_CONFIG: '', MDL_ENV: '', MDL_UI: '', DEBUG: '', MDL_DEBUG: '' },
    });
    let stdout = '';
    let stderr = '';
    let stopped = false;
    let hung = false;
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const stop = setTimeout(() => {
      stopped = true;
      child.kill('SIGTERM');
    }, STOP_AFTER_MS);
    const kill = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, STOP_AFTER_MS + HANG_AFTER_MS);
    child.on('close', (code, signal) => {
      clearTimeout(stop);
      clearTimeout(kill);
      resolve({ code, signal, stdout, stderr, stopped, hung });
    });
  });
}

function assertDocumented(run: Run, what: string): void {
  const shown = `${what}\nexit ${run.code ?? run.signal}${run.stopped ? ' (after SIGTERM)' : ''}\n${run.stderr.slice(0, 2000)}`;
  assert.ok(!run.hung, `hung:\n${shown}`);
  // A SIGTERM ends every command with 130 (src/cli/stop-signals.ts), long or short; one that was already
  // finishing may still exit with its own documented code.
  assert.ok(run.code !== null && DOCUMENTED.has(run.code), `undocumented exit code:\n${shown}`);
  assert.doesNotMatch(run.stderr, STACK_FRAME, `stack trace:\n${shown}`);
  assert.doesNotMatch(run.stderr, /bug in mdl/, `reported as a bug:\n${shown}`);
  if (run.code === 2) assert.match(run.stderr, /Error: /, `exit 2 without a message:\n${shown}`);
}

interface FlagInfo {
  name: string;
  type: 'boolean' | 'option';
  options?: string[];
  multiple?: boolean;
  allowNo?: boolean;
}

interface CommandInfo {
  id: string;
  flags: FlagInfo[];
  args: string[];
}

function commandsFromManifest(): CommandInfo[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, { flags: Record<string, FlagInfo>; args?: Record<string, unknown> }>;
  };
  return Object.entries(manifest.commands).map(([id, c]) => ({ id, flags: Object.values(c.flags), args: Object.keys(c.args ?? {}) }));
}

describe('fuzz: flags and specs through the built CLI', function () {
  this.timeout(300_000);
  let server: CapacityServer;
  const base = mkdtempSync(join(tmpdir(), 'mdl-e2e-fuzz-'));
  const golden = join(ROOT, 'test/fixtures/golden/specs');
  const goldenSpecs = readdirSync(golden).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(golden, f), 'utf8'));
  let n = 0;
  /** A fresh, empty folder per run: init's files and reports do not leak into the next run. */
  const freshDir = () => {
    const d = join(base, String(n++));
    mkdirSync(d);
    return d;
  };

  before(async () => {
    server = await startCapacityServer({ slots: 20, serviceMs: 2 });
  });
  after(() => server.close());

  /** Values a user (or a script with a bug) might pass: units right and wrong, edges, paths, URLs. */
  const tricky = () =>
    fc.constantFrom(
      '', ' ', '0', '-1', '1', '3', '1.5', '1e309', 'NaN', 'Infinity', '007', '2x', '0s', '1s', '100ms', '5m', '-5s', '1h30m', '10', '20rps', '1200/min',
      '0/s', '50%', '150%', '0.5', '-0.1%', 'p95<300ms', 'p95<<1', 'error_rate<1%', 'rps>=10', 'ttft_p99<2s', '30s:10,1s:0', '1s:5', ':', 'a:b',
      'Authorization: Bearer x', 'NoColon', '{"inputs":[1]}', '{not json', '@missing.json', 'missing.jsonl', '../nope/x', '/', '.', '/dev/null',
      'prod', 'default', 'ünïcödé', '%s%s%n', '$(echo hi)', 'x'.repeat(300), 'http://[::1', 'ftp://x', 'localhost:8080', 'https://127.0.0.1:1/',
      ROOT + '/test/fixtures/golden/specs/http.yaml', ROOT + '/test/fixtures/golden/specs/vllm.yaml',
      // Inputs that take a command past its checks into real work (simulate's files and profiles, stages).
      ROOT + '/test/fixtures/simulate/capacity.json', ROOT + '/test/fixtures/simulate/spike.csv', ROOT + '/test/fixtures/tune-result.json',
      'steady,rate=100,duration=10m', 'spike,baseline=20,peak=400,at=30m', 'diurnal,peak=0', 'ramp,from=5,to=1', '2s:5,1s:0',
    );
  const endpoint = () => fc.constantFrom(`${server.url}/`, `${server.url}/v1/completions`, 'http://127.0.0.1:1/', 'not a url', 'ftp://x');

  function flagValue(flag: FlagInfo): fc.Arbitrary<string[]> {
    if (flag.type === 'boolean') {
      return flag.allowNo ? fc.constantFrom([`--${flag.name}`], [`--no-${flag.name}`]) : fc.constant([`--${flag.name}`]);
    }
    const value = flag.options ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...flag.options) }, { weight: 1, arbitrary: tricky() }) : fc.oneof({ weight: 4, arbitrary: tricky() }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
    const one = value.map((v) => [`--${flag.name}`, v]);
    return flag.multiple ? fc.array(one, { minLength: 1, maxLength: 2 }).map((a) => a.flat()) : one;
  }

  const commands = commandsFromManifest();

  it('random flags for every command exit with a documented code, a message and no stack trace', async () => {
    const invocation = fc.constantFrom(...commands).chain((cmd) => {
      // Mostly flags the command knows, sometimes an unknown one; the URL argument where there is one.
      const known = cmd.flags.length ? fc.subarray(cmd.flags, { minLength: 0, maxLength: 4 }).chain((fs) => (fs.length ? fc.tuple(...fs.map(flagValue)) : fc.constant([] as string[][]))) : fc.constant([] as string[][]);
      const arg = cmd.args.length ? fc.option(endpoint(), { nil: undefined, freq: 3 }) : fc.constant(undefined);
      const extra = fc.oneof({ weight: 6, arbitrary: fc.constant([] as string[]) }, { weight: 1, arbitrary: fc.constantFrom(['--nope'], ['--json', '--json'], ['positional']) });
      return fc.tuple(fc.constant(cmd.id), arg, known, extra).map(([id, url, flags, more]) => [...id.split(':'), ...(url ? [url] : []), ...flags.flat(), ...more]);
    });
    // Half the runs where a spec is found (one whose loadtest.url is the fixture server), half where none is.
    await fc.assert(
      fc.asyncProperty(invocation, fc.boolean(), async (args, withSpec) => {
        const dir = freshDir();
        if (withSpec) writeFileSync(join(dir, 'mdl.config.yaml'), `${readFileSync(join(golden, 'http.yaml'), 'utf8')}\nslo: { p95: 1s }\nloadtest: { url: "${server.url}" }\n`);
        assertDocumented(await mdl(args, dir), `mdl ${args.map((a) => JSON.stringify(a)).join(' ')}${withSpec ? ' (spec in the folder)' : ''}`);
      }),
      { seed: 20261202, numRuns: 50, endOnFailure: true },
    );
  });

  it('mutated specs through validate and render exit 0 or 2, with a message and no stack trace', async () => {
    const leaf = fc.oneof(
      fc.constantFrom('y', 'on', 'no', '1_000', '0x1F', '~', '', '-1', '4Gi', '500m', 'abc', '1e3', '12:30', '.inf', 'null', '{', '"'),
      fc.integer({ min: -5, max: 100_000 }),
      fc.double({ noNaN: false }),
      fc.boolean(),
      fc.constant(null),
      fc.constant([]),
      fc.constant({}),
    );
    type Doc = Record<string, unknown>;
    /** Every path to a value in the document, so a mutation can reach any key, however deep. */
    const paths = (v: unknown, prefix: string[] = []): string[][] =>
      v !== null && typeof v === 'object'
        ? [prefix, ...Object.entries(v as Doc).flatMap(([k, x]) => paths(x, [...prefix, k]))]
        : [prefix];
    const mutation = fc.tuple(fc.nat(), fc.constantFrom('set', 'delete', 'add'), leaf, fc.constantFrom('name', 'replicas', 'metric', 'x-unknown', 'target', 'port'));
    const spec = fc.oneof(
      { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...goldenSpecs), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([text, muts]) => {
        const doc = parse(text) as Doc;
        for (const [at, op, value, key] of muts) {
          const all = paths(doc).filter((p) => p.length > 0);
          const path = all[at % all.length]!;
          const parent = path.slice(0, -1).reduce<Doc>((o, k) => o[k] as Doc, doc);
          const last = path.at(-1)!;
          if (op === 'set') parent[last] = value;
          else if (op === 'delete') delete parent[last];
          else if (parent[last] !== null && typeof parent[last] === 'object' && !Array.isArray(parent[last])) (parent[last] as Doc)[key] = value;
        }
        return stringify(doc);
      }) },
      // Text cut short or with a stray character: YAML errors must name the line.
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...goldenSpecs), fc.nat(), fc.constantFrom('', ':', '\t', '[', '"', '- ', '{')).map(([t, at, ch]) => t.slice(0, at % (t.length + 1)) + ch) },
    );
    await fc.assert(
      fc.asyncProperty(spec, async (text) => {
        const dir = freshDir();
        writeFileSync(join(dir, 'mdl.config.yaml'), text);
        for (const command of ['validate', 'render']) {
          const run = await mdl([command], dir);
          assertDocumented(run, `mdl ${command} on:\n${text}`);
          assert.ok(run.code === 0 || run.code === 2, `mdl ${command} exit ${run.code} on:\n${text}\n${run.stderr}`);
        }
      }),
      { seed: 20261202, numRuns: 20, endOnFailure: true },
    );
  });
});
