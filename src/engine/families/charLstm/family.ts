import type { CharLstmConfig, CharLstmMetadata } from '../../config/charModel';
import { DEFAULT_TEXT_OPTIMIZER } from '../../config/textTrain';
import { DEFAULT_TRAIN } from '../../config/train';
import { benchOurs } from '../../bench/textBench';
import { isKernel, loadSnapshot } from '../../compress/snapshot';
import { identityProblem, textIdentity } from '../../runs/identity';
import { TextError } from '../../text/corpus';
import type { FamilyContext, ModelFamily } from '../family';
import { charLstmInspector } from './inspect';
import { buildCharLstm, fusedLstmPays } from './model';
import { evaluateText, evenStarts, splitPoint, textTask } from './task';

/** The loaded text, checked against the char-LSTM's vocabulary: nats per character only compare on the same ids. */
function textFor(ctx: FamilyContext, meta: Partial<CharLstmMetadata>) {
  const data = ctx.textData();
  const vocab = ctx.text!.corpus.vocab;
  if (!meta.vocab || !meta.config || meta.vocab.length !== vocab.length || meta.vocab.some((c, i) => c !== vocab[i])) {
    throw new TextError(
      `This char-LSTM was trained on ${meta.corpus ?? 'another text'} with another vocabulary; load that text (same lowercase and cap options) to measure it.`,
    );
  }
  return { data, window: meta.config.window };
}

/** Character-level LSTM language models on the loaded text, judged by validation nats per character. */
export const charLstmFamily: ModelFamily = {
  id: 'text',
  kinds: ['charLstm'],
  epochWord: 'rounds',
  metric: { name: 'validation nats/char', higherIsBetter: false },
  prunable: isKernel, // kernels, recurrent kernels and embeddings (rank 2 and up)
  filePrefix: 'char-lstm',
  text: charLstmInspector,

  current(ctx, doing) {
    if (ctx.charModel?.meta.kind === 'charLstm') return ctx.charModel.model;
    throw new Error(
      doing === 'compress'
        ? 'Train or load a char-LSTM first; there is nothing to compress yet.'
        : 'Train or load a char-LSTM first; there is nothing to export yet.',
    );
  },

  checkMeasurable(ctx) {
    if (!ctx.text) throw new TextError('Load the text the model was trained on first; its validation part measures each variant.');
  },

  metadata: (ctx) => ({ ...ctx.charModel!.meta }),

  fileStem: (ctx) => `char-lstm-${ctx.charModel!.meta.corpus}`,

  fineTuneTask(model, ctx, config) {
    const meta = ctx.charModel!.meta as CharLstmMetadata; // current() checked the kind
    return textTask(model, ctx.textData(), meta.config.window, config, { ...ctx.textTrain, sampleLength: 0 });
  },

  async measure(ctx, snap) {
    const { data, window } = textFor(ctx, snap.metadata as Partial<CharLstmMetadata>);
    const model = await loadSnapshot(snap);
    try {
      const { valFraction, maxValWindows } = ctx.textTrain;
      const starts = evenStarts(splitPoint(data.length, valFraction), data.length, window + 1, maxValWindows);
      if (starts.length === 0) throw new TextError('The validation part of this text is shorter than one window; load a longer text.');
      return (await evaluateText(model, data.ids, starts, window, 128)).loss;
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
    const config = record.model as CharLstmConfig | null;
    const vocab = record.vocab;
    if (!config || !vocab || !record.text) throw new Error('This char-LSTM run lacks its model settings or vocabulary; it cannot be rebuilt.');
    const textConfig = record.text;
    const meta: CharLstmMetadata = { kind: 'charLstm', vocab: vocab.chars, options: vocab.options, config, corpus: record.dataset.name };
    return {
      makeModel: async () => buildCharLstm(config, vocab.chars.length, train.seed),
      makeTask: (model) => textTask(model, ctx.textData(), config.window, train, textConfig),
      adopt: (model) => ctx.adoptCharModel(model, meta),
      metric: (point) => ({ name: 'validation nats/char', value: point.valLoss }),
      exportMetadata: () => ({ kind: 'charLstm', vocab: vocab.chars, options: vocab.options, config, corpus: record.dataset.name }),
    };
  },

  /** Two steps after a warm-up one, with the page's text defaults. */
  async backendSpeed(ctx, config, stopped) {
    if (!ctx.text) throw new TextError('Load a text first.');
    return (
      await benchOurs(ctx.text.corpus, config as CharLstmConfig, { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER }, 1, 2, fusedLstmPays(), stopped)
    ).charsPerSec;
  },
};
