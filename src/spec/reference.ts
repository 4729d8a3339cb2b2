/**
 * The README's spec reference, generated from the JSON Schema (itself generated from the zod schema),
 * so the documentation cannot drift from what the loader accepts.
 */
import { specJsonSchema } from './json-schema.js';
import { RUNTIMES } from './schema.js';

export const REFERENCE_START = '<!-- spec-reference:start -->';
export const REFERENCE_END = '<!-- spec-reference:end -->';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  'x-mdl-type'?: string;
}

function typeLabel(s: JsonSchema): string {
  if (s['x-mdl-type']) return s['x-mdl-type'];
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (s.anyOf) return [...new Set(s.anyOf.map(typeLabel))].join(' \\| ');
  if (s.type === 'array') return `list of ${s.items ? typeLabel(s.items) : 'values'}`;
  if (s.type === 'object') {
    if (s.properties) return 'mapping';
    return s.additionalProperties && typeof s.additionalProperties === 'object' ? `map of ${typeLabel(s.additionalProperties)}` : 'mapping';
  }
  if (s.type === 'integer') {
    // zod writes the safe-integer bounds on every int; only real bounds are worth showing.
    const max = s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? s.maximum : undefined;
    const min = s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : s.minimum !== undefined && s.minimum > Number.MIN_SAFE_INTEGER ? s.minimum : undefined;
    if (min !== undefined && max !== undefined) return `integer ${min}–${max}`;
    if (min !== undefined) return `integer ≥ ${min}`;
    return 'integer';
  }
  return Array.isArray(s.type) ? s.type.join(' \\| ') : (s.type ?? 'any');
}

const escape = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function rows(schema: JsonSchema, prefix: string, out: string[]): void {
  const required = new Set(schema.required ?? []);
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (key === '$schema') continue;
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(`| \`${path}\` | ${typeLabel(child)} | ${required.has(key) ? 'yes' : ''} | ${escape(child.description ?? '')} |`);
    if (child.properties) rows(child, path, out);
    else if (child.type === 'array' && child.items?.properties) rows(child.items, `${path}[]`, out);
    else if (child.type === 'object' && typeof child.additionalProperties === 'object' && child.additionalProperties.properties) {
      rows(child.additionalProperties, `${path}.<name>`, out);
    }
  }
}

/** The markdown that goes between the spec-reference markers of README.md. */
export function specReferenceMarkdown(): string {
  const schema = specJsonSchema() as JsonSchema;
  const out: string[] = [
    '## Spec reference',
    '',
    '<!-- Generated from the zod schema in src/spec/schema.ts by `npm run docs:spec`; do not edit by hand. -->',
    '',
    'The spec lives in `mdl.config.yaml` (or `.yml`, `.json`, `.js`, `.mjs`, `.ts`, `.mdlrc*`, or the `mdl` key of',
    '`package.json`), found upward from the current folder or named with `--config`. `mdl schema` prints the',
    'JSON Schema for editors. Units are explicit: a *duration* is `300ms`, `30s`, `5m` or `1h30m`; a *rate* is',
    '`20rps`, `20/s` or `1200/min`; a *percentage* is `1%`; a *quantity* is a Kubernetes quantity (`500m`, `4Gi`).',
    `A runtime preset (\`runtime:\` ${RUNTIMES.map((r) => `\`${r}\``).join(', ')}) supplies the defaults; the spec overrides them.`,
    'An environment overlay (`environments.<name>`, chosen with `--env`) is merged over the base: mappings merge,',
    'lists replace, `null` removes a key.',
    '',
    '| key | type | required | description |',
    '| --- | --- | --- | --- |',
  ];
  rows(schema, '', out);
  return `${out.join('\n')}\n`;
}

/** README text with the section between the markers replaced (markers appended when absent). */
export function replaceReference(readme: string, section: string): string {
  const block = `${REFERENCE_START}\n${section}${REFERENCE_END}`;
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) return `${readme.trimEnd()}\n\n${block}\n`;
  return readme.slice(0, start) + block + readme.slice(end + REFERENCE_END.length);
}
