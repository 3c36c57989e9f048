import * as tf from '@tensorflow/tfjs';
import { affine, matMulT } from '../../models/affine';
import { CELL_C, CELL_DC, CELL_DZ, CELL_H } from '../../kernels/names';
import { hasCellKernels, runCell } from '../../kernels/lstmCell/shared';
import { concatRows, hasConcatKernel } from '../../kernels/concat/webgl';

/**
 * One LSTM layer over a whole window, time-major, with a hand-written backward pass (BPTT).
 *
 * Why: tfjs-layers' LSTM runs about 20 ops per time step forward and lets autodiff build about 40 more
 * backward, including two gradient matmuls per step for the weights. Here the input projection of every
 * step is one matmul before the loop, each step runs one matmul plus a few elementwise ops, and the
 * backward pass runs one matmul per step, leaving the recurrent kernel's gradient to a single
 * [U, T*B] x [T*B, 4U] matmul after the loop. Same arithmetic as tfjs's LSTMCell (gate order i, f, g, o):
 *   z = x K + h R + b;  i, f, o = sigmoid(z_i, z_f, z_o);  g = tanh(z_g);  c' = f c + i g;  h' = o tanh(c')
 */

/** Multiplies the g columns by 2 so that one sigmoid serves every gate: tanh(x) = 2 sigmoid(2x) - 1. */
function gateScale(units: number): tf.Tensor1D {
  const s = new Float32Array(4 * units).fill(1);
  s.fill(2, 2 * units, 3 * units);
  return tf.tensor1d(s);
}

/** The four gate blocks of [B, 4U] as slices (tfjs's cpu SplitV copies element by element; see cpuKernels). */
function gates(s: tf.Tensor2D, units: number): tf.Tensor2D[] {
  const rows = s.shape[0];
  return [0, 1, 2, 3].map((k) => tf.slice(s, [0, k * units], [rows, units]));
}

/** [T*B, N] cut into T blocks of B rows, as Slice ops (WASM's and cpu's SplitV bypass the registered Slice). */
function rowBlocks(x: tf.Tensor2D, steps: number): tf.Tensor2D[] {
  const [rows, cols] = x.shape;
  const b = rows / steps;
  return Array.from({ length: steps }, (_, t) => tf.slice(x, [t * b, 0], [b, cols]));
}

/**
 * xp: [T*B, 4U] input projection with bias (g columns already doubled), rows time-major (step t is rows
 * t*B..t*B+B-1); r: [U, 4U] recurrent kernel (g columns doubled). Returns h for every step, [T*B, U].
 */
function makeSequence(steps: number, batch: number, units: number) {
  if (hasCellKernels()) return makeKernelSequence(steps, batch, units);
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xp, r, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const xs = rowBlocks(xp, steps);
    // per step, kept for the backward pass: s = sigmoid(z) [B, 4U]; the gates i, f, g, o; c; tanh(c); h
    const kept: tf.Tensor2D[][] = Array.from({ length: 8 }, () => []);
    let h: tf.Tensor2D | null = null;
    let c: tf.Tensor2D | null = null;
    for (let t = 0; t < steps; t++) {
      const s = tf.sigmoid(h ? tf.add(xs[t], matMulT(h, r)) : xs[t]) as tf.Tensor2D;
      const [i, f, sg, o] = gates(s, units);
      const g = tf.sub(tf.mul(sg, 2), 1) as tf.Tensor2D; // tanh(z_g) from the doubled column
      c = (c ? tf.add(tf.mul(f, c), tf.mul(i, g)) : tf.mul(i, g)) as tf.Tensor2D;
      const tc = tf.tanh(c) as tf.Tensor2D;
      h = tf.mul(o, tc) as tf.Tensor2D;
      [s, i, f, g, o, c, tc, h].forEach((v, k) => kept[k]!.push(v));
    }
    // r goes through save too: the caller's tidy disposes it before the backward pass runs
    save([...kept.flat(), r]);
    return {
      value: tf.concat(kept[7]!, 0),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => lstmBackward(dy, saved[8 * steps] as tf.Tensor2D, saved, steps, batch, units),
    };
  });
}

function lstmBackward(dy: tf.Tensor, r: tf.Tensor2D, saved: tf.Tensor[], steps: number, batch: number, units: number): [tf.Tensor, tf.Tensor] {
  const at = (k: number, t: number) => saved[k * steps + t] as tf.Tensor2D; // k: s, i, f, g, o, c, tanh(c), h
  const dhs = rowBlocks(dy as tf.Tensor2D, steps);
  const dzs: tf.Tensor2D[] = new Array(steps);
  const rT = tf.getBackend() === 'wasm' ? tf.transpose(r) : null; // see matMulT, transposed once for every step
  let dhNext: tf.Tensor2D | null = null;
  let dcNext: tf.Tensor2D | null = null;
  for (let t = steps - 1; t >= 0; t--) {
    const [s, i, f, g, o, tc] = [0, 1, 2, 3, 4, 6].map((k) => at(k, t)) as tf.Tensor2D[];
    const dh = dhNext ? tf.add(dhs[t]!, dhNext) : dhs[t]!;
    // dc = dc' f' (from t+1) + dh o (1 - tanh(c)^2)
    const dcLocal = tf.mul(tf.mul(dh, o!), tf.sub(1, tf.square(tc!)));
    const dc = dcNext ? tf.add(dcLocal, dcNext) : dcLocal;
    const cPrev = t > 0 ? at(5, t - 1) : tf.zerosLike(dc);
    // d/ds of each gate's pre-sigmoid value: i -> dc g, f -> dc c_prev, g = 2 s_g - 1 -> 2 dc i, o -> dh tanh(c)
    const ds = tf.concat([tf.mul(dc, g!), tf.mul(dc, cPrev), tf.mul(tf.mul(dc, i!), 2), tf.mul(dh, tc!)], 1);
    const dz = tf.mul(ds, tf.mul(s!, tf.sub(1, s!))) as tf.Tensor2D; // sigmoid' = s (1 - s)
    dzs[t] = dz;
    if (t > 0) dhNext = rT ? matMulT(dz, rT) : matMulT(dz, r, false, true); // (our matmul on cpu: tfjs's took 1.2 s a step there)
    dcNext = tf.mul(dc, f!) as tf.Tensor2D;
  }
  const dz = tf.concat(dzs, 0);
  // dR = sum_t h_{t-1}^T dz_t as one matmul over [0, h_0 .. h_{T-2}]
  const hPrev = tf.concat([tf.zeros([batch, units]), ...Array.from({ length: steps - 1 }, (_, t) => at(7, t))], 0);
  return [dz, matMulT(hPrev as tf.Tensor2D, dz as tf.Tensor2D, true, false)];
}

/**
 * The same sequence with each step's elementwise work as one kernel (kernels/lstmCell/shared.ts): per step, forward
 * one matmul and two kernels, backward two kernels and one matmul, where the tfjs ops above take about 30.
 */
function makeKernelSequence(steps: number, batch: number, units: number) {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xp, r, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const zeros = tf.zeros([batch, units]);
    const zr: tf.Tensor2D[] = []; // h_{t-1} R per step
    const cs: tf.Tensor2D[] = [];
    const hs: tf.Tensor2D[] = [];
    for (let t = 0; t < steps; t++) {
      const z = t > 0 ? matMulT(hs[t - 1]!, r) : tf.zeros([batch, 4 * units]);
      const c = runCell(CELL_C, [xp, z, t > 0 ? cs[t - 1]! : zeros], t * batch, units);
      hs.push(runCell(CELL_H, [xp, z, c], t * batch, units));
      zr.push(z as tf.Tensor2D);
      cs.push(c);
    }
    save([...zr, ...cs, ...hs, xp, r]);
    return {
      value: concatRows(hs),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxp, sr] = saved.slice(3 * steps) as tf.Tensor2D[];
        const at = (k: number, t: number) => saved[k * steps + t] as tf.Tensor2D; // k: h_{t-1} R, c, h
        const none = tf.zeros([batch, units]);
        const dzs: tf.Tensor2D[] = new Array(steps);
        let dhNext = none;
        let dcNext = none;
        for (let t = steps - 1; t >= 0; t--) {
          const cPrev = t > 0 ? at(1, t - 1) : none;
          dzs[t] = runCell(CELL_DZ, [sxp!, at(0, t), dy, dhNext, dcNext, cPrev, at(1, t)], t * batch, units);
          const dcPrev = runCell(CELL_DC, [sxp!, at(0, t), dy, dhNext, dcNext, at(1, t)], t * batch, units);
          if (t > 0) dhNext = matMulT(dzs[t]!, sr!, false, true);
          dcNext = dcPrev;
        }
        const dz = concatRows(dzs);
        const hPrev = [none as tf.Tensor2D, ...Array.from({ length: steps - 1 }, (_, t) => at(2, t))];
        // dR = hPrev^T dz. On WebGL as hPrev^T (dz^T)^T, both joined transposed: tfjs's packed matmul then reads both
        // along texture rows (the [128, 4096] x [4096, 512] product took 116 instead of 213 ms on SwiftShader)
        if (hasConcatKernel()) return [dz, matMulT(concatRows(hPrev, true), concatRows(dzs, true), false, true)];
        return [dz, matMulT(concatRows(hPrev), dz, true, false)];
      },
    };
  });
}

/** The weights of one tfjs LSTM layer that the fused path can run, or null if it needs tfjs's own path. */
export function fusableLstm(layer: tf.layers.Layer): { kernel: tf.Tensor2D; recurrent: tf.Tensor2D; bias: tf.Tensor1D; units: number } | null {
  if (layer.getClassName() !== 'LSTM') return null;
  const cfg = layer.getConfig() as Record<string, unknown>;
  const ok =
    cfg.activation === 'tanh' &&
    cfg.recurrentActivation === 'sigmoid' &&
    cfg.useBias !== false &&
    cfg.returnSequences === true &&
    !cfg.goBackwards &&
    !cfg.stateful &&
    !cfg.dropout &&
    !cfg.recurrentDropout &&
    layer.weights.length === 3;
  if (!ok) return null;
  const [k, r, b] = layer.weights.map((w) => w.read());
  return { kernel: k as tf.Tensor2D, recurrent: r as tf.Tensor2D, bias: b as tf.Tensor1D, units: cfg.units as number };
}

/** Runs one LSTM layer: x [T*B, D] time-major -> h [T*B, U]. Differentiable with respect to its weights and x. */
export function lstmLayerFused(x: tf.Tensor2D, weights: NonNullable<ReturnType<typeof fusableLstm>>, steps: number, batch: number): tf.Tensor2D {
  return tf.tidy(() => {
    const scale = gateScale(weights.units);
    const xp = affine(x, tf.mul(weights.kernel, scale), tf.mul(weights.bias, scale));
    return makeSequence(steps, batch, weights.units)(xp, tf.mul(weights.recurrent, scale)) as tf.Tensor2D;
  });
}
