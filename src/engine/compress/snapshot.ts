import * as tf from '@tensorflow/tfjs';
import type { QuantizedTensor } from './quantize';

/** One weight tensor of a model variant: its effective (dequantized) values and, if quantized, its codes. */
export interface WeightEntry {
  name: string;
  shape: number[];
  values: Float32Array;
  quant?: QuantizedTensor;
}

/** A model as data: topology, our metadata and its weights. Variants are snapshots; a model is loaded from one. */
export interface ModelSnapshot {
  topology: object;
  metadata: Record<string, unknown>;
  entries: WeightEntry[];
}

/** Kernels, embeddings and recurrent kernels (rank 2 and up) are compressed; biases (rank 1) stay float32 by default. */
export const isKernel = (e: { shape: number[] }) => e.shape.length >= 2;

export const countOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Reads the model's topology and weights (the same names and order tf.io writes). */
export async function snapshot(model: tf.LayersModel, metadata: Record<string, unknown>): Promise<ModelSnapshot> {
  let out: ModelSnapshot | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data = tf.io.CompositeArrayBuffer.join(a.weightData);
      const specs = a.weightSpecs ?? [];
      let at = 0;
      const entries = specs.map((s) => {
        if (s.dtype !== 'float32') throw new Error(`Weight ${s.name} is ${s.dtype}; only float32 weights can be compressed.`);
        const n = countOf(s.shape);
        const values = new Float32Array(data.slice(at, at + 4 * n));
        at += 4 * n;
        return { name: s.name, shape: s.shape.slice(), values };
      });
      out = { topology: a.modelTopology as object, metadata, entries };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return out!;
}

/** The snapshot's effective weights as float32 artifacts (what tf.loadLayersModel reads). */
function float32Artifacts(s: ModelSnapshot): tf.io.ModelArtifacts {
  const total = s.entries.reduce((n, e) => n + e.values.length, 0);
  const data = new Float32Array(total);
  let at = 0;
  for (const e of s.entries) {
    data.set(e.values, at);
    at += e.values.length;
  }
  return {
    modelTopology: s.topology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: s.entries.map((e) => ({ name: e.name, shape: e.shape, dtype: 'float32' as const })),
    weightData: data.buffer,
  };
}

/** A fresh, trainable model with the snapshot's effective weights. */
export function loadSnapshot(s: ModelSnapshot): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(float32Artifacts(s)));
}
