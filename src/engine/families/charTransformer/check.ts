import * as tf from '@tensorflow/tfjs';
import type { TransformerCheck } from '../../config/diagnostics';
import { TRANSFORMER_PRESETS } from '../../config/charTransformer';
import { mulberry32 } from '../../data/random';
import { ownMatMulChosen } from '../../kernels/matmul/shared';
import { CAUSAL_SOFTMAX, COLUMN_SUM, GELU, LAYER_NORM, OWN_BATCH_MATMUL } from '../../kernels/names';
import { buildCharTransformer, disposeTransformer } from './layer';
import { type DropoutSource, plainTransformerLogits, transformerLogits, type TransformerWeights } from './model';
import { sequenceLoss } from './train';

function dropSource(seed: number, rate: number): DropoutSource {
  const r = mulberry32(seed);
  return { rate, seed: () => Math.floor(r() * 2 ** 31) };
}

/**
 * The fused training path (fused.ts, with whatever kernels the active backend has) against the plain-ops model and
 * tfjs's autodiff on copies of the same weights: loss and every weight's gradient, with dropout `rate` (same draws).
 * Small odd sizes by default (3 heads of 4, context 7, batch 3). The unit tests run it on cpu and wasm, the
 * end-to-end tests in the page on WebGPU and WebGL, where layer norm, GELU and the causal softmax are shaders.
 */
export function checkFusedTransformer(rate = 0, width = 12, heads = 3, context = 7, vocab = 9, batch = 3): TransformerCheck {
  const config = { ...TRANSFORMER_PRESETS.tiny, layers: 2, width, heads, context, dropout: rate, tied: true };
  const w = buildCharTransformer(config, vocab, 3);
  const copies = new Map([...w.vars].map(([n, v]) => [n, tf.variable(v.clone(), true, `plain/${n}`)]));
  const ref: TransformerWeights = { config: w.config, vocab: w.vocab, vars: copies };
  const before = tf.memory().numTensors;
  const rand = mulberry32(7);
  const ids = Array.from({ length: batch * (context + 1) }, () => Math.floor(rand() * vocab));
  const all = tf.tensor2d(ids, [batch, context + 1], 'int32');
  const x = all.slice([0, 0], [batch, context]);
  const y = all.slice([0, 1], [batch, context]);
  const fused = tf.variableGrads(() => sequenceLoss(transformerLogits(w, x, dropSource(5, rate)), y), [...w.vars.values()]);
  const plain = tf.variableGrads(() => sequenceLoss(plainTransformerLogits(ref, x, dropSource(5, rate)), y), [...copies.values()]);
  const gradients: Record<string, number> = {};
  for (const [name, v] of w.vars) {
    const f = fused.grads[v.name]!.dataSync();
    const p = plain.grads[copies.get(name)!.name]!.dataSync();
    const scale = Math.max(...Array.from(p, Math.abs));
    let diff = 0;
    for (let i = 0; i < p.length; i++) diff = Math.max(diff, Math.abs(f[i]! - p[i]!));
    gradients[name] = scale > 0 ? diff / scale : diff;
  }
  const losses: [number, number] = [fused.value.dataSync()[0]!, plain.value.dataSync()[0]!];
  tf.dispose([all, x, y, fused.value, plain.value, ...Object.values(fused.grads), ...Object.values(plain.grads)]);
  const tensorsLeft = tf.memory().numTensors - before;
  tf.dispose([...copies.values()]);
  disposeTransformer(w);
  const has = (k: string) => tf.getKernel(k, tf.getBackend()) !== undefined;
  // our batched matmul (where registered, chosen or not) against tf.matMul, every transpose case, odd sizes
  let batchMatMulError: number | null = null;
  if (has(OWN_BATCH_MATMUL))
    for (const [ta, tb] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      const e = tf.tidy(() => {
        const a = tf.randomNormal(ta ? [3, 5, 7] : [3, 7, 5], 0, 1, 'float32', 1) as tf.Tensor3D;
        const b = tf.randomNormal(tb ? [3, 6, 5] : [3, 5, 6], 0, 1, 'float32', 2) as tf.Tensor3D;
        const ours = tf.engine().runKernel(OWN_BATCH_MATMUL, { A: a, B: b }, { transposeA: ta, transposeB: tb }) as tf.Tensor;
        const want = tf.matMul(a, b, ta, tb);
        return tf.div(tf.max(tf.abs(tf.sub(ours, want))), tf.max(tf.abs(want))).dataSync()[0]!;
      });
      batchMatMulError = Math.max(batchMatMulError ?? 0, e);
    }
  return {
    backend: tf.getBackend(),
    kernels: {
      layerNorm: has(LAYER_NORM),
      gelu: has(GELU),
      causalSoftmax: has(CAUSAL_SOFTMAX),
      columnSum: has(COLUMN_SUM),
      batchMatMul: has(OWN_BATCH_MATMUL) && ownMatMulChosen(),
    },
    losses,
    gradients,
    batchMatMulError,
    tensorsLeft,
  };
}
