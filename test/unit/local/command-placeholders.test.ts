import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandLine } from '../../../src/local/command-line.js';
import { PLACEHOLDER_NAMES, placeholdersIn } from '../../../src/spec/command-placeholders.js';
import { specJsonSchema } from '../../../src/spec/json-schema.js';

describe('local.command placeholders: {port}, {grpcPort}, {metricsPort}, {replica}', () => {
  const values = { port: 8001, grpcPort: 9001, metricsPort: 9101, replica: 2 };

  it('fills every placeholder in a plain command, without a shell', () => {
    assert.deepEqual(commandLine('serve --http {port} --grpc {grpcPort} --metrics {metricsPort} --log r{replica}.log', values), {
      file: 'serve', args: ['--http', '8001', '--grpc', '9001', '--metrics', '9101', '--log', 'r2.log'], shell: false,
    });
  });

  it('fills them in an array command and in a shell command, whose braces stay shell syntax otherwise', () => {
    assert.deepEqual(commandLine(['serve', '--grpc={grpcPort}', '{replica}'], values).args, ['--grpc=9001', '2']);
    const sh = commandLine('exec serve --port {port} --metrics {metricsPort} > log-{replica}.txt', values);
    assert.equal(sh.shell, true);
    assert.deepEqual(sh.args, ['-c', 'exec serve --port 8001 --metrics 9101 > log-2.txt']);
    assert.equal(commandLine('echo ${HOME} {port}', values).shell, true);
  });

  it('a number is the port alone (the command of old)', () => {
    assert.deepEqual(commandLine('serve {port} {replica}', 7).args, ['7', '{replica}']);
  });

  it('knows which placeholders a command uses, so only those ports are allocated', () => {
    assert.deepEqual([...placeholdersIn('a {port} {metricsPort}')].sort(), ['metricsPort', 'port']);
    assert.deepEqual([...placeholdersIn(['a', '{grpcPort}', '{replica}'])].sort(), ['grpcPort', 'replica']);
    assert.deepEqual([...placeholdersIn('a {ports}')], []);
  });

  it("the spec's description of local.command and docs/local.md name every placeholder", () => {
    const description = JSON.stringify(specJsonSchema());
    const docs = readFileSync(join(import.meta.dirname, '../../../docs/local.md'), 'utf8');
    for (const p of PLACEHOLDER_NAMES) {
      assert.ok(description.includes(`{${p}}`), `schema description lacks {${p}}`);
      assert.ok(docs.includes(`\`{${p}}\``), `docs/local.md lacks {${p}}`);
    }
  });
});
