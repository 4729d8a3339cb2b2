// mdl dev --json with the built CLI: the status document on stdout once the replicas are ready, then the
// runtime keeps serving until a signal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalRuntimeStatus } from '../../src/local/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SPEC = fileURLToPath(new URL('../fixtures/dev-spec/mdl.config.yaml', import.meta.url));

function dev(args: string[]) {
  const child = spawn(process.execPath, ['bin/run.js', 'dev', ...args, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  /** Resolves with the first whole JSON document on stdout. */
  const document = new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no JSON document after 20 s; stderr:\n${stderr}`)), 20_000);
    const tryParse = () => {
      try {
        const doc = JSON.parse(stdout);
        clearTimeout(timer);
        resolve(doc);
      } catch {
        // Not whole yet.
      }
    };
    child.stdout.on('data', tryParse);
    void exited.then(() => {
      tryParse();
      reject(new Error(`mdl dev exited without a document; stderr:\n${stderr}`));
    });
  });
  return { child, document, exited, stdout: () => stdout, stderr: () => stderr };
}

describe('mdl dev --json (built CLI)', function () {
  this.timeout(40_000);

  it('prints the status document once every replica is ready, keeps serving, and exits 130 on SIGINT', async () => {
    const run = dev(['-c', SPEC, '--replicas', '2']);
    try {
      const status = (await run.document) as LocalRuntimeStatus;
      assert.equal(status.schemaVersion, 1);
      assert.match(status.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(status.desiredReplicas, 2);
      assert.equal(status.readyReplicas, 2);
      assert.deepEqual(status.replicas.map((r) => r.state), ['ready', 'ready']);
      assert.equal(status.autoscaler.metric.type, 'concurrency');
      // Still running after the document: it serves, and its live status names the same replicas.
      assert.equal((await fetch(`${status.url}/work?ms=1`)).status, 200);
      const live = (await (await fetch(`${status.url}/.mdl/status`)).json()) as LocalRuntimeStatus;
      assert.deepEqual(live.replicas.map((r) => r.id), status.replicas.map((r) => r.id));
      assert.equal(run.child.exitCode, null);
      run.child.kill('SIGINT');
      assert.equal(await run.exited, 130);
      // The one document and nothing else on stdout; the plain status lines went to stderr.
      assert.deepEqual(JSON.parse(run.stdout()), status);
      assert.match(run.stderr(), /ready/);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  });

  it('a bad spec: an error document on stdout and exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdl-dev-json-'));
    try {
      writeFileSync(join(dir, 'mdl.config.yaml'), 'name: fx\nimage: x:1\nscaling: { minReplicas: 5, maxReplicas: 2 }\n');
      const run = dev(['-c', join(dir, 'mdl.config.yaml')]);
      const doc = (await run.document.catch(() => JSON.parse(run.stdout()))) as { error: { message: string; exitCode: number } };
      assert.equal(await run.exited, 2);
      assert.equal(doc.error.exitCode, 2);
      assert.match(doc.error.message, /minReplicas/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
