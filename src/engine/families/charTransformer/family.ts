import * as tf from '@tensorflow/tfjs';
import type { CharTransformerConfig, CharTransformerMetadata } from '../../config/charTransformer';
import { DEFAULT_TEXT_OPTIMIZER } from '../../config/textTrain';
import { DEFAULT_TRAIN } from '../../config/train';
import { loadSnapshot } from '../../compress/snapshot';
import { timeTask } from '../../bench/textBench';
import { makeOptimizer } from '../../train/optimizers';
import { identityProblem, textIdentity } from '../../runs/identity';
import { TextError, vocabularyFrom } from '../../text/corpus';
import type { FamilyContext, ModelFamily } from '../family';
import { evaluateText, evenStarts, splitPoint } from '../charLstm/task';
import { charTransformerInspector } from './inspect';
import { buildCharTransformerModel, transformerWeights } from './layer';
import { charTransformerTask } from './task';

function metaOf(ctx: FamilyContext): CharTransformerMetadata {
  const meta = ctx.charModel?.meta;
  if (meta?.kind !== 'charTransformer') throw new Error('Train or load a char-Transformer first.');
  return meta;
}

/** The token and position embeddings: never pruned (with a tied head, wte is the output layer too). */
const EMBEDDINGS = new Set(['wte', 'wpe']);

/** Decoder-only Transformers (tiny GPT) on the loaded text, judged like the char-LSTM by validation nats per character. */
export const charTransformerFamily: ModelFamily = {
  id: 'text',
  kinds: ['charTransformer'],
  epochWord: 'rounds',
  metric: { name: 'validation nats/char', higherIsBetter: false },
  /** The blocks' matrices (h{i}.attn.w, proj.w, fc.w, fc2.w) and an untied head.w: rank 2 and not an embedding. */
  prunable: (w) => w.shape.length === 2 && !EMBEDDINGS.has(w.name.slice(w.name.lastIndexOf('/') + 1)),
  filePrefix: 'char-gpt',
  text: charTransformerInspector,

  current(ctx, doing) {
    if (ctx.charModel?.meta.kind === 'charTransformer') return ctx.charModel.model;
    throw new Error(`Train or load a char-Transformer first; there is nothing to ${doing} yet.`);
  },

  checkMeasurable(ctx) {
    if (!ctx.text) throw new TextError('Load the text the model was trained on first; its validation part measures each variant.');
  },

  metadata: (ctx) => ({ ...metaOf(ctx) }),

  fileStem: (ctx) => `char-gpt-${metaOf(ctx).corpus}`,

  fineTuneTask(model, ctx, config) {
    return charTransformerTask(transformerWeights(model), ctx.textData(), config, { ...ctx.textTrain, sampleLength: 0 });
  },

  async measure(ctx, snap) {
    const meta = snap.metadata as Partial<CharTransformerMetadata>;
    const vocab = ctx.text!.corpus.vocab;
    if (!meta.vocab || !meta.config || meta.vocab.length !== vocab.length || meta.vocab.some((c, i) => c !== vocab[i])) {
      throw new TextError(
        `This char-Transformer was trained on ${meta.corpus ?? 'another text'} with another vocabulary; load that text (same lowercase and cap options) to measure it.`,
      );
    }
    const data = ctx.textData();
    const model = await loadSnapshot(snap);
    try {
      const window = meta.config.context;
      const { valFraction, maxValWindows } = ctx.textTrain;
      const starts = evenStarts(splitPoint(data.length, valFraction), data.length, window + 1, maxValWindows);
      if (starts.length === 0) throw new TextError('The validation part of this text is shorter than one context; load a longer text.');
      return (await evaluateText(model, data.ids, starts, window, 64)).loss;
    } finally {
      model.dispose();
    }
  },

  identity: (ctx) => (ctx.text ? textIdentity(ctx.text.corpus) : null),

  dataProblem(run, ctx) {
    return identityProblem(run, this.identity(ctx), 'text', 'characters');
  },

  plan(record, ctx) {
    const { train } = record;
    const config = record.model as CharTransformerConfig | null;
    const vocab = record.vocab;
    if (!config || config.kind !== 'charTransformer' || !vocab || !record.text)
      throw new Error('This char-Transformer run lacks its model settings or vocabulary; it cannot be rebuilt.');
    const textConfig = record.text;
    const meta: CharTransformerMetadata = {
      kind: 'charTransformer',
      vocab: vocab.chars,
      options: vocab.options,
      config,
      corpus: record.dataset.name,
    };
    return {
      makeModel: async () => buildCharTransformerModel(config, vocab.chars.length, train.seed),
      makeTask: (model) => charTransformerTask(transformerWeights(model), ctx.textData(), train, textConfig),
      adopt: (model) => ctx.adoptCharModel(model, meta),
      metric: (point) => ({ name: 'validation nats/char', value: point.valLoss }),
      exportMetadata: () => ({ ...meta }),
    };
  },

  /** Two steps after a warm-up one, with the page's text defaults. */
  async backendSpeed(ctx, config, stopped) {
    if (!ctx.text) throw new TextError('Load a text first.');
    const c = config as unknown as CharTransformerConfig;
    const { corpus } = ctx.text;
    const train = { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER };
    const ids = tf.tensor1d(corpus.ids, 'int32');
    const model = buildCharTransformerModel(c, corpus.info.vocabSize, train.seed);
    const optimizer = makeOptimizer(train.optimizer, train.learningRate); // unused by the task (it has its own AdamW)
    const data = { ids, host: corpus.ids, length: corpus.ids.length, vocab: vocabularyFrom(corpus.vocab) };
    const task = charTransformerTask(transformerWeights(model), data, train, { ...ctx.textTrain, evalEvery: 3, sampleLength: 0 });
    try {
      const t = await timeTask(task, optimizer, train.seed, 1, 2, stopped);
      return (2 * train.batchSize * c.context) / t.seconds;
    } finally {
      task.optimizer.dispose();
      optimizer.dispose();
      model.dispose();
      ids.dispose();
    }
  },
};
