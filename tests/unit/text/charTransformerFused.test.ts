import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { TRANSFORMER_PRESETS, weightLayout } from '../../../src/engine/config/charTransformer';
import { checkFusedTransformer } from '../../../src/engine/families/charTransformer/check';
import { buildCharTransformer, disposeTransformer } from '../../../src/engine/families/charTransformer/layer';
import { transformerLogits } from '../../../src/engine/families/charTransformer/model';
import { registerKernels } from '../../../src/engine/kernels/registry';

const cfg = { ...TRANSFORMER_PRESETS.tiny, context: 8, width: 16, heads: 4, layers: 2, tied: true };
const VOCAB = 9;

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('fused char-Transformer (customGrad layer norm, GELU, attention, dense)', () => {
  for (const backend of ['cpu', 'wasm']) {
    it(`gives the plain-ops loss and autodiff gradients for every weight, with and without dropout (${backend})`, async () => {
      registerKernels(); // the page's kernels: our cpu matmul, wasm's training fixes
      await tf.setBackend(backend);
      for (const rate of [0, 0.2]) {
        const r = checkFusedTransformer(rate, 16, 4, 8);
        expect(r.tensorsLeft).toBe(0);
        expect(r.losses[0]).toBeCloseTo(r.losses[1], 5);
        expect(Object.keys(r.gradients).sort()).toEqual(
          weightLayout(cfg, VOCAB)
            .map(([n]) => n)
            .sort(),
        );
        for (const [name, e] of Object.entries(r.gradients)) expect(e, `${name}, dropout ${rate}`).toBeLessThan(1e-4);
        expect(r.kernels.layerNorm).toBe(backend === 'cpu'); // our row loops on cpu; tf ops on wasm
      }
    });
  }

  it('lets no position see a later one (a changed future character leaves earlier logits as they were)', async () => {
    await tf.setBackend('cpu');
    const w = buildCharTransformer(cfg, VOCAB, 4);
    const run = (row: number[]) => tf.tidy(() => transformerLogits(w, tf.tensor2d([row], [1, 8], 'int32')).arraySync()[0]!);
    const a = run([1, 2, 3, 4, 5, 6, 7, 8]);
    const b = run([1, 2, 3, 4, 0, 0, 0, 0]);
    for (let t = 0; t < 4; t++) for (let v = 0; v < VOCAB; v++) expect(b[t]![v]).toBeCloseTo(a[t]![v]!, 6);
    expect(Math.abs(b[4]![0]! - a[4]![0]!)).toBeGreaterThan(1e-6);
    disposeTransformer(w);
  });
});
