import * as tf from '@tensorflow/tfjs';
import type { TextTrainConfig } from '../../config/textTrain';
import type { TrainConfig } from '../../config/train';
import { mulberry32 } from '../../data/random';
import { decode } from '../../text/corpus';
import type { TrainTask } from '../../train/trainer';
import { clipByGlobalNorm, evenStarts, splitPoint, type TextData, windowIndices } from '../charLstm/task';
import { type DropoutSource, type TransformerWeights, transformerLogits } from './model';
import { AdamW, type AdamWOptions, generateIds, sequenceHits, sequenceLoss } from './train';

/** nanoGPT's shakespeare_char optimizer settings, scaled to the run: warm-up a tenth of the steps (at most 100), floor lr/10. */
function adamWFor(config: TrainConfig, text: TextTrainConfig): AdamWOptions {
  const totalSteps = config.epochs * text.evalEvery;
  return {
    lr: config.learningRate,
    beta1: 0.9,
    beta2: 0.99,
    eps: 1e-8,
    weightDecay: 0.1,
    warmup: Math.max(1, Math.min(100, Math.floor(totalSteps / 10))),
    totalSteps,
    minLr: config.learningRate / 10,
    clipNorm: text.clipNorm,
  };
}

/** Where the training part ends, or an error when either part is too short for the context. */
function trainingEnd(length: number, window: number, valFraction: number): number {
  const span = window + 1;
  const trainEnd = splitPoint(length, valFraction);
  if (trainEnd < 4 * span || length - trainEnd < span) {
    throw new Error(
      `The text is too short for a context of ${window} characters: training needs at least ${4 * span} characters and validation ${span}; ` +
        `it has ${trainEnd} and ${length - trainEnd}. Use a shorter context, a larger validation share or a longer text.`,
    );
  }
  return trainEnd;
}

/**
 * The char-Transformer as a task of the shared step loop (train/trainer.ts): each step draws `batch` windows of
 * `context` characters at random over the training part, runs one batched forward with dropout, and updates by
 * AdamW with its own warm-up + cosine schedule. The loop runs, checkpoints and disposes that AdamW as the run's optimizer
 * (the config's optimizer choice and lr schedule do not apply; its learning rate is AdamW's peak).
 * `logits` is the fused forward; `npm run bench` passes model.ts's plain-ops one for its baseline.
 */
export function charTransformerTask(
  w: TransformerWeights,
  data: TextData,
  config: TrainConfig,
  text: TextTrainConfig,
  logits: typeof transformerLogits = transformerLogits,
): TrainTask & { optimizer: AdamW } {
  const window = w.config.context;
  const span = window + 1;
  const trainEnd = trainingEnd(data.length, window, text.valFraction);
  const batch = config.batchSize;
  const names = [...w.vars.keys()];
  const vars = [...w.vars.values()];
  const optimizer = new AdamW(adamWFor(config, text));
  // mask seeds from (run seed, AdamW step, draw within the step): a resumed run (AdamW's step is checkpointed) draws the same masks
  let draw = 0;
  const dropout: DropoutSource = {
    rate: w.config.dropout,
    seed: () => Math.floor(mulberry32((config.seed ^ 0x5bd1e995) + optimizer.step * 4099 + draw++)() * 2 ** 31),
  };
  let random: () => number = mulberry32(config.seed);
  const valStarts = evenStarts(trainEnd, data.length, span, text.maxValWindows);
  const sampleSeed = Array.from(data.host.subarray(trainEnd, trainEnd + Math.min(window, 40)));
  const windows = (starts: number[]) =>
    tf.tidy(() => {
      const idx = tf.tensor2d(windowIndices(starts, span), [starts.length, span], 'int32');
      const all = tf.gather(data.ids as tf.Tensor, idx) as tf.Tensor2D;
      return [all.slice([0, 0], [starts.length, window]), all.slice([0, 1], [starts.length, window])] as [tf.Tensor2D, tf.Tensor2D];
    });
  return {
    optimizer,
    stepsPerEpoch: text.evalEvery,
    itemsPerStep: batch * window,
    beginEpoch(r) {
      random = r;
    },
    step() {
      const starts = Array.from({ length: batch }, () => Math.floor(random() * (trainEnd - span + 1)));
      const [x, y] = windows(starts);
      let hits: tf.Scalar | null = null;
      draw = 0;
      const { value, grads } = tf.variableGrads(() => {
        const out = logits(w, x, dropout);
        hits = tf.keep(sequenceHits(out, y));
        return sequenceLoss(out, y);
      }, vars);
      const byName: tf.NamedTensorMap = {};
      names.forEach((n, i) => (byName[n] = grads[vars[i].name]));
      const clipped = clipByGlobalNorm(byName, text.clipNorm);
      optimizer.apply(w, clipped);
      tf.dispose([x, y, ...Object.values(grads)]);
      if (clipped !== byName) tf.dispose(Object.values(clipped));
      return [value, hits as unknown as tf.Scalar];
    },
    async validate() {
      let loss = 0;
      let acc = 0;
      const chunkSize = Math.max(batch, 64);
      for (let i = 0; i < valStarts.length; i += chunkSize) {
        const chunk = valStarts.slice(i, i + chunkSize);
        const [x, y] = windows(chunk);
        const both = tf.tidy(() => {
          const out = logits(w, x); // no dropout at eval
          return tf.stack([sequenceLoss(out, y), sequenceHits(out, y)]);
        });
        const [l, a] = await both.data();
        tf.dispose([x, y, both]);
        loss += l * chunk.length;
        acc += a * chunk.length;
      }
      return { loss: loss / valStarts.length, accuracy: acc / valStarts.length };
    },
    async afterEpoch(step, emit) {
      if (text.sampleLength <= 0) return;
      const ids = [...generateIds(w, sampleSeed, text.sampleLength, { temperature: 0.8, topK: 0, seed: config.seed, useCache: true })];
      emit({ type: 'sample', step, text: decode(Int32Array.from([...sampleSeed, ...ids]), data.vocab.chars) });
    },
  };
}
