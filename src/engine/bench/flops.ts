import * as tf from '@tensorflow/tfjs';

/**
 * FLOPs of one training step per predicted item (a sample for images, a predicted character for the char-LSTM),
 * counted from the matmuls and convolutions the step computes: forward 2 x MACs, the weight gradient 2 x MACs, and
 * the input gradient 2 x MACs for every weighted layer but the first (its input is data, so neither our step nor
 * tfjs's tape computes it). Elementwise work (activations, gates, biases), pooling, gathers, the loss and the
 * optimizer are not counted. MACs: Dense in x out per position; Conv2D outH x outW x kH x kW x inC x outC; LSTM
 * (window T, input D, units U) T x D x 4U for the input projection and (T - 1) x U x 4U for the recurrent one
 * (h_0 = 0: its product is zero, so the forward, dh and dR recurrent products count T - 1 steps).
 * `window`: time steps per example (1 for image models).
 */
export function trainingFlopsPerItem(model: tf.LayersModel, window = 1): number {
  let flops = 0;
  let fromData = true; // no weighted layer yet: the input is data
  let positions = 1; // predictions per example after this layer (T once a layer makes a sequence)
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const shapes = layer.weights.map((w) => w.shape as number[]);
    const [k0 = 0, k1 = 0, k2 = 0, k3 = 0] = shapes[0] ?? [];
    // forward + weight gradient, and the input gradient unless the input is data: 2 x MACs each
    const add = (macs: number) => (flops += (fromData ? 4 : 6) * macs);
    if (cls === 'Dense') add(positions * k0 * k1);
    else if (cls === 'Conv2D') {
      const [, h = 0, w = 0] = layer.outputShape as number[];
      add(h * w * k0 * k1 * k2 * k3);
    } else if (cls === 'Embedding') positions = window;
    else if (cls === 'LSTM') {
      const [units = 0, gates = 0] = shapes[1] ?? []; // recurrent kernel [U, 4U]
      add(window * k0 * k1); // input projection [D, 4U] at every step
      flops += 6 * (window - 1) * units * gates; // forward, dh and dR through the recurrent kernel
      positions = (layer.getConfig() as { returnSequences?: boolean }).returnSequences ? window : 1;
    }
    if (layer.trainableWeights.length > 0) fromData = false;
  }
  return flops / positions;
}
