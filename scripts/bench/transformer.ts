// npm run bench -- --models transformer --minutes M, run in Node (tfjs's wasm backend as the page loads it): the small
// Transformer (our fused step) and the default char-LSTM each trained for M minutes wall-clock on the default corpus,
// validation nats/char over time. (The Transformer's speed cells run in the page: scripts/bench.ts.)
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DEFAULT_CHAR_MODEL } from '../../src/engine/config/charModel';
import { TRANSFORMER_PRESETS } from '../../src/engine/config/charTransformer';
import { DEFAULT_CORPUS_OPTIONS } from '../../src/engine/config/corpus';
import { DEFAULT_TEXT_OPTIMIZER, DEFAULT_TEXT_TRAIN } from '../../src/engine/config/textTrain';
import { DEFAULT_TRAIN, type TrainConfig } from '../../src/engine/config/train';
import { mulberry32 } from '../../src/engine/data/random';
import { benchTransformerStep } from '../../src/engine/bench/transformerBench';
import { buildCharLstm } from '../../src/engine/families/charLstm/model';
import { textTask, type TextData } from '../../src/engine/families/charLstm/task';
import { buildCharTransformer, disposeTransformer } from '../../src/engine/families/charTransformer/layer';
import { charTransformerTask } from '../../src/engine/families/charTransformer/task';
import { registerKernels } from '../../src/engine/kernels/registry';
import { buildCorpus, decodeText, vocabularyFrom } from '../../src/engine/text/corpus';
import type { TrainTask } from '../../src/engine/train/trainer';
import { makeOptimizer } from '../../src/engine/train/optimizers';

/** The page's default corpus (public/data/sotu.txt.gz, written by npm run prepare-data) as the Text tab builds it. */
function defaultCorpus(): { data: TextData; vocabSize: number; chars: number } {
  const bytes = gunzipSync(readFileSync('public/data/sotu.txt.gz'));
  const corpus = buildCorpus(decodeText(bytes, 'sotu.txt'), 'sotu', bytes.length, DEFAULT_CORPUS_OPTIONS);
  const ids = tf.tensor1d(corpus.ids, 'int32');
  tf.keep(ids);
  return {
    data: { ids, host: corpus.ids, length: corpus.ids.length, vocab: vocabularyFrom(corpus.vocab) },
    vocabSize: corpus.info.vocabSize,
    chars: corpus.ids.length,
  };
}

/** The Text tab's shared settings (batch 64, seed 42); the Transformer's AdamW peak learning rate is `lr`, its batch `batch`. */
function settings(lr: number, batch?: number): TrainConfig {
  const tab = { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER, learningRate: lr };
  return batch ? { ...tab, batchSize: batch } : tab;
}

async function useBackend(backend: string): Promise<void> {
  registerKernels(); // the page's kernel set (worker start-up), for both columns
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start in Node`);
  await tf.ready();
}

interface CurvePoint {
  seconds: number;
  steps: number;
  valLoss: number;
}

/**
 * Trains a task for `seconds` of wall-clock time (validation included), validating whenever `every` seconds have
 * passed since the last validation and once more when the time is up; the clock starts before the first step
 * (kernel compilation counts). Validating by time gives both families about the same number of points and overhead.
 */
async function trainFor(task: TrainTask, optimizer: tf.Optimizer, seed: number, seconds: number, every: number): Promise<CurvePoint[]> {
  task.beginEpoch(mulberry32(seed));
  const curve: CurvePoint[] = [];
  const start = performance.now();
  const elapsed = () => (performance.now() - start) / 1000;
  let steps = 0;
  let lastValidation = 0;
  while (elapsed() < seconds) {
    const [l, a] = task.step(optimizer, steps % task.stepsPerEpoch);
    await l.data(); // one read a step: the loop waits for the step (the page's loop reads every few steps)
    tf.dispose([l, a]);
    steps++;
    if (elapsed() - lastValidation >= every || elapsed() >= seconds) {
      const v = await task.validate();
      lastValidation = elapsed();
      curve.push({ seconds: lastValidation, steps, valLoss: v!.loss });
    }
  }
  return curve;
}

function summary(curve: CurvePoint[], target: number) {
  const best = curve.reduce((b, p) => (p.valLoss < b.valLoss ? p : b), curve[0]!);
  const first = curve.find((p) => p.valLoss <= target);
  return {
    bestValLoss: best.valLoss,
    bestAt: { seconds: best.seconds, steps: best.steps },
    target,
    reachedTarget: first ? { seconds: first.seconds, steps: first.steps, valLoss: first.valLoss } : 'not reached',
    steps: curve[curve.length - 1]!.steps,
    seconds: curve[curve.length - 1]!.seconds,
  };
}

/**
 * The small Transformer (our fused step, AdamW peak `lr`, warm-up + cosine sized to the steps a timing run says
 * fit in the time) and the default char-LSTM (the Text tab's defaults: Adam 0.01, batch 64, clip 5), each for
 * `minutes` on `backend`, validating every `evalSeconds` on the default corpus's validation part (256 windows).
 */
export async function familiesForMinutes(backend: string, minutes: number, lr: number, evalSeconds: number, target: number, batch?: number) {
  await useBackend(backend);
  const corpus = defaultCorpus();
  const seconds = minutes * 60;
  const text = { ...DEFAULT_TEXT_TRAIN, evalEvery: 1, sampleLength: 0 }; // rounds of one step: epochs = the schedule's steps
  const out: Record<string, unknown> = {
    backend,
    minutes,
    evalSeconds,
    target,
    corpus: { name: 'sotu (default)', chars: corpus.chars, vocab: corpus.vocabSize },
  };

  const small = TRANSFORMER_PRESETS.small;
  const probe = await benchTransformerStep(corpus.data, corpus.vocabSize, small, settings(lr, batch), true, 1, 2);
  const plannedSteps = Math.max(10, Math.floor((seconds / (probe.stepMs / 1000)) * 0.95));
  const config = { ...settings(lr, batch), epochs: plannedSteps };
  const w = buildCharTransformer(small, corpus.vocabSize, config.seed);
  const task = charTransformerTask(w, corpus.data, config, text);
  console.log(
    `transformer small: ${minutes} min on ${backend}, AdamW lr ${lr}, schedule over ${plannedSteps} steps (probe ${probe.stepMs.toFixed(0)} ms a step)`,
  );
  const curveT = await trainFor(task, task.optimizer, config.seed, seconds, evalSeconds);
  task.optimizer.dispose();
  disposeTransformer(w);
  out.transformer = {
    model: small,
    train: { optimizer: 'AdamW', peakLr: lr, batch: config.batchSize, scheduleSteps: plannedSteps, clipNorm: text.clipNorm },
    ...summary(curveT, target),
    curve: curveT,
  };
  console.log('transformer:', JSON.stringify({ ...(out.transformer as object), curve: undefined }));

  const lstmConfig = settings(DEFAULT_TEXT_OPTIMIZER.learningRate!);
  const m = buildCharLstm(DEFAULT_CHAR_MODEL, corpus.vocabSize, lstmConfig.seed);
  const opt = makeOptimizer(lstmConfig.optimizer, lstmConfig.learningRate);
  const lstmTask = textTask(m, corpus.data, DEFAULT_CHAR_MODEL.window, lstmConfig, text);
  console.log(`char-LSTM default: ${minutes} min on ${backend}, ${lstmConfig.optimizer} lr ${lstmConfig.learningRate}`);
  const curveL = await trainFor(lstmTask, opt, lstmConfig.seed, seconds, evalSeconds);
  opt.dispose();
  m.dispose();
  out.lstm = {
    model: DEFAULT_CHAR_MODEL,
    train: { optimizer: lstmConfig.optimizer, lr: lstmConfig.learningRate, batch: lstmConfig.batchSize, clipNorm: text.clipNorm },
    ...summary(curveL, target),
    curve: curveL,
  };
  console.log('char-LSTM:', JSON.stringify({ ...(out.lstm as object), curve: undefined }));
  tf.dispose(corpus.data.ids);
  return out;
}
