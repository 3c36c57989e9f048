import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../../src/engine/kernels/stockFixes/wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCharLstm, charLogits, sequenceCrossEntropy, timeMajorTargets } from '../../../src/engine/families/charLstm/model';

const VOCAB = 11;

function windows(batch: number, span: number, seed: number): tf.Tensor2D {
  const ids = Array.from({ length: batch * span }, (_, i) => (i * 7 + seed * 3 + ((i * i) % 5)) % VOCAB);
  return tf.tensor2d(ids, [batch, span], 'int32');
}

/** Loss and gradients through tfjs's own LSTM layers (batch-major) and through charLogits (time-major, fused). */
function both(layers: number, batch: number, steps: number) {
  const model = buildCharLstm({ kind: 'charLstm', embedding: 5, layers, units: 6, dropout: 0.1, window: steps }, VOCAB, 3);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const w = windows(batch, steps + 1, layers);
  const x = w.slice([0, 0], [batch, steps]);
  const y = w.slice([0, 1], [batch, steps]);
  const reference = tf.variableGrads(() => sequenceCrossEntropy(model.apply(x, { training: false }) as tf.Tensor, y), vars);
  const fused = tf.variableGrads(() => sequenceCrossEntropy(charLogits(model, x, false), timeMajorTargets(y)), vars);
  return { model, x, reference, fused };
}

describe('fused LSTM sequence (charLogits)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu'); // importing the wasm backend made it the default
  });

  it("gives tfjs LSTM layers' logits, in time-major order", () => {
    const model = buildCharLstm({ kind: 'charLstm', embedding: 4, layers: 2, units: 8, dropout: 0, window: 5 }, VOCAB, 1);
    const x = windows(3, 5, 0);
    const ref = (model.apply(x, { training: false }) as tf.Tensor3D).arraySync();
    const fused = charLogits(model, x, false);
    expect(fused.shape).toEqual([5 * 3, VOCAB]);
    const rows = fused.arraySync();
    let worst = 0;
    for (let t = 0; t < 5; t++)
      for (let b = 0; b < 3; b++) for (let v = 0; v < VOCAB; v++) worst = Math.max(worst, Math.abs(rows[t * 3 + b]![v]! - ref[b]![t]![v]!));
    expect(worst).toBeLessThan(1e-5);
  });

  for (const layers of [1, 2]) {
    it(`matches autodiff through tfjs's LSTM for every weight (${layers} layer${layers > 1 ? 's' : ''})`, () => {
      const { model, reference, fused } = both(layers, 4, 6);
      expect(fused.value.dataSync()[0]).toBeCloseTo(reference.value.dataSync()[0]!, 5);
      const names = Object.keys(reference.grads);
      expect(Object.keys(fused.grads).sort()).toEqual(names.sort());
      for (const n of names) {
        const r = reference.grads[n]!.dataSync();
        const f = fused.grads[n]!.dataSync();
        const scale = Math.max(...Array.from(r, Math.abs));
        expect(scale).toBeGreaterThan(0);
        let worst = 0;
        for (let i = 0; i < r.length; i++) worst = Math.max(worst, Math.abs(r[i]! - f[i]!));
        expect(worst / scale, n).toBeLessThan(1e-4);
      }
      model.dispose();
    });
  }

  it('leaves no tensors behind after a gradient step', () => {
    const model = buildCharLstm({ kind: 'charLstm', embedding: 4, layers: 1, units: 8, dropout: 0, window: 5 }, VOCAB, 2);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const x = windows(2, 5, 1);
    const y = windows(2, 5, 2);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => sequenceCrossEntropy(charLogits(model, x, true), timeMajorTargets(y)), vars);
    expect(tf.memory().numTensors).toBe(before + 1 + vars.length); // the loss and one gradient per weight
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('gives the same loss and gradients on wasm (explicit transposes) as on cpu', async () => {
    registerWasmTrainingKernels();
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const { model, fused } = both(1, 3, 5);
      const out = [
        fused.value.dataSync()[0]!,
        ...Object.keys(fused.grads)
          .sort()
          .flatMap((n) => Array.from(fused.grads[n]!.dataSync())),
      ];
      model.dispose();
      return out;
    };
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    expect(wasm.length).toBe(cpu.length);
    expect(wasm.length).toBeGreaterThan(400);
    cpu.forEach((v, i) => expect(wasm[i]).toBeCloseTo(v, 4));
  });
});
