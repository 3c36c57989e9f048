import * as tf from '@tensorflow/tfjs';
import { SeededDropout } from '../models/seededDropout';

/** One tensor as plain data: survives structured cloning (IndexedDB, postMessage) and a backend change. */
interface TensorRecord {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: ArrayBuffer;
}

/** Everything a run needs to go on exactly where it was: weights, optimizer state and the random streams' positions. */
export interface Checkpoint {
  step: number;
  epoch: number;
  /** The model's weights in model.getWeights() order. */
  weights: TensorRecord[];
  /** optimizer.getWeights(): the iteration count first, then (Adam) every m, then every v. */
  optimizer: TensorRecord[];
  /** Seconds of training (pauses excluded) before this point. */
  seconds: number;
  /** Draws taken from the run's seeded random source (shuffles, text windows). */
  randomCalls: number;
  /** Masks drawn so far by each seeded dropout layer, in layer order. */
  dropoutCalls: number[];
}

async function toRecord(name: string, t: tf.Tensor): Promise<TensorRecord> {
  const dtype = t.dtype === 'int32' ? 'int32' : 'float32';
  const values = await t.data();
  const copy = dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
  return { name, shape: t.shape.slice(), dtype, data: copy.buffer };
}

function fromRecord(r: TensorRecord): tf.Tensor {
  return tf.tensor(r.dtype === 'int32' ? new Int32Array(r.data) : new Float32Array(r.data), r.shape, r.dtype);
}

const dropoutsOf = (model: tf.LayersModel) => model.layers.filter((l): l is SeededDropout => l instanceof SeededDropout);

export async function captureCheckpoint(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  at: { step: number; epoch: number; randomCalls: number; seconds: number },
): Promise<Checkpoint> {
  const weights = await Promise.all(model.getWeights().map((w, i) => toRecord(model.weights[i].name, w)));
  const named = await optimizer.getWeights().catch(() => [] as { name: string; tensor: tf.Tensor }[]); // an optimizer without saved state restarts fresh
  const state = await Promise.all(named.map((n) => toRecord(n.name, n.tensor)));
  // the iteration counter is a fresh scalar; the moments are the optimizer's own variables and stay
  named.filter((n) => !(n.tensor instanceof tf.Variable)).forEach((n) => n.tensor.dispose());
  return { ...at, weights, optimizer: state, dropoutCalls: dropoutsOf(model).map((d) => d.callCount) };
}

/** Puts the checkpoint's weights into a model of the same architecture (on whatever backend is active now). */
export function restoreWeights(model: tf.LayersModel, cp: Checkpoint): void {
  const current = model.getWeights();
  if (current.length !== cp.weights.length || current.some((w, i) => w.shape.join(',') !== cp.weights[i].shape.join(','))) {
    throw new Error('The checkpoint does not fit this model (different layers or sizes); start a new run instead.');
  }
  const tensors = cp.weights.map(fromRecord);
  model.setWeights(tensors);
  tf.dispose(tensors);
  dropoutsOf(model).forEach((d, i) => (d.callCount = cp.dropoutCalls[i] ?? 0));
}

/** Gives a fresh optimizer the checkpoint's state (Adam: m, v and the iteration count behind its bias correction). */
export async function restoreOptimizer(optimizer: tf.Optimizer, cp: Checkpoint): Promise<void> {
  if (cp.optimizer.length === 0) return;
  const named = cp.optimizer.map((r) => ({ name: r.name, tensor: fromRecord(r) }));
  try {
    await optimizer.setWeights(named);
  } finally {
    tf.dispose(named.map((n) => n.tensor));
  }
}
