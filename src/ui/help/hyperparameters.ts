import { DEFAULT_TRAIN } from '../../engine/config/train';
import { DEFAULT_TEXT_OPTIMIZER, DEFAULT_TEXT_TRAIN } from '../../engine/config/textTrain';
import { DEFAULT_CHAR_MODEL } from '../../engine/config/charModel';
import { MLP_PRESET } from '../../engine/config/imageModel';

// One line per hyperparameter: what it does, then the default (read from the engine's own defaults).
const d = DEFAULT_TRAIN;
const t = { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER };

export const IMAGE_HELP = {
  optimizer: `How weights move downhill on the loss. Adam adapts each weight's step; a safe choice. Default ${d.optimizer}.`,
  learningRate: `Step size of each update: too high diverges, too low crawls. Default ${d.learningRate}.`,
  lrSchedule: `Constant, or cosine: the rate shrinks smoothly to 0 by the last step. Default ${d.lrSchedule}.`,
  batchSize: `Images per update: larger is smoother and faster per image, smaller often generalises better. Default ${d.batchSize}.`,
  epochs: `Passes over the training set. More fit better until the model starts to overfit. Default ${d.epochs}.`,
  l1: `Penalty on |weights|: pushes weights to exactly 0. Default ${d.l1} (off).`,
  l2: `Penalty on weights²: keeps weights small against overfitting. Default ${d.l2} (off).`,
  seed: `Fixes initial weights, shuffling and dropout: the same seed repeats a run. Default ${d.seed}.`,
  trainLimit: `Train on only the first N images, for quick experiments; 0 uses all 55,000. Default 0.`,
  dropout: `Share of units switched off at random while training; fights overfitting. Default ${MLP_PRESET.dropout} (MLP).`,
  units: 'Units (neurons) per layer: more can learn more but train slower. Activation: the non-linearity after the layer; relu is a good default.',
  conv: 'Filters: patterns each block learns; kernel: their size in pixels; pooling halves the image after the block.',
};

export const TEXT_HELP = {
  optimizer: IMAGE_HELP.optimizer.replace(`Default ${d.optimizer}`, `Default ${t.optimizer}`),
  learningRate: `Step size of each update: too high diverges, too low crawls. Default ${t.learningRate}.`,
  batchSize: `Text windows per update. Default ${t.batchSize}.`,
  rounds: `How many rounds to train; each round ends with a validation score and a sample. Default ${t.epochs}.`,
  evalEvery: `Training steps in each round. Default ${DEFAULT_TEXT_TRAIN.evalEvery}.`,
  clipNorm: `Caps the size of each update (gradient global norm), which keeps LSTMs from blowing up. Default ${DEFAULT_TEXT_TRAIN.clipNorm}.`,
  valFraction: `Share of the text, at its end, kept aside to measure generalisation. Default ${DEFAULT_TEXT_TRAIN.valFraction}.`,
  sampleLength: `Characters generated after each round to show progress. Default ${DEFAULT_TEXT_TRAIN.sampleLength}.`,
  seed: `Fixes initial weights and window order: the same seed repeats a run. Default ${t.seed}.`,
  embedding: `Size of the vector each character becomes. Default ${DEFAULT_CHAR_MODEL.embedding}.`,
  layers: `Stacked LSTM layers: deeper models learn longer patterns but train slower. Default ${DEFAULT_CHAR_MODEL.layers}.`,
  units: `Memory cells per LSTM layer: more remember more, cost more. Default ${DEFAULT_CHAR_MODEL.units}.`,
  dropout: `Share of values dropped between layers while training; fights overfitting. Default ${DEFAULT_CHAR_MODEL.dropout}.`,
  window: `Characters the model sees and predicts per training window (backpropagation through time). Default ${DEFAULT_CHAR_MODEL.window}.`,
};
