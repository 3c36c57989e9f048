import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { TRANSFORMER_PRESETS } from '../../../src/engine/config/charTransformer';
import { mulberry32 } from '../../../src/engine/data/random';
import { buildCharTransformer, disposeTransformer } from '../../../src/engine/families/charTransformer/layer';
import {
  type DropoutSource,
  plainTransformerLogits,
  transformerLogits,
  type TransformerWeights,
} from '../../../src/engine/families/charTransformer/model';
import { sequenceLoss } from '../../../src/engine/families/charTransformer/train';
import { registerKernels } from '../../../src/engine/kernels/registry';

const cfg = { ...TRANSFORMER_PRESETS.tiny, context: 8, width: 16, heads: 4, layers: 2, tied: true };
const VOCAB = 9;

function source(seed: number, rate: number): DropoutSource {
  const r = mulberry32(seed);
  return { rate, seed: () => Math.floor(r() * 2 ** 31) };
}

/** Loss and gradients of the fused model and of the plain-ops model (autodiff) on copies of the same weights. */
function both(rate: number) {
  const w = buildCharTransformer({ ...cfg, dropout: rate }, VOCAB, 3);
  const copies = new Map([...w.vars].map(([n, v]) => [n, tf.variable(v.clone(), true, `plain/${n}`)]));
  const ref: TransformerWeights = { config: w.config, vocab: w.vocab, vars: copies };
  const before = tf.memory().numTensors;
  const rand = mulberry32(7);
  const ids = Array.from({ length: 3 * 9 }, () => Math.floor(rand() * VOCAB));
  const all = tf.tensor2d(ids, [3, 9], 'int32');
  const x = all.slice([0, 0], [3, 8]);
  const y = all.slice([0, 1], [3, 8]);
  const fused = tf.variableGrads(() => sequenceLoss(transformerLogits(w, x, source(5, rate)), y), [...w.vars.values()]);
  const plain = tf.variableGrads(() => sequenceLoss(plainTransformerLogits(ref, x, source(5, rate)), y), [...copies.values()]);
  const worst: Record<string, number> = {};
  for (const [name, v] of w.vars) {
    const f = fused.grads[v.name]!.dataSync();
    const p = plain.grads[copies.get(name)!.name]!.dataSync();
    const scale = Math.max(...Array.from(p, Math.abs));
    let diff = 0;
    for (let i = 0; i < p.length; i++) diff = Math.max(diff, Math.abs(f[i]! - p[i]!));
    worst[name] = scale > 0 ? diff / scale : diff;
  }
  const losses = [fused.value.dataSync()[0]!, plain.value.dataSync()[0]!];
  tf.dispose([all, x, y, fused.value, plain.value, ...Object.values(fused.grads), ...Object.values(plain.grads)]);
  const leaked = tf.memory().numTensors - before;
  const names = [...w.vars.keys()];
  tf.dispose([...copies.values()]);
  disposeTransformer(w);
  return { losses, worst, leaked, names };
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('fused char-Transformer (customGrad layer norm, GELU, attention, dense)', () => {
  for (const backend of ['cpu', 'wasm']) {
    it(`gives the plain-ops loss and autodiff gradients for every weight, with and without dropout (${backend})`, async () => {
      registerKernels(); // the page's kernels: our cpu matmul, wasm's training fixes
      await tf.setBackend(backend);
      for (const rate of [0, 0.2]) {
        const { losses, worst, leaked, names } = both(rate);
        expect(leaked).toBe(0);
        expect(losses[0]).toBeCloseTo(losses[1]!, 5);
        expect(Object.keys(worst).sort()).toEqual([...names].sort());
        for (const name of names) expect(worst[name], `${name}, dropout ${rate}`).toBeLessThan(1e-4);
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
