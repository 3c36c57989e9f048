import type { CorpusOptions } from './corpus';

/** The char-Transformer (tiny GPT) family's settings as plain data, free of tfjs. */
export interface CharTransformerConfig {
  kind: 'charTransformer';
  layers: number;
  heads: number;
  width: number;
  /** Context length: positions the model sees (learned position embedding rows). */
  context: number;
  dropout: number;
  /** Head weights shared with the token embedding (GPT-2 weight tying). */
  tied: boolean;
}

export const TRANSFORMER_PRESETS: Record<'tiny' | 'small', CharTransformerConfig> = {
  tiny: { kind: 'charTransformer', layers: 2, heads: 4, width: 64, context: 64, dropout: 0, tied: true },
  // nanoGPT's CPU "baby" size: 4 layers, 4 heads, width 128, context 128.
  small: { kind: 'charTransformer', layers: 4, heads: 4, width: 128, context: 128, dropout: 0, tied: true },
};

export function validateTransformerConfig(c: CharTransformerConfig): string[] {
  const errors: string[] = [];
  const whole = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!whole(c.layers, 1, 12)) errors.push(`Transformer layers must be a whole number from 1 to 12, got ${c.layers}.`);
  if (!whole(c.heads, 1, 16)) errors.push(`Attention heads must be a whole number from 1 to 16, got ${c.heads}.`);
  if (!whole(c.width, 1, 1024)) errors.push(`Width must be a whole number from 1 to 1024, got ${c.width}.`);
  else if (whole(c.heads, 1, 16) && c.width % c.heads !== 0)
    errors.push(`Width must be a multiple of the number of heads (${c.heads}), got ${c.width}.`);
  if (!whole(c.context, 2, 1000)) errors.push(`Context must be a whole number of characters from 2 to 1000, got ${c.context}.`);
  if (!(c.dropout >= 0 && c.dropout < 1)) errors.push(`Dropout must be from 0 up to (not including) 1, got ${c.dropout}.`);
  return errors;
}

/** Trainable parameters: embeddings, per block 2 norms + attention (qkv, proj) + MLP 4x, final norm, head. */
export function transformerParamCount(c: CharTransformerConfig, vocab: number): number {
  const d = c.width;
  const block = 2 * (2 * d) + (d * 3 * d + 3 * d) + (d * d + d) + (d * 4 * d + 4 * d) + (4 * d * d + d);
  const head = c.tied ? vocab : d * vocab + vocab;
  return vocab * d + c.context * d + c.layers * block + 2 * d + head;
}

/** How a weight starts: GPT-2's normal(0, std), or a constant (norm gains 1, biases 0). */
export type WeightInit = { std: number } | 'ones' | 'zeros';

/** Every weight's name, shape and init, in the order the seeds are drawn (one seed per normal weight). */
export function weightLayout(config: CharTransformerConfig, vocab: number): [string, number[], WeightInit][] {
  const d = config.width;
  const residual = { std: 0.02 / Math.sqrt(2 * config.layers) }; // GPT-2: c_proj std = 0.02 / sqrt(2 * n_layer)
  const normal = { std: 0.02 };
  const out: [string, number[], WeightInit][] = [
    ['wte', [vocab, d], normal],
    ['wpe', [config.context, d], normal],
  ];
  for (let i = 0; i < config.layers; i++) {
    out.push(
      [`h${i}.ln1.g`, [d], 'ones'],
      [`h${i}.ln1.b`, [d], 'zeros'],
      [`h${i}.attn.w`, [d, 3 * d], normal],
      [`h${i}.attn.b`, [3 * d], 'zeros'],
      [`h${i}.proj.w`, [d, d], residual],
      [`h${i}.proj.b`, [d], 'zeros'],
      [`h${i}.ln2.g`, [d], 'ones'],
      [`h${i}.ln2.b`, [d], 'zeros'],
      [`h${i}.fc.w`, [d, 4 * d], normal],
      [`h${i}.fc.b`, [4 * d], 'zeros'],
      [`h${i}.fc2.w`, [4 * d, d], residual],
      [`h${i}.fc2.b`, [d], 'zeros'],
    );
  }
  out.push(['lnf.g', [d], 'ones'], ['lnf.b', [d], 'zeros']);
  if (!config.tied) out.push(['head.w', [d, vocab], normal]);
  out.push(['head.b', [vocab], 'zeros']);
  return out;
}

export type TransformerPresetName = keyof typeof TRANSFORMER_PRESETS;

export const TRANSFORMER_PRESET_LABELS: Record<TransformerPresetName, string> = {
  tiny: 'Tiny (2 layers, 4 heads, width 64, context 64)',
  small: 'Small (4 layers, 4 heads, width 128, context 128)',
};

/** What a char-Transformer export or the page's current model carries besides weights (as CharLstmMetadata). */
export interface CharTransformerMetadata {
  kind: 'charTransformer';
  vocab: string[];
  options: CorpusOptions;
  config: CharTransformerConfig;
  corpus: string;
}

/** What the attention view draws: a passage, the chosen position, each head's row there, per-character loss. */
export interface AttentionView {
  chars: string[];
  position: number;
  /** weights[layer][head][j]: attention from `position` to character j (0 after it). */
  weights: number[][][];
  /** losses[t]: nats of predicting chars[t + 1] from chars[0..t]. */
  losses: number[];
}
