/**
 * Plain scalars that a YAML reader may take for something other than a string. What mdl writes is read by
 * kubectl, Argo CD and Flux, whose parser (sigs.k8s.io/yaml over go-yaml v2) follows YAML 1.1 and Go's
 * number syntax, not the YAML 1.2 core schema that the yaml library reads: `y`, `on`, `1_000`, `012`,
 * `0X1F`, `1:20` and `2001-12-14` are strings in 1.2 but a boolean, numbers and a timestamp there. Every
 * YAML writer in mdl quotes a string that matches one of these (generous: quoting is always safe).
 */
import type { ScalarTag } from 'yaml';

export const NON_STRING_PLAIN_SCALARS: readonly RegExp[] = [
  // Booleans: YAML 1.1's y/n/yes/no/on/off, and true/false, in any case.
  /^(?:y|n|yes|no|on|off|true|false)$/i,
  // Null: ~, null in any case, and the empty scalar.
  /^(?:~|null)?$/i,
  // Integers and floats: YAML 1.2 and 1.1 forms, and what Go's ParseInt(s, 0)/ParseFloat accept once
  // go-yaml v2 has removed the underscores (0x/0X, 0o/0O, 0b/0B, leading-zero octal, 1_000, .5, 1e3).
  /^[-+]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]*(?:[eE][-+]?[0-9]+)?)$/,
  // YAML 1.1's exponent form as the yaml library reads it, digits before the exponent optional (e5, .E0).
  /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
  // YAML 1.1's base-60 integers and floats: 1:20, 190:20:30.15.
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/,
  // Infinity and not-a-number, any case, signed or not.
  /^[-+]?\.(?:inf|nan)$/i,
  // YAML 1.1 timestamps: a date, alone or followed by a time.
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:$|[Tt \t])/,
  // YAML 1.1's merge key and value key.
  /^(?:<<|=)$/,
];

/** True when some YAML reader would not read `value`, written plain, back as this string. */
export function readsAsNonString(value: string): boolean {
  return NON_STRING_PLAIN_SCALARS.some((re) => re.test(value));
}

/**
 * The same list in the form the yaml library's `compat` option takes: when stringifying, it quotes a
 * string that any of these tags would resolve (they are never used to parse).
 */
export const YAML11_COMPAT_TAGS: ScalarTag[] = NON_STRING_PLAIN_SCALARS.map((test, i) => ({
  tag: `tag:mdl.local,2026:non-string-${i}`,
  default: true,
  test,
  resolve: (source: string) => source,
}));

/** Options for every yaml stringify in mdl: block style, no line folding, no anchors, 1.1-safe strings. */
export const YAML_STRINGIFY_OPTIONS = { lineWidth: 0, indent: 2, aliasDuplicateObjects: false, compat: YAML11_COMPAT_TAGS } as const;
