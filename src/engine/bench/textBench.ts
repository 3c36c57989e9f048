import * as tf from '@tensorflow/tfjs';
import { Corpus, vocabularyFrom } from '../text/corpus';
import { buildCharLstm, fusedLstmPays } from '../families/charLstm/model';
import { CharLstmConfig } from '../config/charModel';
import { DEFAULT_TEXT_TRAIN } from '../config/textTrain';
import { TrainConfig } from '../config/train';
import { splitPoint, textTask } from '../families/charLstm/task';
import { trainingFlopsPerItem } from './flops';
import { makeOptimizer } from '../train/optimizers';
import { mulberry32 } from '../data/random';
import type { TrainTask } from '../train/trainer';
import type { SpeedResult } from '../config/diagnostics';

/**
 * Our training step timed over `steps` steps after `warmup` steps that compile kernels, with the fused LSTM
 * sequence or with tfjs's own LSTM layers (the page uses whichever fusedLstmPays() picks for the backend).
 */
export async function benchOurs(
  corpus: Corpus,
  model: CharLstmConfig,
  config: TrainConfig,
  warmup: number,
  steps: number,
  fusedLstm = fusedLstmPays(),
  stopped?: () => boolean,
): Promise<SpeedResult> {
  const ids = tf.tensor1d(corpus.ids, 'int32');
  const m = buildCharLstm(model, corpus.info.vocabSize, config.seed);
  const optimizer = makeOptimizer(config.optimizer, config.learningRate);
  const task = textTask(
    m,
    { ids, host: corpus.ids, length: corpus.ids.length, vocab: vocabularyFrom(corpus.vocab) },
    model.window,
    config,
    { ...DEFAULT_TEXT_TRAIN, evalEvery: warmup + steps },
    fusedLstm,
  );
  try {
    const t = await timeTask(task, optimizer, config.seed, warmup, steps, stopped);
    const charsPerSec = (steps * config.batchSize * model.window) / t.seconds;
    return {
      backend: tf.getBackend(),
      charsPerSec,
      gflops: (trainingFlopsPerItem(m, model.window) * charsPerSec) / 1e9,
      stepMs: (t.seconds * 1000) / steps,
      steps,
      tensorsBefore: t.tensorsBefore,
      tensorsAfter: t.tensorsAfter,
      lstmPath: fusedLstm ? 'fused' : 'layers',
    };
  } finally {
    optimizer.dispose();
    m.dispose();
    ids.dispose();
  }
}

/** Thrown out of a measurement that another job asked to stop (see Workspace.giveWay). */
export class Interrupted extends Error {
  constructor() {
    super('The measurement gave way to another job.');
  }
}

/** With `stopped` given: lets queued messages in (one macrotask, outside any timed section) and obeys a stop. */
async function giveWay(stopped?: () => boolean): Promise<void> {
  if (!stopped) return;
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (stopped()) throw new Interrupted();
}

/**
 * Times a training task the way the page's step loop runs it: `warmup` steps first (kernels compile, each read
 * back), then `steps` steps whose losses are read back asynchronously in batches of 20, one read in flight.
 * With `stopped`, it gives way between warm-up steps (never inside the timed steps) and throws Interrupted.
 */
export async function timeTask(
  task: TrainTask,
  optimizer: tf.Optimizer,
  seed: number,
  warmup: number,
  steps: number,
  stopped?: () => boolean,
): Promise<{ seconds: number; tensorsBefore: number; tensorsAfter: number; bytesBefore: number; bytesAfter: number }> {
  task.beginEpoch(mulberry32(seed));
  for (let i = 0; i < warmup; i++) {
    const [l, a] = task.step(optimizer, i % task.stepsPerEpoch);
    await l.data();
    tf.dispose([l, a]);
    await giveWay(stopped);
  }
  const before = tf.memory();
  const start = performance.now();
  let pending: tf.Tensor[] = [];
  let inFlight: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < steps; i++) {
    pending.push(...task.step(optimizer, (warmup + i) % task.stepsPerEpoch));
    if (pending.length >= 20 || i === steps - 1) {
      await inFlight;
      const batch = pending;
      pending = [];
      const stacked = tf.stack(batch);
      tf.dispose(batch);
      inFlight = stacked.data().then(() => stacked.dispose());
    }
  }
  await inFlight;
  const seconds = (performance.now() - start) / 1000;
  const after = tf.memory();
  return { seconds, tensorsBefore: before.numTensors, tensorsAfter: after.numTensors, bytesBefore: before.numBytes, bytesAfter: after.numBytes };
}

/** `count` training windows of `span` characters at seeded random starts (the training part: before the last 10 %). */
function trainingWindows(corpus: Corpus, count: number, span: number, seed: number): Int32Array[] {
  const end = splitPoint(corpus.ids.length, DEFAULT_TEXT_TRAIN.valFraction);
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const s = Math.floor(random() * (end - span));
    return corpus.ids.subarray(s, s + span);
  });
}

/** Times model.fit: a first fit of `warmup` batches compiles the kernels, the second fit is timed whole. */
async function timedFit(
  model: tf.LayersModel,
  data: (from: number, count: number) => [tf.Tensor, tf.Tensor],
  batchSize: number,
  warmup: number,
  batches: number,
  callbacks?: tf.CustomCallbackArgs,
): Promise<{ seconds: number; tensorsBefore: number; tensorsAfter: number }> {
  const [xw, yw] = data(0, batchSize * warmup);
  const [x, y] = data(batchSize * warmup, batchSize * batches);
  try {
    await model.fit(xw, yw, { batchSize, epochs: 1, shuffle: false, callbacks });
    const tensorsBefore = tf.memory().numTensors;
    const start = performance.now();
    const history = await model.fit(x, y, { batchSize, epochs: 1, shuffle: false, callbacks });
    const seconds = (performance.now() - start) / 1000;
    if (!Number.isFinite(history.history.loss?.[0] as number)) throw new Error('the baseline loss was not finite');
    return { seconds, tensorsBefore, tensorsAfter: tf.memory().numTensors };
  } finally {
    tf.dispose([xw, yw, x, y]);
  }
}

/**
 * tfjs's own LSTM layers on our task, written as a tfjs user would: the same model (embedding, LSTM layers
 * returning sequences, dense; the same initial weights) with a softmax on the dense layer, compiled with
 * tfjs's Adam at the same learning rate, sparseCategoricalCrossentropy and metrics ['accuracy'], and model.fit on
 * the same batch of windows, predicting every next character (window characters per example). No callback, so
 * fit yields with tfjs's default yieldEvery ('auto'). No gradient clipping (model.fit has none; our step clips).
 */
export async function benchLayersFit(
  corpus: Corpus,
  config: CharLstmConfig,
  settings: TrainConfig,
  batches: number,
  warmup = 1,
): Promise<SpeedResult> {
  const model = buildCharLstm(config, corpus.info.vocabSize, settings.seed, true);
  const optimizer = tf.train.adam(settings.learningRate);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const t = config.window;
  const windows = trainingWindows(corpus, settings.batchSize * (warmup + batches), t + 1, settings.seed);
  const data = (from: number, count: number): [tf.Tensor, tf.Tensor] => {
    const xs = new Float32Array(count * t);
    const ys = new Float32Array(count * t);
    for (let e = 0; e < count; e++) {
      const w = windows[from + e]!;
      for (let i = 0; i < t; i++) [xs[e * t + i], ys[e * t + i]] = [w[i]!, w[i + 1]!];
    }
    return [tf.tensor2d(xs, [count, t]), tf.tensor3d(ys, [count, t, 1])];
  };
  try {
    const r = await timedFit(model, data, settings.batchSize, warmup, batches);
    return fitSpeed(model, t, batches * settings.batchSize * t, batches, r);
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

/**
 * The tfjs-examples LSTM text generator's approach: one-hot windows of 40 characters, LSTM(units) -> dense softmax,
 * predicting only the character after each window (one predicted character per example), model.fit with batch
 * 128 and an onBatchEnd callback that awaits tf.nextFrame(). A different task from ours (see docs/performance.md).
 */
export async function benchLastChar(corpus: Corpus, units: number, batches: number, warmup = 1, batchSize = 128, window = 40): Promise<SpeedResult> {
  const v = corpus.info.vocabSize;
  const windows = trainingWindows(corpus, batchSize * (warmup + batches), window + 1, 1);
  const data = (from: number, count: number): [tf.Tensor, tf.Tensor] => {
    const xs = new Float32Array(count * window * v);
    const ys = new Float32Array(count * v);
    for (let e = 0; e < count; e++) {
      const w = windows[from + e]!;
      for (let t = 0; t < window; t++) xs[(e * window + t) * v + w[t]!] = 1;
      ys[e * v + w[window]!] = 1;
    }
    return [tf.tensor3d(xs, [count, window, v]), tf.tensor2d(ys, [count, v])];
  };
  const model = tf.sequential();
  // (glorotUniform in place of tfjs's default orthogonal recurrent initialiser, which takes minutes on SwiftShader:
  // the initial values do not change the work timed)
  model.add(tf.layers.lstm({ units, inputShape: [window, v], recurrentInitializer: 'glorotUniform' }));
  model.add(tf.layers.dense({ units: v, activation: 'softmax' }));
  const optimizer = tf.train.adam(0.002);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  try {
    const r = await timedFit(model, data, batchSize, warmup, batches, { onBatchEnd: () => tf.nextFrame() });
    return fitSpeed(model, window, batches * batchSize, batches, r);
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

/** A timed model.fit as a speed result: `chars` predicted characters in `r.seconds`, FLOPs from the model's layers. */
function fitSpeed(model: tf.LayersModel, window: number, chars: number, batches: number, r: Awaited<ReturnType<typeof timedFit>>): SpeedResult {
  const charsPerSec = chars / r.seconds;
  return {
    backend: tf.getBackend(),
    charsPerSec,
    gflops: (trainingFlopsPerItem(model, window) * charsPerSec) / 1e9,
    stepMs: (r.seconds * 1000) / batches,
    steps: batches,
    ...r,
  };
}
