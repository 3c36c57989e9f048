/** What the engine returns about models: their layers, a test-set evaluation, exported files. */
import type { ClassScores } from './metrics';
import type { ModelConfig } from './imageModel';

interface LayerSummary {
  name: string;
  type: string;
  outputShape: (number | null)[];
  params: number;
}

export interface ModelSummary {
  kind: ModelConfig['kind'] | 'charLstm' | 'charTransformer';
  layers: LayerSummary[];
  totalParams: number;
}

export interface Misclassified {
  index: number;
  label: number;
  predicted: number;
  confidence: number;
  pixels: number[]; // 784 values 0..255, for the gallery
}

export interface EvaluationResult {
  accuracy: number;
  loss: number;
  count: number;
  confusion: number[][];
  perClass: ClassScores[];
  misclassified: Misclassified[];
}

/**
 * Models as files in the TensorFlow.js layers format: model.json (topology, weights manifest and our metadata)
 * plus one binary weights file. Plain tf.loadLayersModel reads what exportModel writes.
 */
export interface ModelFiles {
  /** model.json text */
  modelJson: string;
  weightsName: string;
  weights: Uint8Array;
}

/** A file the page offers as a download. */
export interface ExportFile {
  name: string;
  bytes: Uint8Array;
}
