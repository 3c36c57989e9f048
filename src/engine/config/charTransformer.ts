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
