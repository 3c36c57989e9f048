import * as tf from '@tensorflow/tfjs';
import type { CharTransformerConfig } from '../config/charTransformer';
import type { SpeedResult } from '../config/diagnostics';
import { DEFAULT_TEXT_TRAIN } from '../config/textTrain';
import type { TrainConfig } from '../config/train';
import type { TextData } from '../families/charLstm/task';
import { buildCharTransformer, disposeTransformer } from '../families/charTransformer/layer';
import { plainTransformerLogits, transformerLogits } from '../families/charTransformer/model';
import { charTransformerTask } from '../families/charTransformer/task';
import { timeTask } from './textBench';

/**
 * Training FLOPs per predicted character of a char-Transformer: 6 N + 12 L T d (nanoGPT's estimate_mfu after the
 * PaLM paper: 6 per matmul weight for forward and backward, N = the blocks' matrices and the head, the embedding
 * lookups free; plus attention's scores and weighted sums over the whole causal square, as nanoGPT counts them).
 */
function transformerFlopsPerChar(c: CharTransformerConfig, vocab: number): number {
  const d = c.width;
  const block = d * 3 * d + d * d + 2 * d * 4 * d; // qkv, projection, MLP in and out
  const n = c.layers * block + d * vocab; // the head's matmul costs d x vocab, tied or not
  return 6 * n + 12 * c.layers * c.context * d;
}

/**
 * One speed measurement of a fresh char-Transformer (the run's seed): `warmup` steps, then `steps` timed steps of the
 * page's training step (our fused pieces, `fused`) or of the same step with the plain-ops forward and autodiff
 * (model.ts plainTransformerLogits: the baseline every ratio is stated against). Same data, batch and AdamW.
 */
export async function benchTransformerStep(
  data: TextData,
  vocabSize: number,
  model: CharTransformerConfig,
  config: TrainConfig,
  fused: boolean,
  warmup: number,
  steps: number,
): Promise<SpeedResult> {
  const w = buildCharTransformer(model, vocabSize, config.seed);
  const task = charTransformerTask(
    w,
    data,
    config,
    { ...DEFAULT_TEXT_TRAIN, evalEvery: warmup + steps },
    fused ? transformerLogits : plainTransformerLogits,
  );
  try {
    const t = await timeTask(task, task.optimizer, config.seed, warmup, steps);
    const charsPerSec = (steps * config.batchSize * model.context) / t.seconds;
    return {
      backend: tf.getBackend(),
      charsPerSec,
      gflops: (transformerFlopsPerChar(model, vocabSize) * charsPerSec) / 1e9,
      stepMs: (t.seconds * 1000) / steps,
      steps,
      tensorsBefore: t.tensorsBefore,
      tensorsAfter: t.tensorsAfter,
    };
  } finally {
    task.optimizer.dispose();
    disposeTransformer(w);
  }
}
