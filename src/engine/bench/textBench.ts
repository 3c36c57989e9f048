import * as tf from '@tensorflow/tfjs';
import { Corpus, vocabularyFrom } from '../text/corpus';
import { buildCharLstm, fusedLstmPays } from '../families/charLstm/model';
import { CharLstmConfig } from '../config/charModel';
import { DEFAULT_TEXT_TRAIN } from '../config/textTrain';
import { TrainConfig } from '../config/train';
import { textTask } from '../families/charLstm/task';
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
    return {
      backend: tf.getBackend(),
      charsPerSec: (steps * config.batchSize * model.window) / t.seconds,
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

/**
 * The common tfjs approach (as in the tfjs-examples LSTM text generator): one-hot windows of 40 characters,
 * LSTM(units) -> dense softmax, predicting only the character after each window, trained with model.fit and an
 * onBatchEnd callback that awaits tf.nextFrame(). One predicted character per example.
 */
export async function benchBaseline(corpus: Corpus, units: number, batches: number, batchSize = 128, window = 40): Promise<SpeedResult> {
  const v = corpus.info.vocabSize;
  const n = batchSize * (batches + 1); // the first batch is the warm-up
  const random = mulberry32(1);
  const xs = new Float32Array(n * window * v);
  const ys = new Float32Array(n * v);
  for (let e = 0; e < n; e++) {
    const s = Math.floor(random() * (corpus.ids.length - window - 1));
    for (let t = 0; t < window; t++) xs[(e * window + t) * v + corpus.ids[s + t]] = 1;
    ys[e * v + corpus.ids[s + window]] = 1;
  }
  const model = tf.sequential();
  model.add(tf.layers.lstm({ units, inputShape: [window, v] }));
  model.add(tf.layers.dense({ units: v, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.002), loss: 'categoricalCrossentropy' });
  const x = tf.tensor3d(xs, [n, window, v]);
  const y = tf.tensor2d(ys, [n, v]);
  let started = 0;
  let timedBatches = 0;
  try {
    const tensorsBefore = tf.memory().numTensors;
    await model.fit(x, y, {
      batchSize,
      epochs: 1,
      shuffle: false,
      callbacks: {
        onBatchEnd: async (batch) => {
          if (batch === 0) started = performance.now();
          else timedBatches++;
          await tf.nextFrame();
        },
      },
    });
    const seconds = (performance.now() - started) / 1000;
    return {
      backend: tf.getBackend(),
      charsPerSec: (timedBatches * batchSize) / seconds,
      stepMs: (seconds * 1000) / timedBatches,
      steps: timedBatches,
      tensorsBefore,
      tensorsAfter: tf.memory().numTensors,
    };
  } finally {
    model.dispose();
    tf.dispose([x, y]);
  }
}
