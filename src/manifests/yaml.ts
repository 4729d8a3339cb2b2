import { stringify } from 'yaml';
import type { KubeObject } from './types.js';
import { readsAsNonString, YAML_STRINGIFY_OPTIONS } from '../yaml-scalars.js';

/** Multi-document YAML, one object per document, byte-identical for identical objects. */
export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => `---\n${objectToYaml(o)}`).join('');
}

export function objectToYaml(object: KubeObject): string {
  return blockYaml(object) ?? stringify(object, YAML_STRINGIFY_OPTIONS);
}

/** A JSON List of the objects (kubectl apply -f accepts it). */
export function toJson(objects: readonly KubeObject[]): string {
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`;
}

// The yaml library takes about as long to warm up as the rest of `mdl render`, so the manifests, which
// are plain data, are written by this small emitter. It produces exactly what yaml's stringify with
// YAML_STRINGIFY_OPTIONS produces (a property test holds it to that) and gives up — undefined, and the
// library writes the object — on anything it does not handle the same way: multi-line or non-ASCII
// strings, strings that would need single quotes or escapes, sequences directly inside sequences,
// non-plain objects.
// Strings a YAML 1.1 reader (kubectl) would read as another type are quoted by both (src/yaml-scalars.ts).
/** Where a plain scalar is not allowed (yaml's plainString). */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/;
/** yaml writes longer keys as explicit `? key` entries. */
const MAX_IMPLICIT_KEY = 1024;

function stringScalar(value: string, isKey: boolean): string | undefined {
  if (!PRINTABLE_ASCII.test(value) || DOCUMENT_MARKER.test(value)) return undefined;
  if (isKey && value.length > MAX_IMPLICIT_KEY) return undefined;
  if (!NOT_PLAIN.test(value) && !readsAsNonString(value)) return value;
  // Double quotes, as yaml chooses them, and nothing inside that JSON and YAML would escape differently.
  return value.includes('"') || value.includes("'") || value.includes('\\') ? undefined : `"${value}"`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function definedEntries(map: Record<string, unknown>): [string, unknown][] {
  return Object.entries(map).filter(([, v]) => v !== undefined);
}

function isNonEmptyCollection(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : isPlainObject(value) && definedEntries(value).length > 0;
}

/** A scalar or an empty collection, written on the line of its key or dash. */
function inlineValue(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return String(value);
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) && !JSON.stringify(value).includes('e') ? JSON.stringify(value) : undefined;
    case 'string':
      return stringScalar(value, false);
    default:
      if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
      return isPlainObject(value) && definedEntries(value).length === 0 ? '{}' : undefined;
  }
}

/** The lines of a non-empty map or sequence at an indent; undefined when yaml must write it. */
function blockLines(value: unknown, indent: string, lines: string[]): boolean {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isPlainObject(item) && isNonEmptyCollection(item)) {
        const start = lines.length;
        if (!blockLines(item, `${indent}  `, lines)) return false;
        lines[start] = `${indent}- ${lines[start]!.slice(indent.length + 2)}`;
      } else {
        const text = item === undefined || isNonEmptyCollection(item) ? undefined : inlineValue(item);
        if (text === undefined) return false;
        lines.push(`${indent}- ${text}`);
      }
    }
    return true;
  }
  if (!isPlainObject(value)) return false;
  for (const [key, item] of definedEntries(value)) {
    const keyText = stringScalar(key, true);
    if (keyText === undefined) return false;
    if (isNonEmptyCollection(item)) {
      lines.push(`${indent}${keyText}:`);
      if (!blockLines(item, `${indent}  `, lines)) return false;
    } else {
      const text = inlineValue(item);
      if (text === undefined) return false;
      lines.push(`${indent}${keyText}: ${text}`);
    }
  }
  return true;
}

/** One YAML document for a plain-data value, or undefined when only the yaml library writes it identically. */
export function blockYaml(value: unknown): string | undefined {
  if (!isNonEmptyCollection(value)) {
    const text = inlineValue(value);
    return text === undefined || typeof value === 'string' ? undefined : `${text}\n`;
  }
  const lines: string[] = [];
  return blockLines(value, '', lines) ? `${lines.join('\n')}\n` : undefined;
}
