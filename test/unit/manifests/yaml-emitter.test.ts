/**
 * The manifest YAML emitter must write exactly what the yaml library writes, or give up so that the
 * library writes it: checked on random plain data built from tricky strings and numbers.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments, stringify } from 'yaml';
import { blockYaml } from '../../../src/manifests/yaml.js';
import { YAML_STRINGIFY_OPTIONS as OPTIONS } from '../../../src/yaml-scalars.js';

const tricky = fc.constantFrom(
  '', ' ', 'true', 'True', 'FALSE', 'yes', 'no', 'null', 'Null', '~', '8080', '-1', '+1', '1.5', '.5', '1e3', '0x1F', '0o17', '.inf', '-.Inf', '.nan',
  '1.0.0', 'a: b', 'a:b', 'a #b', 'a#b', '#a', '-', '-a', '- a', '?', '? a', ':a', 'a:', 'a ', ' a', '[a]', '{a}', 'a,b', '*a', '&a', '!a', '|', '>', '%a',
  '@a', '`a', "it's", 'say "hi"', 'back\\slash', '---', '...', 'a\nb', 'tab\there', 'ünï', 'sum(vllm:num_requests_waiting{pod=~"chat-.*"})',
  'app.kubernetes.io/name', 'nvidia.com/gpu', '500m', '4Gi', 'http', '/healthz', 'sh -c "sleep 5"', 'x'.repeat(1030),
  // Strings only a YAML 1.1 reader (kubectl's) takes for another type.
  'y', 'N', 'on', 'OFF', 'tRUE', '1_000', '012', '0O17', '0X1F', '0b101', '1:20', '190:20:30.15', '1.2.3.', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '<<', '=', '+.INF',
);
const str = fc.oneof(
  { arbitrary: tricky, weight: 10 },
  { arbitrary: fc.stringMatching(/^[a-zA-Z0-9 .\/:#-]{0,10}$/), weight: 10 },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 6 }), weight: 1 },
);
const num = fc.oneof(
  { arbitrary: fc.integer(), weight: 6 },
  { arbitrary: fc.constantFrom(0.1, 3.5, 0.25, 99.9), weight: 3 },
  { arbitrary: fc.oneof(fc.double(), fc.constantFrom(-0, 1e21, 1e-7)), weight: 1 },
);
const scalar = fc.oneof(
  { arbitrary: str, weight: 8 },
  { arbitrary: num, weight: 4 },
  { arbitrary: fc.oneof(fc.boolean(), fc.constant(null)), weight: 2 },
  { arbitrary: fc.constant(undefined), weight: 1 },
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(str, tie('value'), { maxKeys: 5 }),
}));

describe('manifest YAML emitter', () => {
  it('writes what the yaml library writes, or leaves it to the library', () => {
    let handled = 0;
    fc.assert(
      fc.property(fc.dictionary(str, value, { minKeys: 1, maxKeys: 6 }), (object) => {
        const fast = blockYaml(object);
        if (fast === undefined) return;
        handled += 1;
        assert.equal(fast, stringify(object, OPTIONS));
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: about a fifth of these objects (many hold strings it leaves to the library) take the fast path.
    assert.ok(handled > 450, `only ${handled} of 3000 objects were written by the emitter`);
  });

  it('writes every golden manifest itself, byte for byte as the library would', () => {
    const golden = join(import.meta.dirname, '../../fixtures/golden');
    const files = readdirSync(golden).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 9);
    for (const file of files) {
      for (const doc of parseAllDocuments(readFileSync(join(golden, file), 'utf8'))) {
        const object = doc.toJS() as unknown;
        const fast = blockYaml(object);
        assert.ok(fast !== undefined, `${file}: the emitter gave up on ${JSON.stringify(object).slice(0, 80)}`);
        assert.equal(fast, stringify(object, OPTIONS), file);
      }
    }
  });

  it('gives up on what it does not write the same way', () => {
    for (const v of [{ a: 'line\nbreak' }, { a: [[1]] }, { a: "'single' and \"double\"" }, { a: 'ünï' }, { a: new Date(0) }, { a: -0 }, { a: 1e21 }]) {
      assert.equal(blockYaml(v), undefined, JSON.stringify(v));
    }
  });
});
