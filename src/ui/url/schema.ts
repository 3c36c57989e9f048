import { THEMES, type AppState, type Mode } from '../store/store';
import { validateModelConfig } from '../../engine/config/validateImageModel';
import { LR_SCHEDULES, OPTIMIZERS, validateTrainConfig } from '../../engine/config/train';
import { validateCharConfig } from '../../engine/config/charModel';
import { validateTransformerConfig } from '../../engine/config/charTransformer';
import { validateTextTrainConfig } from '../../engine/config/textTrain';
import { validateGenerateOptions } from '../../engine/config/generate';
import { validateCorpusOptions } from '../../engine/config/corpus';
import { rangeProblems, Section, UrlField } from './codec';

/** The shared training settings, once for the image models (no prefix) and once for the char-LSTM ("t."). */
const trainRows = (p: string, section: Section, at: string, epochs: 'epochs' | 'rounds'): UrlField[] => [
  { key: `${p}opt`, label: 'optimizer', section, path: `${at}.optimizer`, type: 'choice', choices: OPTIMIZERS },
  { key: `${p}lr`, label: 'learning rate', section, path: `${at}.learningRate`, type: 'number' },
  { key: `${p}batch`, label: 'batch size', section, path: `${at}.batchSize`, type: 'number' },
  { key: `${p}${epochs}`, label: epochs, section, path: `${at}.epochs`, type: 'number' },
  { key: `${p}seed`, label: 'random seed', section, path: `${at}.seed`, type: 'number' },
];

/** Compression choices of one tab: "c." for images, "tc." for text. */
function compressRows(p: string, m: Mode): UrlField[] {
  const [section, at] = ['compress', `compress.${m}`] as const;
  return [
    { key: `${p}bits`, label: 'quantization precision', section, path: `${at}.quant.bits`, type: 'choice', choices: [16, 8, 4] },
    { key: `${p}scheme`, label: 'quantization scheme', section, path: `${at}.quant.scheme`, type: 'choice', choices: ['affine', 'symmetric'] },
    { key: `${p}gran`, label: 'quantization granularity', section, path: `${at}.quant.granularity`, type: 'choice', choices: ['tensor', 'channel'] },
    { key: `${p}sparsity`, label: 'target sparsity', section, path: `${at}.prune.sparsity`, type: 'number', range: { min: 0, max: 0.99 } },
    { key: `${p}scope`, label: 'pruning threshold', section, path: `${at}.prune.scope`, type: 'choice', choices: ['global', 'layer'] },
    { key: `${p}mode`, label: 'pruning mode', section, path: `${at}.prune.mode`, type: 'choice', choices: ['oneShot', 'gradual'] },
    { key: `${p}tune`, label: 'fine-tuning length', section, path: `${at}.prune.epochs`, type: 'number', range: { min: 1, max: 100, whole: true } },
    { key: `${p}biases`, label: 'prune biases', section, path: `${at}.prune.includeBiases`, type: 'flag' },
  ];
}

/** The distillation choices (images only). */
function distillRows(): UrlField[] {
  const [section, at] = ['compress', 'compress.images.distill'] as const;
  return [
    { key: 'c.student', label: 'distillation student', section, path: `${at}.student`, type: 'choice', choices: ['small', 'builder'] },
    { key: 'c.temp', label: 'distillation temperature', section, path: `${at}.temperature`, type: 'number', range: { min: 0.1, max: 100 } },
    { key: 'c.alpha', label: 'distillation alpha', section, path: `${at}.alpha`, type: 'number', range: { min: 0, max: 1 } },
    { key: 'c.depochs', label: 'distillation epochs', section, path: `${at}.epochs`, type: 'number', range: { min: 1, max: 1000, whole: true } },
  ];
}

/** Every setting a link carries, in query-string order. The backend override is `backend` (see urlState.ts). */
export const URL_FIELDS: UrlField[] = [
  { key: 'tab', label: 'tab', section: 'app', path: 'mode', type: 'choice', choices: ['images', 'text'] },
  { key: 'theme', label: 'theme', section: 'app', path: 'theme', type: 'choice', choices: THEMES },
  { key: 'model', label: 'model type', section: 'app', path: 'model.kind', type: 'choice', choices: ['mlp', 'cnn'] },
  { key: 'mlp', label: 'MLP hidden layers', section: 'mlp', path: 'model.configs.mlp.hidden', type: 'dense' },
  { key: 'mlp.dropout', label: 'MLP dropout', section: 'mlp', path: 'model.configs.mlp.dropout', type: 'number' },
  { key: 'cnn.conv', label: 'CNN conv blocks', section: 'cnn', path: 'model.configs.cnn.blocks', type: 'conv' },
  { key: 'cnn.dense', label: 'CNN dense head', section: 'cnn', path: 'model.configs.cnn.dense', type: 'dense' },
  { key: 'cnn.dropout', label: 'CNN dropout', section: 'cnn', path: 'model.configs.cnn.dropout', type: 'number' },
  ...trainRows('', 'train', 'train.config', 'epochs'),
  { key: 'sched', label: 'learning-rate schedule', section: 'train', path: 'train.config.lrSchedule', type: 'choice', choices: LR_SCHEDULES },
  { key: 'l1', label: 'L1 penalty', section: 'train', path: 'train.config.l1', type: 'number' },
  { key: 'l2', label: 'L2 penalty', section: 'train', path: 'train.config.l2', type: 'number' },
  { key: 'limit', label: 'training subset', section: 'train', path: 'train.config.trainLimit', type: 'number' },
  { key: 't.lower', label: 'lowercase', section: 'corpus', path: 'text.options.lowercase', type: 'flag' },
  { key: 't.vocab', label: 'vocabulary cap', section: 'corpus', path: 'text.options.maxVocab', type: 'number' },
  { key: 't.emb', label: 'embedding size', section: 'char', path: 'text.model.embedding', type: 'number' },
  { key: 't.layers', label: 'LSTM layers', section: 'char', path: 'text.model.layers', type: 'number' },
  { key: 't.units', label: 'LSTM units', section: 'char', path: 'text.model.units', type: 'number' },
  { key: 't.dropout', label: 'char-LSTM dropout', section: 'char', path: 'text.model.dropout', type: 'number' },
  { key: 't.window', label: 'window', section: 'char', path: 'text.model.window', type: 'number' },
  { key: 't.family', label: 'char model', section: 'app', path: 'text.family', type: 'choice', choices: ['charLstm', 'charTransformer'] },
  { key: 't.gpt', label: 'Transformer settings', section: 'gpt', path: 'text.gpt', type: 'gpt' },
  ...trainRows('t.', 'textTrain', 'text.config', 'rounds'),
  { key: 't.every', label: 'steps per round', section: 'textOnly', path: 'text.textConfig.evalEvery', type: 'number' },
  { key: 't.clip', label: 'gradient clip', section: 'textOnly', path: 'text.textConfig.clipNorm', type: 'number' },
  { key: 't.val', label: 'validation share', section: 'textOnly', path: 'text.textConfig.valFraction', type: 'number' },
  { key: 't.sample', label: 'sample length', section: 'textOnly', path: 'text.textConfig.sampleLength', type: 'number' },
  { key: 'g.text', label: 'seed text', section: 'generate', path: 'text.generate.seedText', type: 'text' },
  { key: 'g.len', label: 'generated length', section: 'generate', path: 'text.generate.length', type: 'number' },
  { key: 'g.temp', label: 'temperature', section: 'generate', path: 'text.generate.temperature', type: 'number' },
  { key: 'g.topk', label: 'top-k', section: 'generate', path: 'text.generate.topK', type: 'number' },
  { key: 'g.seed', label: 'sampling seed', section: 'generate', path: 'text.generate.seed', type: 'number' },
  ...compressRows('c.', 'images'),
  ...distillRows(),
  ...compressRows('tc.', 'text'),
];

/** The engine's own checks, per group: a value from a link is kept only if its group stays valid. */
export const VALIDATORS: Record<Section, (s: AppState) => string[]> = {
  app: () => [],
  mlp: (s) => validateModelConfig(s.model.configs.mlp),
  cnn: (s) => validateModelConfig(s.model.configs.cnn),
  train: (s) => validateTrainConfig(s.train.config),
  corpus: (s) => validateCorpusOptions(s.text.options),
  char: (s) => validateCharConfig(s.text.model),
  gpt: (s) => validateTransformerConfig(s.text.gpt),
  textTrain: (s) => validateTrainConfig(s.text.config),
  textOnly: (s) => validateTextTrainConfig(s.text.textConfig),
  generate: (s) => validateGenerateOptions(s.text.generate),
  // the compression settings have no engine validator: their rows carry their ranges
  compress: (s) => URL_FIELDS.flatMap((f) => rangeProblems(f, s)),
};
