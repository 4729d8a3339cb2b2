/**
 * Property: whatever a user writes, the loader returns a spec or a clean MdlError (exit 2, a message,
 * no stack) — never another exception. And every spec it accepts renders manifests that pass the
 * Kubernetes and KEDA schemas.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { MdlError } from '../../../src/errors.js';
import { renderManifests, validateManifests } from '../../../src/manifests/index.js';
import { parseSpecText, resolveRaw } from '../../../src/spec/index.js';

const SPECS = join(import.meta.dirname, '../../fixtures/golden/specs');
const seeds = readdirSync(SPECS)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => readFileSync(join(SPECS, f), 'utf8'));
seeds.push(readFileSync(join(import.meta.dirname, '../../../examples/sentiment/mdl.config.yaml'), 'utf8'));

type Json = unknown;
type Path = (string | number)[];

function paths(value: Json, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function setAt(root: Json, path: Path, fn: (parent: Record<string | number, Json>, key: string | number) => void): Json {
  const copy = structuredClone(root);
  if (path.length === 0) return copy;
  let node = copy as Record<string | number, Json>;
  for (const p of path.slice(0, -1)) node = node[p] as Record<string | number, Json>;
  fn(node, path.at(-1)!);
  return copy;
}

const scalar = fc.oneof(
  fc.constantFrom('300ms', '5m', '1%', '20rps', '4Gi', '500m', '0', '-1', '', 'keda', 'hpa', 'cpu', 'queue', '{port}', '70%', '1e3', 'null'),
  fc.integer({ min: -5, max: 100 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
);
const value: fc.Arbitrary<Json> = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 3 }));

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), pick: fc.nat(), key: fc.constantFrom('minReplicas', 'engine', 'gpu', 'typo', 'env', 'p95', 'metric', 'keda', 'period'), value }),
  fc.record({ kind: fc.constant('text' as const), at: fc.nat(), cut: fc.nat({ max: 6 }), insert: fc.constantFrom('', ':', ' ', '\n', '- ', '{', '"', '\t', '&a', '*a', '!!binary ') }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(seed: string, ms: Mutation[]): string {
  let obj: Json = parseSpecText(seed, 'seed.yaml');
  let text: string | undefined;
  for (const m of ms) {
    if (m.kind === 'text') {
      const t = text ?? stringify(obj);
      const at = m.at % (t.length + 1);
      text = t.slice(0, at) + m.insert + t.slice(at + m.cut);
      continue;
    }
    const all = paths(obj);
    const path = all[m.pick % all.length]!;
    if (m.kind === 'replace') obj = path.length === 0 ? m.value : setAt(obj, path, (p, k) => (p[k] = m.value));
    else if (m.kind === 'delete') obj = setAt(obj, path, (p, k) => (Array.isArray(p) ? p.splice(Number(k), 1) : delete p[k]));
    else {
      obj = setAt(obj, path, (p, k) => {
        const target = p[k];
        if (target && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, Json>)[m.key] = m.value;
      });
    }
    text = undefined;
  }
  return text ?? stringify(obj);
}

describe('spec loader under mutation (property)', () => {
  it('returns a spec with valid manifests, or a clean MdlError, for any mutated spec', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.option(fc.constantFrom('prod', 'staging', 'nope')), async (seedIndex, ms, env) => {
        const text = mutate(seeds[seedIndex]!, ms);
        let spec;
        try {
          const raw = parseSpecText(text, 'mdl.config.yaml');
          spec = resolveRaw(raw, { filepath: '/specs/mdl.config.yaml', env: env ?? undefined, source: { filepath: 'mdl.config.yaml', prefix: [], text } });
        } catch (error) {
          if (!(error instanceof MdlError)) {
            throw new Error(`non-MdlError for spec:\n${text}\n${error instanceof Error ? error.stack : String(error)}`);
          }
          assert.equal(error.exitCode, 2);
          assert.ok(error.message.length > 0);
          assert.doesNotMatch(error.message, /\n\s+at .*:\d+:\d+\)?$/m, 'no stack frames in the message');
          return;
        }
        assert.equal(typeof spec.name, 'string');
        assert.ok(spec.scaling.minReplicas <= spec.scaling.maxReplicas);
        // A spec without an image is valid for `mdl dev`; render refuses it (test/e2e) before rendering.
        if (spec.image !== undefined) await validateManifests(renderManifests(spec));
      }),
      { numRuns: 300, seed: Number(process.env.FC_SEED ?? 4242) },
    );
  });
});
