/**
 * What mdl writes as YAML reads back unchanged in a YAML 1.1 reader (kubectl's, Argo CD's, Flux's): every
 * rendered spec — the goldens, the examples and the adversarial test/fixtures/yaml11 — decoded with the
 * yaml library as YAML 1.1 gives the very objects that were rendered. The real kubectl reads the same
 * documents in test/cluster/kubectl-yaml.test.ts.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { objectToYaml } from '../../../src/manifests/yaml.js';
import { readsAsNonString, YAML_STRINGIFY_OPTIONS } from '../../../src/yaml-scalars.js';
import { renderInitTemplate } from '../../../src/spec/init.js';
import { writeScaling } from '../../../src/tune/write-back.js';
import { renderedSpecs } from '../../support/rendered-specs.js';

/** Strings a YAML 1.1 reader takes for booleans, numbers, nulls, dates or merge keys when written plain. */
const YAML11_TRAPS = [
  'y', 'Y', 'n', 'N', 'yes', 'Yes', 'YES', 'no', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'true', 'True', 'TRUE', 'false', 'FALSE',
  '~', 'null', 'Null', 'NULL', '', '1_000', '-1_000', '+12', '012', '0o17', '0x1F', '0x_1F', '0b101', '0b1_0', '1:20', '-1:20', '190:20:30.15',
  '.inf', '-.inf', '+.INF', '.nan', '.NaN', '1e3', '1.5', '.5', '6.8523015e+5', '685_230.15', '2001-12-14', '2001-12-14t21:59:43.10-05:00',
  '2001-12-14 21:59:43.10 -5', '2002-12-14T21:59:43.10Z', '<<',
];

function read11(text: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1' }).map((d) => {
    assert.deepEqual(d.errors, [], text);
    return d.toJS();
  });
}

describe('YAML for YAML 1.1 readers', () => {
  it('every rendered spec reads back, as YAML 1.1, as exactly the objects rendered', async () => {
    const rendered = await renderedSpecs();
    assert.ok(rendered.length >= 16, `only ${rendered.length} rendered specs`);
    for (const r of rendered) assert.deepEqual(read11(r.yaml), r.objects, r.label);
  });

  it('the adversarial spec (name y, env on/yes/1_000/0o17/…) is in that set and is quoted where 1.1 needs it', async () => {
    const adversarial = (await renderedSpecs()).find((r) => r.label.startsWith('test/fixtures/yaml11'));
    assert.ok(adversarial);
    assert.match(adversarial.yaml, /^ {4}app\.kubernetes\.io\/name: "y"$/m);
    for (const v of ['on', 'yes', '1_000', '0o17', '012', '1:20', '2001-12-14', '~']) assert.match(adversarial.yaml, new RegExp(`value: "${v}"$`, 'm'), v);
    // Decoded by the 1.1 reader, the env values are the strings of the spec, the number and boolean as text.
    const deployment = read11(adversarial.yaml).find((o) => (o as { kind: string }).kind === 'Deployment') as { spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value: unknown }> }> } } } };
    const env = Object.fromEntries(deployment.spec.template.spec.containers[0]!.env.map((e) => [e.name, e.value]));
    assert.equal(env.ON, 'on');
    assert.equal(env.THOUSAND, '1_000');
    assert.equal(env.SEXAGESIMAL, '1:20');
    assert.equal(env.DATE, '2001-12-14');
    assert.equal(env.TILDE, '~');
    assert.equal(env.NUMBER, '8080');
    assert.equal(env.FLAG, 'true');
  });

  it('each trap, as a key and as a value, survives a 1.1 round trip through both writers', () => {
    for (const s of YAML11_TRAPS) {
      assert.ok(readsAsNonString(s), `not recognised: ${JSON.stringify(s)}`);
      const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { [s || 'empty']: s, list: [s] } };
      assert.deepEqual(parse(objectToYaml(object), { version: '1.1' }), object, s);
      assert.deepEqual(parse(stringify(object, YAML_STRINGIFY_OPTIONS), { version: '1.1' }), object, s);
    }
  });

  it('any short string of number and boolean characters survives a 1.1 round trip', () => {
    const alphabet = fc.constantFrom(...'0123456789_.:-+eExXoObBnNyYtTfFaAlLsSuU~<=iI '.split(''));
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 8 }), (s) => {
        const object = { data: { k: s, [s || 'k2']: 'v' } };
        assert.deepEqual(parse(objectToYaml(object as never), { version: '1.1' }), object);
      }),
      { numRuns: 3000 },
    );
  });

  it('spec write-back quotes a string a 1.1 reader would misread, and leaves the user’s lines alone', () => {
    const text = 'name: m\nflag: on  # the user’s own plain on\nscaling:\n  minReplicas: 1\n';
    const out = writeScaling(text, { metric: { type: 'on' }, minReplicas: 2 }, 'mdl.config.yaml');
    assert.match(out.text, /^ {4}type: "on"$/m);
    assert.match(out.text, /^flag: on {2}# the user’s own plain on$/m);
    assert.deepEqual(parse(out.text, { version: '1.1' }).scaling, { minReplicas: 2, metric: { type: 'on' } });
  });

  it('mdl init quotes a name or image that a reader would take for another type (a folder named null or y)', () => {
    for (const name of ['null', 'y', 'no', 'on']) {
      const text = renderInitTemplate('http', name, 'registry.example.com/m:on', '.mdl/schema.json');
      const doc = parse(text, { version: '1.1' }) as { name: unknown; image: unknown };
      assert.equal(doc.name, name);
      assert.equal((parse(text) as { name: unknown }).name, name, 'and mdl (YAML 1.2) reads it as the same string');
    }
  });
});
