/** The char-LSTM family's settings as plain data: what the page edits, a link carries and the engine builds. */
import type { CorpusOptions } from './corpus';
/** Embedding -> 1..3 stacked LSTMs (dropout between) -> dense logits over the vocabulary, at every position. */
export interface CharLstmConfig {
  kind: 'charLstm';
  embedding: number;
  layers: number;
  units: number;
  dropout: number;
  /** Characters per training window (truncated backpropagation through time). */
  window: number;
}

export type CharPresetName = 'small' | 'medium' | 'heavy';

export const CHAR_PRESETS: Record<CharPresetName, { label: string; config: CharLstmConfig }> = {
  small: {
    label: 'Small (fast): 1 x LSTM(128), window 64',
    config: { kind: 'charLstm', embedding: 16, layers: 1, units: 128, dropout: 0, window: 64 },
  },
  medium: {
    label: 'Medium: 2 x LSTM(256), window 100',
    config: { kind: 'charLstm', embedding: 64, layers: 2, units: 256, dropout: 0.1, window: 100 },
  },
  heavy: {
    label: 'Heavy (classic, slow): 3 x LSTM(1024), window 40',
    config: { kind: 'charLstm', embedding: 64, layers: 3, units: 1024, dropout: 0.2, window: 40 },
  },
};

export const DEFAULT_CHAR_MODEL = CHAR_PRESETS.small.config;

export function validateCharConfig(c: CharLstmConfig): string[] {
  const errors: string[] = [];
  const whole = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!whole(c.layers, 1, 3)) errors.push(`LSTM layers must be 1, 2 or 3, got ${c.layers}.`);
  if (!whole(c.units, 1, 2048)) errors.push(`LSTM units must be a whole number from 1 to 2048, got ${c.units}.`);
  if (!whole(c.embedding, 1, 1024)) errors.push(`Embedding size must be a whole number from 1 to 1024, got ${c.embedding}.`);
  if (!whole(c.window, 2, 1000)) errors.push(`Window must be a whole number of characters from 2 to 1000, got ${c.window}.`);
  if (!(c.dropout >= 0 && c.dropout < 1)) errors.push(`Dropout must be from 0 up to (not including) 1, got ${c.dropout}.`);
  return errors;
}

/** What a char-LSTM export carries besides its weights, so it can be used again without the corpus. */
export interface CharLstmMetadata {
  kind: 'charLstm';
  vocab: string[];
  options: CorpusOptions;
  config: CharLstmConfig;
  corpus: string;
}
