import * as tf from '@tensorflow/tfjs';

/** Images of one layer's incoming weights, one per unit, on one shared scale. */
export interface UnitImages {
  /** [units, pixels] row-major: unit u's weights are values[u * pixels ... (u + 1) * pixels). */
  values: Float32Array;
  units: number;
  pixels: number;
  /** max |w| over every unit: a diverging colour map spans [-scale, scale] for all of them alike. */
  scale: number;
}

/** The first Dense layer's kernel [inputs, units] transposed to one row of inputs per unit. */
export function firstLayerUnits(model: tf.LayersModel): UnitImages {
  const dense = model.layers.find((l) => l.getClassName() === 'Dense');
  if (!dense) throw new Error('The model has no Dense layer to show as unit images.');
  const kernel = dense.getWeights()[0];
  const [pixels, units] = kernel.shape as [number, number];
  const src = kernel.dataSync();
  const values = new Float32Array(units * pixels);
  let scale = 0;
  for (let p = 0; p < pixels; p++) {
    for (let u = 0; u < units; u++) {
      const w = src[p * units + u];
      values[u * pixels + p] = w;
      scale = Math.max(scale, Math.abs(w));
    }
  }
  return { values, units, pixels, scale };
}

/** One layer's feature maps for one input: [height, width, channels] of its output. */
export interface FeatureMaps {
  layer: string;
  shape: [number, number, number];
  values: Float32Array;
}

/** Every Conv2D layer's output for x ([1, h, w, c]), from one model truncated at those layers. */
export function convFeatureMaps(model: tf.LayersModel, x: tf.Tensor4D): FeatureMaps[] {
  const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D');
  if (convs.length === 0) throw new Error('The model has no convolution layers to show feature maps of.');
  const truncated = tf.model({ inputs: model.inputs, outputs: convs.map((l) => l.output as tf.SymbolicTensor) });
  const outs = tf.tidy(() => {
    const y = truncated.predict(x);
    return Array.isArray(y) ? y : [y];
  });
  const maps = outs.map((t, i) => {
    const [, h, w, c] = t.shape as number[];
    return { layer: convs[i].name, shape: [h, w, c] as [number, number, number], values: Float32Array.from(t.dataSync()) };
  });
  tf.dispose(outs);
  return maps;
}

/** Per-layer L2 norms: ||W||_2 = sqrt(sum w^2) over every weight of the layer (kernel and bias). */
export function layerNorms(model: tf.LayersModel): { layer: string; norm: number }[] {
  return model.layers
    .filter((l) => l.trainableWeights.length > 0)
    .map((l) => {
      let sum = 0;
      for (const w of l.getWeights()) for (const v of w.dataSync()) sum += v * v;
      return { layer: l.name, norm: Math.sqrt(sum) };
    });
}

/** Histogram of values into `bins` equal bins over [min, max]; the max falls in the last bin. */
export function histogram(values: ArrayLike<number>, bins: number): { min: number; max: number; counts: Uint32Array } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  const counts = new Uint32Array(bins);
  const width = (max - min) / bins || 1;
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.floor((values[i] - min) / width))]++;
  return { min, max, counts };
}
