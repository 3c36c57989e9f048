import type { AppState, CompressSlice, Mode } from '../store/store';
import type { CnnConfig, MlpConfig } from '../../engine/models/config';
import { validateModelConfig } from '../../engine/models/validate';
import { LR_SCHEDULES, OPTIMIZERS, TrainConfig, validateTrainConfig } from '../../engine/train/config';
import { CharLstmConfig, validateCharConfig } from '../../engine/text/charModel';
import { TextTrainConfig, validateTextTrainConfig } from '../../engine/text/textTask';
import { GenerateOptions, validateGenerateOptions } from '../../engine/text/sampler';
import { CorpusOptions, validateCorpusOptions } from '../../engine/text/corpus';
import { choiceField, convCodec, denseCodec, flagField, listField, numberField, Section, textField, UrlField } from './fields';

// Immutable one-slice updates, so a rejected value leaves the state it was tried on untouched.
const mlp = (s: AppState): MlpConfig => s.model.configs.mlp as MlpConfig;
const cnn = (s: AppState): CnnConfig => s.model.configs.cnn as CnnConfig;
const withMlp = (s: AppState, p: Partial<MlpConfig>): AppState => ({
  ...s,
  model: { ...s.model, configs: { ...s.model.configs, mlp: { ...mlp(s), ...p } } },
});
const withCnn = (s: AppState, p: Partial<CnnConfig>): AppState => ({
  ...s,
  model: { ...s.model, configs: { ...s.model.configs, cnn: { ...cnn(s), ...p } } },
});
const withTrain = (s: AppState, p: Partial<TrainConfig>): AppState => ({ ...s, train: { ...s.train, config: { ...s.train.config, ...p } } });
const withText = (s: AppState, p: Partial<AppState['text']>): AppState => ({ ...s, text: { ...s.text, ...p } });
const withTextTrain = (s: AppState, p: Partial<TrainConfig>) => withText(s, { config: { ...s.text.config, ...p } });
const withTextOnly = (s: AppState, p: Partial<TextTrainConfig>) => withText(s, { textConfig: { ...s.text.textConfig, ...p } });
const withChar = (s: AppState, p: Partial<CharLstmConfig>) => withText(s, { model: { ...s.text.model, ...p } });
const withCorpus = (s: AppState, p: Partial<CorpusOptions>) => withText(s, { options: { ...s.text.options, ...p } });
const withGenerate = (s: AppState, p: Partial<GenerateOptions>) => withText(s, { generate: { ...s.text.generate, ...p } });
const withCompress = (s: AppState, m: Mode, p: (c: CompressSlice) => Partial<CompressSlice>): AppState => ({
  ...s,
  compress: { ...s.compress, [m]: { ...s.compress[m], ...p(s.compress[m]) } },
});

/** The shared training settings, once for the image models (no prefix) and once for the char-LSTM ("t."). */
function trainFields(
  prefix: string,
  section: Section,
  get: (s: AppState) => TrainConfig,
  set: (s: AppState, p: Partial<TrainConfig>) => AppState,
  images: boolean,
): UrlField[] {
  const fields = [
    choiceField(
      `${prefix}opt`,
      'optimizer',
      section,
      OPTIMIZERS,
      (s) => get(s).optimizer,
      (s, optimizer) => set(s, { optimizer }),
    ),
    numberField(
      `${prefix}lr`,
      'learning rate',
      section,
      (s) => get(s).learningRate,
      (s, learningRate) => set(s, { learningRate }),
    ),
    numberField(
      `${prefix}batch`,
      'batch size',
      section,
      (s) => get(s).batchSize,
      (s, batchSize) => set(s, { batchSize }),
    ),
    numberField(
      `${prefix}${images ? 'epochs' : 'rounds'}`,
      images ? 'epochs' : 'rounds',
      section,
      (s) => get(s).epochs,
      (s, epochs) => set(s, { epochs }),
    ),
    numberField(
      `${prefix}seed`,
      'random seed',
      section,
      (s) => get(s).seed,
      (s, seed) => set(s, { seed }),
    ),
  ];
  if (!images) return fields;
  return [
    ...fields,
    choiceField(
      'sched',
      'learning-rate schedule',
      section,
      LR_SCHEDULES,
      (s) => get(s).lrSchedule,
      (s, lrSchedule) => set(s, { lrSchedule }),
    ),
    numberField(
      'l1',
      'L1 penalty',
      section,
      (s) => get(s).l1,
      (s, l1) => set(s, { l1 }),
    ),
    numberField(
      'l2',
      'L2 penalty',
      section,
      (s) => get(s).l2,
      (s, l2) => set(s, { l2 }),
    ),
    numberField(
      'limit',
      'training subset',
      section,
      (s) => get(s).trainLimit,
      (s, trainLimit) => set(s, { trainLimit }),
    ),
  ];
}

/** Compression choices of one tab: "c." for images, "tc." for text. */
function compressFields(m: Mode): UrlField[] {
  const p = m === 'images' ? 'c.' : 'tc.';
  const c = (s: AppState) => s.compress[m];
  const fields: UrlField[] = [
    choiceField(
      `${p}bits`,
      'quantization precision',
      'compress',
      [16, 8, 4] as const,
      (s) => c(s).quant.bits,
      (s, bits) => withCompress(s, m, (x) => ({ quant: { ...x.quant, bits } })),
    ),
    choiceField(
      `${p}scheme`,
      'quantization scheme',
      'compress',
      ['affine', 'symmetric'] as const,
      (s) => c(s).quant.scheme,
      (s, scheme) => withCompress(s, m, (x) => ({ quant: { ...x.quant, scheme } })),
    ),
    choiceField(
      `${p}gran`,
      'quantization granularity',
      'compress',
      ['tensor', 'channel'] as const,
      (s) => c(s).quant.granularity,
      (s, granularity) => withCompress(s, m, (x) => ({ quant: { ...x.quant, granularity } })),
    ),
    numberField(
      `${p}sparsity`,
      'target sparsity',
      'compress',
      (s) => c(s).prune.sparsity,
      (s, sparsity) => withCompress(s, m, (x) => ({ prune: { ...x.prune, sparsity } })),
    ),
    choiceField(
      `${p}scope`,
      'pruning threshold',
      'compress',
      ['global', 'layer'] as const,
      (s) => c(s).prune.scope,
      (s, scope) => withCompress(s, m, (x) => ({ prune: { ...x.prune, scope } })),
    ),
    choiceField(
      `${p}mode`,
      'pruning mode',
      'compress',
      ['oneShot', 'gradual'] as const,
      (s) => c(s).prune.mode,
      (s, mode) => withCompress(s, m, (x) => ({ prune: { ...x.prune, mode } })),
    ),
    numberField(
      `${p}tune`,
      'fine-tuning length',
      'compress',
      (s) => c(s).prune.epochs,
      (s, epochs) => withCompress(s, m, (x) => ({ prune: { ...x.prune, epochs } })),
    ),
    flagField(
      `${p}biases`,
      'prune biases',
      'compress',
      (s) => c(s).prune.includeBiases,
      (s, includeBiases) => withCompress(s, m, (x) => ({ prune: { ...x.prune, includeBiases } })),
    ),
  ];
  if (m === 'text') return fields;
  return [
    ...fields,
    choiceField(
      'c.student',
      'distillation student',
      'compress',
      ['small', 'builder'] as const,
      (s) => c(s).distill.student,
      (s, student) => withCompress(s, m, (x) => ({ distill: { ...x.distill, student } })),
    ),
    numberField(
      'c.temp',
      'distillation temperature',
      'compress',
      (s) => c(s).distill.temperature,
      (s, temperature) => withCompress(s, m, (x) => ({ distill: { ...x.distill, temperature } })),
    ),
    numberField(
      'c.alpha',
      'distillation alpha',
      'compress',
      (s) => c(s).distill.alpha,
      (s, alpha) => withCompress(s, m, (x) => ({ distill: { ...x.distill, alpha } })),
    ),
    numberField(
      'c.depochs',
      'distillation epochs',
      'compress',
      (s) => c(s).distill.epochs,
      (s, epochs) => withCompress(s, m, (x) => ({ distill: { ...x.distill, epochs } })),
    ),
  ];
}

/** Every setting a link carries, in query-string order. The backend override is `backend` (see urlState.ts). */
export const URL_FIELDS: UrlField[] = [
  choiceField(
    'tab',
    'tab',
    'app',
    ['images', 'text'] as const,
    (s) => s.mode,
    (s, mode) => ({ ...s, mode }),
  ),
  choiceField(
    'model',
    'model type',
    'app',
    ['mlp', 'cnn'] as const,
    (s) => s.model.kind,
    (s, kind) => ({ ...s, model: { ...s.model, kind } }),
  ),
  listField(
    'mlp',
    'MLP hidden layers',
    'mlp',
    denseCodec,
    (s) => mlp(s).hidden,
    (s, hidden) => withMlp(s, { hidden }),
  ),
  numberField(
    'mlp.dropout',
    'MLP dropout',
    'mlp',
    (s) => mlp(s).dropout,
    (s, dropout) => withMlp(s, { dropout }),
  ),
  listField(
    'cnn.conv',
    'CNN conv blocks',
    'cnn',
    convCodec,
    (s) => cnn(s).blocks,
    (s, blocks) => withCnn(s, { blocks }),
  ),
  listField(
    'cnn.dense',
    'CNN dense head',
    'cnn',
    denseCodec,
    (s) => cnn(s).dense,
    (s, dense) => withCnn(s, { dense }),
  ),
  numberField(
    'cnn.dropout',
    'CNN dropout',
    'cnn',
    (s) => cnn(s).dropout,
    (s, dropout) => withCnn(s, { dropout }),
  ),
  ...trainFields('', 'train', (s) => s.train.config, withTrain, true),
  flagField(
    't.lower',
    'lowercase',
    'corpus',
    (s) => s.text.options.lowercase,
    (s, lowercase) => withCorpus(s, { lowercase }),
  ),
  numberField(
    't.vocab',
    'vocabulary cap',
    'corpus',
    (s) => s.text.options.maxVocab,
    (s, maxVocab) => withCorpus(s, { maxVocab }),
  ),
  numberField(
    't.emb',
    'embedding size',
    'char',
    (s) => s.text.model.embedding,
    (s, embedding) => withChar(s, { embedding }),
  ),
  numberField(
    't.layers',
    'LSTM layers',
    'char',
    (s) => s.text.model.layers,
    (s, layers) => withChar(s, { layers }),
  ),
  numberField(
    't.units',
    'LSTM units',
    'char',
    (s) => s.text.model.units,
    (s, units) => withChar(s, { units }),
  ),
  numberField(
    't.dropout',
    'char-LSTM dropout',
    'char',
    (s) => s.text.model.dropout,
    (s, dropout) => withChar(s, { dropout }),
  ),
  numberField(
    't.window',
    'window',
    'char',
    (s) => s.text.model.window,
    (s, window) => withChar(s, { window }),
  ),
  ...trainFields('t.', 'textTrain', (s) => s.text.config, withTextTrain, false),
  numberField(
    't.every',
    'steps per round',
    'textOnly',
    (s) => s.text.textConfig.evalEvery,
    (s, evalEvery) => withTextOnly(s, { evalEvery }),
  ),
  numberField(
    't.clip',
    'gradient clip',
    'textOnly',
    (s) => s.text.textConfig.clipNorm,
    (s, clipNorm) => withTextOnly(s, { clipNorm }),
  ),
  numberField(
    't.val',
    'validation share',
    'textOnly',
    (s) => s.text.textConfig.valFraction,
    (s, valFraction) => withTextOnly(s, { valFraction }),
  ),
  numberField(
    't.sample',
    'sample length',
    'textOnly',
    (s) => s.text.textConfig.sampleLength,
    (s, sampleLength) => withTextOnly(s, { sampleLength }),
  ),
  textField(
    'g.text',
    'seed text',
    'generate',
    (s) => s.text.generate.seedText,
    (s, seedText) => withGenerate(s, { seedText }),
  ),
  numberField(
    'g.len',
    'generated length',
    'generate',
    (s) => s.text.generate.length,
    (s, length) => withGenerate(s, { length }),
  ),
  numberField(
    'g.temp',
    'temperature',
    'generate',
    (s) => s.text.generate.temperature,
    (s, temperature) => withGenerate(s, { temperature }),
  ),
  numberField(
    'g.topk',
    'top-k',
    'generate',
    (s) => s.text.generate.topK,
    (s, topK) => withGenerate(s, { topK }),
  ),
  numberField(
    'g.seed',
    'sampling seed',
    'generate',
    (s) => s.text.generate.seed,
    (s, seed) => withGenerate(s, { seed }),
  ),
  ...compressFields('images'),
  ...compressFields('text'),
];

const range = (v: number, lo: number, hi: number, what: string, whole = false) =>
  (whole ? Number.isInteger(v) : Number.isFinite(v)) && v >= lo && v <= hi
    ? []
    : [`${what} must be ${whole ? 'a whole number ' : ''}from ${lo} to ${hi}, got ${v}.`];

function validateCompress(c: CompressSlice): string[] {
  return [
    ...range(c.prune.sparsity, 0, 0.99, 'Target sparsity'),
    ...range(c.prune.epochs, 1, 100, 'Fine-tuning length', true),
    ...range(c.distill.temperature, 0.1, 100, 'Distillation temperature'),
    ...range(c.distill.alpha, 0, 1, 'Distillation alpha'),
    ...range(c.distill.epochs, 1, 1000, 'Distillation epochs', true),
  ];
}

/** The engine's own checks, per group: a value from a link is kept only if its group stays valid. */
export const VALIDATORS: Record<Section, (s: AppState) => string[]> = {
  app: () => [],
  mlp: (s) => validateModelConfig(s.model.configs.mlp),
  cnn: (s) => validateModelConfig(s.model.configs.cnn),
  train: (s) => validateTrainConfig(s.train.config),
  corpus: (s) => validateCorpusOptions(s.text.options),
  char: (s) => validateCharConfig(s.text.model),
  textTrain: (s) => validateTrainConfig(s.text.config),
  textOnly: (s) => validateTextTrainConfig(s.text.textConfig),
  generate: (s) => validateGenerateOptions(s.text.generate),
  compress: (s) => [...validateCompress(s.compress.images), ...validateCompress(s.compress.text)],
};
