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

/** n orthonormal columns of length m (m >= n) from a seeded standard-normal matrix, by modified Gram-Schmidt. */
export function orthonormalColumns(m: number, n: number, seed: number): Float64Array[] {
  const random = mulberry32(seed);
  // Box-Muller: z = sqrt(-2 ln u1) cos(2 pi u2), with u1 in (0, 1]
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const cols = Array.from({ length: n }, () => Float64Array.from({ length: m }, normal));
  for (let j = 0; j < n; j++) {
    const v = cols[j];
    // q_j = (a_j - sum_k (q_k . v) q_k) / |.|, subtracting one q_k at a time (modified Gram-Schmidt)
    for (let k = 0; k < j; k++) {
      const qk = cols[k];
      let dot = 0;
      for (let i = 0; i < m; i++) dot += qk[i] * v[i];
      for (let i = 0; i < m; i++) v[i] -= dot * qk[i];
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) v[i] /= norm;
  }
  return cols;
}
