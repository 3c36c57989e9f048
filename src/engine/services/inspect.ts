import * as tf from '@tensorflow/tfjs';
import type { Which } from '../config/api';
import {
  CELL_FEATURES,
  MAX_INSPECT_PASSAGE,
  SALIENCY_METHODS,
  type SaliencyMethod,
  type CellChoice,
  type CellView,
  type DigitView,
  type ImageWeightsView,
  type TextSurpriseView,
  type TrainingHealthView,
} from '../config/inspect';
import { familyOf } from '../families';
import type { TextInspector } from '../families/family';
import { featureSeries, mostCorrelated } from '../inspect/cells';
import { pca2 } from '../inspect/pca';
import { meanNats, surpriseOf } from '../inspect/surprise';
import { saliency } from '../inspect/saliency';
import { convFeatureMaps, convFilters, firstLayerUnits, layerNorms, outgoingWeights } from '../inspect/weights';
import { encode } from '../text/corpus';
import type { Workspace } from './workspace';

/** Views inside the page's current models, computed from their weights on demand (the page throttles the calls). */
export class InspectService {
  constructor(private readonly ws: Workspace) {}

  /** The text model's family reads (an LSTM's or a Transformer's), from families/. */
  private textInspector(): TextInspector {
    const text = familyOf('text', this.ws).text;
    if (!text) throw new Error('This text model has no Inspect view.');
    return text;
  }

  async inspectImageWeights(): Promise<ImageWeightsView> {
    const model = this.ws.imageModel;
    if (!model) throw new Error('Train or load an image model first, then open Inspect.');
    // read the weights back asynchronously first: the sync reads below then find them on the CPU (no GPU stall)
    await Promise.all(model.getWeights().map((w) => w.data()));
    const hasDense = model.layers.some((l) => l.getClassName() === 'Dense');
    return {
      units: hasDense ? firstLayerUnits(model) : null,
      outgoing: outgoingWeights(model),
      filters: convFilters(model),
      norms: layerNorms(model),
    };
  }

  async inspectDigit(pixels: Float32Array, method: SaliencyMethod = 'smoothgrad'): Promise<DigitView> {
    const model = this.ws.imageModel;
    if (!model) throw new Error('Train or load an image model first; then draw a digit to inspect.');
    if (pixels.length !== 784) throw new Error(`Expected 784 pixels (28x28), got ${pixels.length}.`);
    if (!SALIENCY_METHODS.some((m) => m.id === method))
      throw new Error(`Saliency by ${SALIENCY_METHODS.map((m) => m.id).join(', ')}; got ${JSON.stringify(method)}.`);
    const x = tf.tensor4d(pixels, [1, 28, 28, 1]);
    try {
      const probs = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
      let classIndex = 0;
      for (let c = 1; c < probs.length; c++) if (probs[c] > probs[classIndex]) classIndex = c;
      // 12 noisy samples (SmoothGrad) or 12 steps from the black image (integrated gradients)
      const map = saliency((t) => model.apply(t, { training: false }) as tf.Tensor, x, classIndex, { method, samples: 12, noise: 0.15 });
      const hasConv = model.layers.some((l) => l.getClassName() === 'Conv2D');
      return { classIndex, probability: probs[classIndex], method, saliency: map, maps: hasConv ? convFeatureMaps(model, x) : [] };
    } finally {
      x.dispose();
    }
  }

  /** The family's training health; with `snapshot`, a weight histogram of its current model is taken first. */
  async inspectHealth(which: Which, snapshot = false): Promise<TrainingHealthView> {
    if (which !== 'images' && which !== 'text') throw new Error(`Training health is kept for 'images' or 'text', not ${JSON.stringify(which)}.`);
    const health = this.ws.health[which];
    if (snapshot) {
      const model = which === 'images' ? this.ws.imageModel : this.ws.charModel?.model;
      if (!model) throw new Error(`Train or load ${which === 'images' ? 'an image' : 'a text'} model first, then take a weight histogram.`);
      await health.snapshot(model, health.lastStep, `asked at step ${health.lastStep}`);
    }
    // after a run, wait for its last reads (during one, the view is whatever has landed)
    if (!this.ws.trainer) await health.settle();
    return health.view();
  }

  /** One LSTM cell's state along a passage: the unit asked for, or the one most correlated with a feature. */
  async inspectCells(passage: string, choice: CellChoice): Promise<CellView> {
    const cm = this.ws.charModel;
    if (!cm) throw new Error('Train or load a text model first, then pick a cell.');
    const chars = Array.from(passage);
    if (chars.length < 2 || chars.length > MAX_INSPECT_PASSAGE)
      throw new Error(`Give a passage of 2 to ${MAX_INSPECT_PASSAGE} characters to follow a cell along, got ${chars.length}.`);
    const inspector = this.textInspector();
    let traces: tf.Tensor2D[] = [];
    try {
      traces = inspector.cellTrace(cm.model, encode(passage, cm.vocab));
      const layers = traces.length;
      const layer = choice.layer ?? layers - 1;
      if (!Number.isInteger(layer) || layer < 0 || layer >= layers) throw new Error(`Pick an LSTM layer from 0 to ${layers - 1}, got ${layer}.`);
      const units = traces[layer].shape[1];
      const cells = (await traces[layer].data()) as Float32Array;
      let unit: number;
      let feature: CellView['feature'] = null;
      if ('unit' in choice) {
        unit = choice.unit;
        if (!Number.isInteger(unit) || unit < 0 || unit >= units) throw new Error(`Pick a cell from 0 to ${units - 1}, got ${unit}.`);
      } else {
        if (!CELL_FEATURES.some((f) => f.id === choice.feature))
          throw new Error(`Pick a cell by one of ${CELL_FEATURES.map((f) => f.id).join(', ')}, got ${JSON.stringify(choice.feature)}.`);
        const series = featureSeries(chars, choice.feature);
        if (series.every((v) => v === series[0])) {
          const label = CELL_FEATURES.find((f) => f.id === choice.feature)!.label;
          throw new Error(`Nothing in the passage varies with ${label}: add some, or pick a cell by number.`);
        }
        const best = mostCorrelated(cells, units, series);
        unit = best.unit;
        feature = { id: choice.feature, series, correlations: best.correlations };
      }
      const values = new Float32Array(chars.length);
      for (let t = 0; t < chars.length; t++) values[t] = cells[t * units + unit];
      return { chars, layer, layers, unit, units, values, feature };
    } finally {
      tf.dispose(traces);
    }
  }

  async inspectText(passage: string): Promise<TextSurpriseView> {
    const cm = this.ws.charModel;
    if (!cm) throw new Error('Train or load a text model first, then open Inspect.');
    const chars = Array.from(passage);
    if (chars.length < 2 || chars.length > MAX_INSPECT_PASSAGE)
      throw new Error(`Give a passage of 2 to ${MAX_INSPECT_PASSAGE} characters to measure surprise on, got ${chars.length}.`);
    const inspector = this.textInspector();
    const ids = encode(passage, cm.vocab);
    const vocab = cm.vocab.chars.length;
    const { probs, window } = await inspector.nextCharProbs(cm.model, ids);
    const s = surpriseOf(probs, vocab, ids.subarray(1));
    const table = inspector.embeddingTable(cm.model);
    const embedding = { points: pca2((await table.data()) as Float32Array, table.shape[0], table.shape[1]).points, labels: cm.vocab.chars };
    return {
      chars,
      nats: s.nats,
      top: Array.from(s.topIndex, (i) => cm.vocab.chars[i]),
      topProb: s.topProb,
      k: s.k,
      meanNats: meanNats(s),
      embedding,
      window,
    };
  }
}
