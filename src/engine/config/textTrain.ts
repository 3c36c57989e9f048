import type { TrainConfig } from './train';

export interface TextTrainConfig {
  /** Clip the gradient's global norm to this (0 = no clipping). */
  clipNorm: number;
  /** Steps between validation passes and text samples (one "round"); the train config's epochs count rounds. */
  evalEvery: number;
  /** Share of the corpus, taken from its end, held out for validation. */
  valFraction: number;
  /** Characters in the sample shown after each round (0 = none). */
  sampleLength: number;
  /** Most validation windows evaluated per round (spread evenly over the validation text). */
  maxValWindows: number;
}

export const DEFAULT_TEXT_TRAIN: TextTrainConfig = { clipNorm: 5, evalEvery: 100, valFraction: 0.1, sampleLength: 200, maxValWindows: 256 };

/** The char-LSTM's defaults for the shared settings: Adam, 1e-2, batch 64, 10 rounds of 100 steps. */
export const DEFAULT_TEXT_OPTIMIZER: Partial<TrainConfig> = {
  optimizer: 'adam',
  learningRate: 0.01,
  lrSchedule: 'constant',
  batchSize: 64,
  epochs: 10,
  l1: 0,
  l2: 0,
};

export function validateTextTrainConfig(c: TextTrainConfig): string[] {
  const errors: string[] = [];
  if (!(c.clipNorm >= 0 && Number.isFinite(c.clipNorm))) errors.push(`Gradient clip norm must be 0 (off) or a positive number, got ${c.clipNorm}.`);
  if (!(Number.isInteger(c.evalEvery) && c.evalEvery >= 1 && c.evalEvery <= 100_000))
    errors.push(`Steps per round must be a whole number from 1 to 100000, got ${c.evalEvery}.`);
  if (!(c.valFraction > 0 && c.valFraction < 0.9)) errors.push(`Validation share must be above 0 and below 0.9, got ${c.valFraction}.`);
  if (!(Number.isInteger(c.sampleLength) && c.sampleLength >= 0 && c.sampleLength <= 5000))
    errors.push(`Sample length must be a whole number from 0 to 5000, got ${c.sampleLength}.`);
  if (!(Number.isInteger(c.maxValWindows) && c.maxValWindows >= 1))
    errors.push(`Validation windows must be a positive whole number, got ${c.maxValWindows}.`);
  return errors;
}
