import * as tf from '@tensorflow/tfjs';
import type { DigitView, ImageWeightsView, TextSurpriseView } from '../config/inspect';
import { charLogits } from '../families/charLstm/model';
import { pca2 } from '../inspect/pca';
import { meanNats, surpriseOf } from '../inspect/surprise';
import { saliency } from '../inspect/saliency';
import { convFeatureMaps, firstLayerUnits, layerNorms } from '../inspect/weights';
import { encode } from '../text/corpus';
import type { Workspace } from './workspace';

/** Views inside the page's current models, computed from their weights on demand (the page throttles the calls). */
export class InspectService {
  constructor(private readonly ws: Workspace) {}

  async inspectImageWeights(): Promise<ImageWeightsView> {
    const model = this.ws.imageModel;
    if (!model) throw new Error('Train or load an image model first, then open Inspect.');
    // read the weights back asynchronously first: the sync reads below then find them on the CPU (no GPU stall)
    await Promise.all(model.getWeights().map((w) => w.data()));
    const hasDense = model.layers.some((l) => l.getClassName() === 'Dense');
    return { units: hasDense ? firstLayerUnits(model) : null, norms: layerNorms(model) };
  }

  async inspectDigit(pixels: Float32Array): Promise<DigitView> {
    const model = this.ws.imageModel;
    if (!model) throw new Error('Train or load an image model first; then draw a digit to inspect.');
    if (pixels.length !== 784) throw new Error(`Expected 784 pixels (28x28), got ${pixels.length}.`);
    const x = tf.tensor4d(pixels, [1, 28, 28, 1]);
    try {
      const probs = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
      let classIndex = 0;
      for (let c = 1; c < probs.length; c++) if (probs[c] > probs[classIndex]) classIndex = c;
      const map = saliency((t) => model.apply(t, { training: false }) as tf.Tensor, x, classIndex, {
        method: 'smoothgrad',
        samples: 12,
        noise: 0.15,
      });
      const hasConv = model.layers.some((l) => l.getClassName() === 'Conv2D');
      return { classIndex, saliency: map, maps: hasConv ? convFeatureMaps(model, x) : [] };
    } finally {
      x.dispose();
    }
  }

  async inspectText(passage: string): Promise<TextSurpriseView> {
    const cm = this.ws.charModel;
    if (!cm) throw new Error('Train or load a text model first, then open Inspect.');
    const chars = Array.from(passage);
    if (chars.length < 2) throw new Error('Give a passage of at least 2 characters to measure surprise on.');
    const ids = encode(passage, cm.vocab);
    const vocab = cm.vocab.chars.length;
    // logits of [1, T-1] inputs are time-major with batch 1: row t predicts character t + 1
    const probs = tf.tidy(() =>
      tf.softmax(charLogits(cm.model, tf.tensor2d([Array.from(ids.subarray(0, -1))], undefined, 'int32'), false, false)).dataSync(),
    );
    const s = surpriseOf(probs as Float32Array, vocab, ids.subarray(1));
    const embeddingLayer = cm.model.layers.find((l) => l.getClassName() === 'Embedding');
    const table = embeddingLayer ? (embeddingLayer.getWeights()[0] as tf.Tensor2D) : null;
    const embedding = table
      ? { points: pca2(table.dataSync() as Float32Array, table.shape[0], table.shape[1]).points, labels: cm.vocab.chars }
      : { points: new Float32Array(0), labels: [] };
    return {
      chars,
      nats: s.nats,
      top: Array.from(s.topIndex, (i) => cm.vocab.chars[i]),
      topProb: s.topProb,
      k: s.k,
      meanNats: meanNats(s),
      embedding,
    };
  }
}
