/**
 * The model spec: schema (the single source of truth), loading, environment overlays, runtime presets,
 * resolution of human units. Other areas import from here only.
 */
export { loadSpec, displayPath, findSpecFile, readSpecFile, resolveRaw, parseSpecText, SPEC_FILE_NAMES, SpecNotFoundError, isSpecNotFound } from './load.js';
export type { LoadSpecOptions, LoadedSpec, SpecSource } from './load.js';
export { SpecSchema, RUNTIMES, METRIC_TYPES, PROTOCOLS, KNOWN_TOP_LEVEL_KEYS } from './schema.js';
export type { SpecInput, SpecParsed } from './schema.js';
export { loadPreset, templatesDir, GENERIC_METRICS } from './presets.js';
export type { RuntimePreset, PresetMetric } from './presets.js';
export { DEFAULT_GPU_RESOURCE, DEFAULT_KEDA_SERVER, imageVersion } from './resolve.js';
export { deepMerge } from './merge.js';
export { specJsonSchema, SCHEMA_ID } from './json-schema.js';
export type * from './types.js';
