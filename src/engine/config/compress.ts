/** Compression settings (quantization, pruning, distillation) and what the engine reports about each variant. */
export type QuantBits = 16 | 8 | 4; // 16 = IEEE float16; 8 and 4 = integer codes
export type QuantScheme = 'affine' | 'symmetric';
export type QuantGranularity = 'tensor' | 'channel';
export interface QuantSpec {
  bits: QuantBits;
  scheme: QuantScheme;
  granularity: QuantGranularity;
}

export type PruneScope = 'layer' | 'global';
export const PRUNE_SCOPES: PruneScope[] = ['layer', 'global'];

export type VariantKind = 'float32' | 'quantized' | 'pruned' | 'distilled' | 'imported';

export interface LayerStat {
  name: string;
  shape: number[];
  /** Against the variant's parent (what this step changed); 0 for a float32 original. */
  maxAbsError: number;
  meanAbsError: number;
  sparsity: number;
  encoding: string;
}

export interface VariantInfo {
  id: number;
  parentId: number | null;
  label: string;
  kind: VariantKind;
  params: number;
  /** Share of exact zeros among the weights pruning chooses (the family's prunable matrices). */
  sparsity: number;
  /** Weights as stored in our compact format, and gzipped (level 9). */
  rawBytes: number;
  gzipBytes: number;
  metric: number;
  layers: LayerStat[];
  /** The quantization of its kernels (null: float32); what each export holds follows from it (exportForms.ts). */
  quant: QuantSpec | null;
  /** The weights file stock TensorFlow.js reads (model.json's .weights.bin), in bytes. */
  stockBytes: number;
}

export interface MetricInfo {
  name: string;
  /** e.g. "%" figures use higher-is-better; nats per character lower-is-better */
  higherIsBetter: boolean;
}

export interface PruneOptions {
  sparsity: number;
  scope: PruneScope;
  /** Prune the rank-1 weights (biases, norm gains) too. */
  includeBiases: boolean;
}

export interface Histogram {
  name: string;
  edges: number[];
  before: number[];
  after: number[];
}

export interface DistillOptions {
  temperature: number;
  /** weight of the hard-label loss; 1 - alpha weighs the soft (teacher) loss */
  alpha: number;
}

export const DEFAULT_DISTILL: DistillOptions = { temperature: 4, alpha: 0.3 };

/** User-facing reasons the distillation settings are unusable (empty = fine). */
export function validateDistill(opts: DistillOptions): string[] {
  const errors: string[] = [];
  const t = opts.temperature;
  if (!(typeof t === 'number' && t > 0 && t <= 100)) errors.push(`Temperature must be a number above 0 and at most 100, got ${t}.`);
  const a = opts.alpha;
  if (!(typeof a === 'number' && a >= 0 && a <= 1)) errors.push(`Alpha (the weight of the true-label loss) must be from 0 to 1, got ${a}.`);
  return errors;
}

export interface GradualOptions extends PruneOptions {
  /** Fine-tuning epochs (rounds for the char-LSTM) while sparsity rises on the polynomial schedule. */
  epochs: number;
  /** Mask recomputations over the run. */
  updates: number;
}

export interface CompressState {
  metric: MetricInfo;
  variants: VariantInfo[];
}

/** A variant's model run on an input, and a hash of each weight's float32 bits (FNV-1a, 32-bit, over the bit patterns). */
export interface VariantOutputs {
  outputs: number[];
  weightHashes: number[];
}
