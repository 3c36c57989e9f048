import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { orthonormalColumns, SeededOrthogonal } from '../../../src/engine/models/orthogonal';
import { mulberry32 } from '../../../src/engine/data/random';
import { buildCharLstm } from '../../../src/engine/families/charLstm/model';
import { CharLstmConfig } from '../../../src/engine/config/charModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** max |G - I| for G the Gram matrix of the shorter side of w reshaped to [rows, cols]. */
function orthogonalityError(w: tf.Tensor): number {
  return tf.tidy(() => {
    const cols = w.shape[w.shape.length - 1]!;
    const r = w.reshape([-1, cols]) as tf.Tensor2D;
    const gram = r.shape[0] < cols ? tf.matMul(r, r, false, true) : tf.matMul(r, r, true, false);
    return tf.sub(gram, tf.eye(gram.shape[0])).abs().max().dataSync()[0];
  });
}

describe('seeded orthogonal initialiser', () => {
  it('gives orthonormal rows (wide) or columns (tall), for 2D and 4D shapes, scaled by the gain', () => {
    for (const shape of [
      [16, 64],
      [64, 16],
      [128, 512],
      [3, 3, 4, 8],
      [5, 5],
    ]) {
      const w = new SeededOrthogonal({ seed: 3 }).apply(shape);
      expect(w.shape).toEqual(shape);
      expect(orthogonalityError(w)).toBeLessThan(1e-5);
      w.dispose();
    }
    const w = new SeededOrthogonal({ seed: 3, gain: 2 }).apply([8, 32]);
    expect(orthogonalityError(tf.div(w, 2))).toBeLessThan(1e-5);
    expect(orthogonalityError(w)).toBeGreaterThan(1); // rows of length 2
  });

  it('repeats for a seed and differs between seeds; the columns are of a Gaussian matrix, not a fixed basis', () => {
    const a = new SeededOrthogonal({ seed: 7 }).apply([16, 64]).dataSync();
    const b = new SeededOrthogonal({ seed: 7 }).apply([16, 64]).dataSync();
    const c = new SeededOrthogonal({ seed: 8 }).apply([16, 64]).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    // Gram-Schmidt keeps the first column's direction: a standard-normal vector's, so its entries spread both ways
    const first = orthonormalColumns(256, 4, 1)[0];
    expect(first.filter((v) => v > 0).length).toBeGreaterThan(100);
    expect(first.filter((v) => v < 0).length).toBeGreaterThan(100);
    expect(first.reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 10);
  });

  it('orthogonalises eight columns at a time with exactly the numbers of column-by-column modified Gram-Schmidt', () => {
    // the reference: the same seeded normals, each column against every earlier q_k in turn, then normalised
    const [m, n] = [50, 21]; // two whole blocks of 8 and a part block of 5
    const reference = orthonormalColumns(m, n, 11).map(() => new Float64Array(m));
    const random = mulberry32(11);
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    for (const col of reference) for (let i = 0; i < m; i++) col[i] = normal();
    reference.forEach((v, j) => {
      for (let k = 0; k < j; k++) {
        const q = reference[k]!;
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[i]! * v[i]!;
        for (let i = 0; i < m; i++) v[i]! -= dot * q[i]!;
      }
      const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
      for (let i = 0; i < m; i++) v[i]! /= norm;
    });
    const blocked = orthonormalColumns(m, n, 11);
    expect(blocked.map((c) => Array.from(c))).toEqual(reference.map((c) => Array.from(c)));
  });

  it("is saved as tfjs's Orthogonal with its config, so the model JSON reads back in plain tfjs", async () => {
    const config: CharLstmConfig = { kind: 'charLstm', embedding: 4, layers: 1, units: 6, dropout: 0, window: 4 };
    const model = buildCharLstm(config, 10, 5);
    const lstmConfig = model.layers[1].getConfig() as unknown as { recurrentInitializer: unknown };
    expect(lstmConfig.recurrentInitializer).toEqual({ className: 'Orthogonal', config: { gain: 1, seed: 7 } });
    const copy = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] });
    expect(copy.layers[1].getClassName()).toBe('LSTM');
    // the recurrent kernel [units, 4 units] has orthonormal rows
    expect(orthogonalityError(model.layers[1].getWeights()[1])).toBeLessThan(1e-5);
    model.dispose();
    copy.dispose();
  });

  it("builds a char-LSTM with a handful of kernels (tfjs's QR ran hundreds, one shader each on WebGPU)", async () => {
    const config: CharLstmConfig = { kind: 'charLstm', embedding: 8, layers: 2, units: 32, dropout: 0, window: 4 };
    let model: tf.LayersModel | undefined;
    // tf.profile returns one shared record each time: read the count before profiling again
    const ours = (
      await tf.profile(() => {
        model = buildCharLstm(config, 20, 1);
      })
    ).kernels.length;
    model!.dispose();
    let plain: tf.Tensor | undefined;
    const theirs = (
      await tf.profile(() => {
        plain = tf.initializers.orthogonal({ seed: 1 }).apply([32, 128]);
      })
    ).kernels.length;
    plain!.dispose();
    expect(theirs).toBeGreaterThan(100);
    expect(ours).toBeLessThan(40);
  });
});
