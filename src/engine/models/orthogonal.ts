import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../data/random';

type InitializerClass = new (args: { gain?: number; seed?: number }) => ReturnType<typeof tf.initializers.orthogonal>;

// tfjs's Orthogonal class (not exported by name): ours subclasses it, so its class name and config
// ({gain, seed}) are tfjs's and a saved model reads the same in plain tfjs.
const TfjsOrthogonal = tf.initializers.orthogonal({}).constructor as InitializerClass;

/**
 * Orthogonal initialiser (Saxe et al. 2014) computed in plain JavaScript: Q of a seeded Gaussian matrix's QR,
 * signs fixed so diag(R) > 0, as tfjs's Orthogonal. tfjs runs its QR as hundreds of small ops of changing
 * shape, each a new shader on WebGPU: on SwiftShader that took 169 s for one 16-unit LSTM. Here it is one
 * upload.
 */
export class SeededOrthogonal extends TfjsOrthogonal {
  private readonly gainValue: number;
  private readonly seedValue: number;

  constructor(args: { gain?: number; seed: number }) {
    super(args);
    this.gainValue = args.gain ?? 1;
    this.seedValue = args.seed;
  }

  override apply(shape: number[], dtype: tf.DataType = 'float32'): tf.Tensor {
    if (shape.length < 2) throw new Error('An orthogonal initialiser needs a shape of at least 2 dimensions.');
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const cols = shape[shape.length - 1];
    const q = orthonormalColumns(Math.max(rows, cols), Math.min(rows, cols), this.seedValue);
    const out = new Float32Array(rows * cols);
    const m = Math.max(rows, cols);
    // q holds n = min(rows, cols) orthonormal columns of length m; the result is Q [rows, cols] or Q^T when rows < cols
    for (let j = 0; j < q.length; j++) {
      const col = q[j];
      for (let i = 0; i < m; i++) {
        if (rows >= cols) out[i * cols + j] = this.gainValue * col[i];
        else out[j * cols + i] = this.gainValue * col[i];
      }
    }
    return tf.tensor(out, shape, dtype);
  }
}

/** Columns orthogonalised together against each finished one. */
const BLOCK = 8;

/**
 * n orthonormal columns of length m (m >= n) from a seeded standard-normal matrix, by modified Gram-Schmidt:
 * q_j = (a_j - sum_k (q_k . v) q_k) / |.|, subtracting one q_k at a time. Columns go BLOCK at a time through each
 * finished q_k (each column's operations and their order are the ones column by column, so the result is the same
 * to the bit): one read of q_k serves eight dot products, which also run side by side.
 */
export function orthonormalColumns(m: number, n: number, seed: number): Float64Array[] {
  const random = mulberry32(seed);
  // Box-Muller: z = sqrt(-2 ln u1) cos(2 pi u2), with u1 in (0, 1]
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const cols = Array.from({ length: n }, () => Float64Array.from({ length: m }, normal));
  for (let j0 = 0; j0 < n; j0 += BLOCK) {
    const block = cols.slice(j0, j0 + BLOCK);
    for (let k = 0; k < j0; k++) subtractProjections(cols[k]!, block);
    for (let b = 0; b < block.length; b++) {
      const v = block[b]!;
      let norm = 0;
      for (let i = 0; i < m; i++) norm += v[i]! * v[i]!;
      norm = Math.sqrt(norm);
      for (let i = 0; i < m; i++) v[i]! /= norm;
      subtractProjections(v, block.slice(b + 1));
    }
  }
  return cols;
}

/** v -= (q . v) q for each v of vs, each dot product summed in index order; eight columns side by side. */
function subtractProjections(q: Float64Array, vs: Float64Array[]): void {
  const m = q.length;
  if (vs.length === BLOCK) {
    const [v0, v1, v2, v3, v4, v5, v6, v7] = vs as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    let d4 = 0;
    let d5 = 0;
    let d6 = 0;
    let d7 = 0;
    for (let i = 0; i < m; i++) {
      const qi = q[i]!;
      d0 += qi * v0[i]!;
      d1 += qi * v1[i]!;
      d2 += qi * v2[i]!;
      d3 += qi * v3[i]!;
      d4 += qi * v4[i]!;
      d5 += qi * v5[i]!;
      d6 += qi * v6[i]!;
      d7 += qi * v7[i]!;
    }
    for (let i = 0; i < m; i++) {
      const qi = q[i]!;
      v0[i]! -= d0 * qi;
      v1[i]! -= d1 * qi;
      v2[i]! -= d2 * qi;
      v3[i]! -= d3 * qi;
      v4[i]! -= d4 * qi;
      v5[i]! -= d5 * qi;
      v6[i]! -= d6 * qi;
      v7[i]! -= d7 * qi;
    }
    return;
  }
  for (const v of vs) {
    let dot = 0;
    for (let i = 0; i < m; i++) dot += q[i]! * v[i]!;
    for (let i = 0; i < m; i++) v[i]! -= dot * q[i]!;
  }
}
