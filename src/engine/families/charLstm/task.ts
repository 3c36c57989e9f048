import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../data/random';
import { TrainConfig } from '../../config/train';
import { kernelsOf, weightPenalty } from '../images/task';
import { sumTensors } from '../../train/deviceData';
import type { TrainTask } from '../../train/trainer';
import { decode, Vocabulary } from '../../text/corpus';
import { charLogits, fusedLstmPays, sequenceAccuracy, sequenceCrossEntropy, timeMajorTargets } from './model';
import { generateText } from './sampler';
import type { TextTrainConfig } from '../../config/textTrain';

/** Where the split falls: the last valFraction of the corpus (by position) is validation. */
export function splitPoint(length: number, valFraction: number): number {
  return length - Math.floor(length * valFraction);
}

/**
 * Start positions of `count` windows of `span` characters spread evenly over [from, to); the last window ends
 * at or before `to`. Used for deterministic validation.
 */
export function evenStarts(from: number, to: number, span: number, count: number): number[] {
  const room = to - from - span;
  if (room < 0) return [];
  const n = Math.max(1, Math.min(count, Math.floor((to - from) / span)));
  if (n === 1) return [from];
  return Array.from({ length: n }, (_, i) => from + Math.floor((i * room) / (n - 1)));
}

/** Row i of the result is ids[starts[i] .. starts[i] + span): the index matrix a device gather needs. */
export function windowIndices(starts: ArrayLike<number>, span: number): Int32Array {
  const out = new Int32Array(starts.length * span);
  for (let i = 0; i < starts.length; i++) for (let t = 0; t < span; t++) out[i * span + t] = starts[i] + t;
  return out;
}

/** Clips gradients by their global norm: g <- g * c / max(||g||, c), ||g|| = sqrt(sum of all g^2). */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, clipNorm: number): tf.NamedTensorMap {
  if (!(clipNorm > 0)) return grads;
  return tf.tidy(() => {
    const names = Object.keys(grads);
    const norm = tf.sqrt(sumTensors(names.map((n) => tf.sum(tf.square(grads[n])))));
    const scale = tf.div(clipNorm, tf.maximum(norm, clipNorm));
    return Object.fromEntries(names.map((n) => [n, tf.mul(grads[n], scale)]));
  });
}

export interface TextData {
  /** The whole corpus as int32 ids on the device, and its host copy. */
  ids: tf.Tensor1D;
  host: Int32Array;
  length: number;
  vocab: Vocabulary;
}

/**
 * Sequence-to-sequence training with truncated backpropagation through time: each step draws `batch` windows at
 * random positions across the training part, the model predicts every next character (target = input shifted by
 * one), and the loss is the mean over every position. Gradients are clipped by global norm.
 */
export function textTask(
  model: tf.LayersModel,
  data: TextData,
  window: number,
  config: TrainConfig,
  text: TextTrainConfig,
  fusedLstm = fusedLstmPays(),
): TrainTask {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = kernelsOf(model);
  const trainEnd = splitPoint(data.length, text.valFraction);
  const span = window + 1;
  if (trainEnd < 4 * span || data.length - trainEnd < span) {
    throw new Error(
      `The text is too short for windows of ${window} characters: training needs at least ${4 * span} characters and validation ${span}; ` +
        `it has ${trainEnd} and ${data.length - trainEnd}. Use a shorter window, a larger validation share or a longer text.`,
    );
  }
  const batch = config.batchSize;
  let random: () => number = mulberry32(config.seed);
  const valStarts = evenStarts(trainEnd, data.length, span, text.maxValWindows);
  // the validation sample's seed: the start of the validation text
  const sampleSeed = decode(data.host.subarray(trainEnd, trainEnd + Math.min(window, 40)), data.vocab.chars);
  return {
    stepsPerEpoch: text.evalEvery,
    itemsPerStep: batch * window,
    beginEpoch(r) {
      random = r;
    },
    step(optimizer) {
      const starts = Array.from({ length: batch }, () => Math.floor(random() * (trainEnd - span + 1)));
      const idx = tf.tensor2d(windowIndices(starts, span), [batch, span], 'int32');
      const out = tf.tidy(() => {
        const windows = tf.gather(data.ids as tf.Tensor, idx) as tf.Tensor2D;
        const x = windows.slice([0, 0], [batch, window]);
        const y = timeMajorTargets(windows.slice([0, 1], [batch, window]));
        let stepAcc: tf.Scalar | null = null;
        const { value, grads } = tf.variableGrads(() => {
          const logits = charLogits(model, x, true, fusedLstm);
          stepAcc = tf.keep(sequenceAccuracy(logits, y));
          const ce = sequenceCrossEntropy(logits, y);
          const reg = weightPenalty(kernels, config.l1, config.l2);
          return reg ? ce.add(reg) : ce;
        }, vars);
        optimizer.applyGradients(clipByGlobalNorm(grads, text.clipNorm));
        return [value, stepAcc as unknown as tf.Scalar] as [tf.Scalar, tf.Scalar];
      });
      idx.dispose();
      return out;
    },
    validate: () => evaluateText(model, data.ids, valStarts, window, Math.max(batch, 128)), // forward only: bigger batches, fewer passes
    async afterEpoch(step, emit) {
      if (text.sampleLength <= 0) return;
      const sample = await generateText(model, data.vocab, {
        seedText: sampleSeed,
        length: text.sampleLength,
        temperature: 0.8,
        topK: 0,
        seed: config.seed,
      });
      emit({ type: 'sample', step, text: sampleSeed + sample });
    },
  };
}

/** Mean cross-entropy (nats per character) and next-character accuracy over windows starting at `starts`. */
export async function evaluateText(
  model: tf.LayersModel,
  ids: tf.Tensor1D,
  starts: number[],
  window: number,
  batch: number,
): Promise<{ loss: number; accuracy: number }> {
  const span = window + 1;
  let lossSum = 0;
  let accSum = 0;
  for (let i = 0; i < starts.length; i += batch) {
    const chunk = starts.slice(i, i + batch);
    const idx = tf.tensor2d(windowIndices(chunk, span), [chunk.length, span], 'int32');
    const both = tf.tidy(() => {
      const w = tf.gather(ids as tf.Tensor, idx) as tf.Tensor2D;
      const x = w.slice([0, 0], [chunk.length, window]);
      const y = timeMajorTargets(w.slice([0, 1], [chunk.length, window]));
      const logits = charLogits(model, x, false);
      return tf.stack([sequenceCrossEntropy(logits, y), sequenceAccuracy(logits, y)]);
    });
    idx.dispose();
    const [l, a] = await both.data();
    both.dispose();
    lossSum += l * chunk.length;
    accSum += a * chunk.length;
  }
  return { loss: lossSum / starts.length, accuracy: accSum / starts.length };
}
