import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TRANSFORMER_PRESETS } from '../../../src/engine/config/charTransformer';
import { buildCharTransformerModel, transformerWeights } from '../../../src/engine/families/charTransformer/layer';
import { plainTransformerLogits, type TransformerWeights } from '../../../src/engine/families/charTransformer/model';
import { generateIds, sequenceLoss } from '../../../src/engine/families/charTransformer/train';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const cfg = { ...TRANSFORMER_PRESETS.tiny, width: 16, heads: 2, context: 12 };
const ids = (rows: number[][]) => tf.tensor2d(rows, [rows.length, rows[0].length], 'int32');

async function roundTrip(model: tf.LayersModel): Promise<{ loaded: tf.LayersModel; artifacts: tf.io.ModelArtifacts }> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
  return { loaded, artifacts: artifacts! };
}

describe('char-Transformer as a tfjs layer model', () => {
  it('saves in the layers format with its registered class and loads back to the same logits', async () => {
    const model = buildCharTransformerModel({ ...cfg, tied: false, dropout: 0.1 }, 9, 3);
    const { loaded, artifacts } = await roundTrip(model);
    const topology = JSON.stringify(artifacts.modelTopology);
    expect(topology).toContain('"class_name":"CharGpt"');
    expect(artifacts.weightSpecs!.map((s) => s.name)).toContain(`${model.layers[0].name}/h1.fc2.w`);
    const x = ids([
      [1, 2, 3, 4, 5, 6],
      [8, 7, 6, 5, 4, 3],
    ]);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(b.shape).toEqual([2, 6, 9]);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(transformerWeights(loaded).config).toEqual({ ...cfg, tied: false, dropout: 0.1 });
    tf.dispose([a, b, x]);
    model.dispose();
    loaded.dispose();
  });

  it('is causal through predict: a changed later character leaves earlier outputs unchanged', () => {
    const model = buildCharTransformerModel(cfg, 9, 4);
    const a = (model.predict(ids([[1, 2, 3, 4, 5, 6, 7]])) as tf.Tensor3D).arraySync()[0];
    const b = (model.predict(ids([[1, 2, 3, 4, 8, 8, 8]])) as tf.Tensor3D).arraySync()[0];
    for (let t = 0; t < 4; t++) b[t].forEach((v, j) => expect(v).toBeCloseTo(a[t][j], 5));
    expect(Math.abs(b[4][0] - a[4][0]) + Math.abs(b[4][1] - a[4][1])).toBeGreaterThan(1e-6);
    model.dispose();
  });

  it('gives the same gradients through model.apply as the plain-ops reference on copied variables', () => {
    const model = buildCharTransformerModel(cfg, 7, 5);
    const w = transformerWeights(model);
    const copies = new Map([...w.vars].map(([n, v]) => [n, tf.variable(v.clone(), true, `ref/${n}`)]));
    const ref: TransformerWeights = { config: w.config, vocab: w.vocab, vars: copies };
    const x = ids([[0, 1, 2, 3, 4, 5]]);
    const y = ids([[1, 2, 3, 4, 5, 6]]);
    const ours = tf.variableGrads(() => sequenceLoss(model.apply(x, { training: true }) as tf.Tensor3D, y), [...w.vars.values()]);
    const theirs = tf.variableGrads(() => sequenceLoss(plainTransformerLogits(ref, x), y), [...copies.values()]);
    expect(ours.value.dataSync()[0]).toBeCloseTo(theirs.value.dataSync()[0], 6);
    for (const name of ['wte', 'wpe', 'h0.attn.w', 'h1.fc2.w', 'lnf.g', 'head.b']) {
      const g = ours.grads[w.vars.get(name)!.name].dataSync();
      const r = theirs.grads[copies.get(name)!.name].dataSync();
      expect(g.length).toBe(r.length);
      let worst = 0;
      let scale = 0;
      g.forEach((v, i) => {
        worst = Math.max(worst, Math.abs(v - r[i]));
        scale = Math.max(scale, Math.abs(r[i]));
      });
      expect(scale).toBeGreaterThan(0);
      expect(worst).toBeLessThan(1e-6 + 1e-5 * scale);
    }
    tf.dispose([x, y, ours.value, theirs.value, ...Object.values(ours.grads), ...Object.values(theirs.grads), ...copies.values()]);
    model.dispose();
  });

  it('a loaded model generates the same text with and without the key/value cache for a fixed seed', async () => {
    const model = buildCharTransformerModel(cfg, 6, 8);
    const { loaded } = await roundTrip(model);
    const w = transformerWeights(loaded);
    const opts = { temperature: 1, topK: 0, seed: 42 };
    const cached = [...generateIds(w, [1, 2, 3], 20, { ...opts, useCache: true })];
    const plain = [...generateIds(w, [1, 2, 3], 20, { ...opts, useCache: false })];
    expect(cached).toEqual(plain);
    expect(new Set(cached).size).toBeGreaterThan(1);
    model.dispose();
    loaded.dispose();
  });
});
