import { type CharTransformerConfig, weightLayout } from '../../config/charTransformer';
import type { ModelSummary } from '../../config/results';
import { checkTransformerConfig } from './model';

/**
 * The model summary by part (embeddings, each block, final norm and head), from the weight layout alone, so the
 * page can describe a configuration without building it; the total equals transformerParamCount.
 */
export function transformerSummary(config: CharTransformerConfig, vocab: number): ModelSummary {
  checkTransformerConfig(config, vocab);
  const parts = new Map<string, number>();
  for (const [name, shape] of weightLayout(config, vocab)) {
    const part =
      name.startsWith('h') && /^h\d+\./.test(name)
        ? `block ${name.slice(1, name.indexOf('.'))}`
        : name.startsWith('w')
          ? 'embeddings'
          : 'final norm + head';
    parts.set(part, (parts.get(part) ?? 0) + shape.reduce((a, b) => a * b, 1));
  }
  const shapeOf = (part: string): (number | null)[] => (part === 'final norm + head' ? [null, null, vocab] : [null, null, config.width]);
  const types: Record<string, string> = {
    embeddings: 'TokenAndPositionEmbedding',
    'final norm + head': config.tied ? 'LayerNorm + tied head' : 'LayerNorm + Dense',
  };
  const layers = [...parts].map(([name, params]) => ({ name, type: types[name] ?? 'PreNormBlock', outputShape: shapeOf(name), params }));
  return { kind: 'charTransformer', layers, totalParams: layers.reduce((s, l) => s + l.params, 0) };
}
