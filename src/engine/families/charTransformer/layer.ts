import * as tf from '@tensorflow/tfjs';
import { type CharTransformerConfig, weightLayout } from '../../config/charTransformer';
import { mulberry32 } from '../../data/random';
import { checkTransformerConfig, initialWeights, type TransformerWeights, transformerLogits } from './model';

type LayerVariable = ReturnType<tf.layers.Layer['addWeight']>;

interface CharGptArgs {
  layers: number;
  heads: number;
  width: number;
  context: number;
  dropout: number;
  tied: boolean;
  vocab: number;
  /** Seed of the dropout masks' generator (training only). */
  dropoutSeed: number;
  name?: string;
  batchInputShape?: (number | null)[];
}

/**
 * The whole decoder-only Transformer as one registered tfjs layer: input [B, T] character ids, output [B, T, vocab]
 * logits. Its weights keep nanoGPT's names (wte, wpe, h0.attn.w, ...), so a layers-format export lists them plainly;
 * one layer rather than one per block because the tied head reads the token embedding, which tfjs layers cannot
 * share across layers. Loading an export needs this module imported (it registers the class).
 */
class CharGpt extends tf.layers.Layer {
  static className = 'CharGpt';
  readonly settings: CharTransformerConfig;
  readonly vocab: number;
  readonly dropoutSeed: number;
  private readonly byName = new Map<string, LayerVariable>();
  private readonly random: () => number;

  constructor(args: CharGptArgs) {
    super({ name: args.name, batchInputShape: args.batchInputShape });
    const { layers, heads, width, context, dropout, tied } = args;
    this.settings = { kind: 'charTransformer', layers, heads, width, context, dropout, tied };
    this.vocab = args.vocab;
    this.dropoutSeed = args.dropoutSeed;
    this.random = mulberry32(args.dropoutSeed);
    checkTransformerConfig(this.settings, this.vocab);
  }

  build(): void {
    for (const [name, shape] of weightLayout(this.settings, this.vocab)) {
      this.byName.set(name, this.addWeight(name, shape, 'float32', tf.initializers.zeros()));
    }
    this.built = true;
  }

  /** The weights by name, as the plain-ops functions read them. */
  view(): Map<string, tf.Variable> {
    return new Map([...this.byName].map(([n, v]) => [n, v.read() as tf.Variable])); // read() hands back the variable itself
  }

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => {
      const ids = (x.dtype === 'int32' ? x : tf.cast(x, 'int32')) as tf.Tensor2D;
      const w: TransformerWeights = { config: this.settings, vocab: this.vocab, vars: this.view() };
      const drop =
        kwargs.training && this.settings.dropout > 0 ? { rate: this.settings.dropout, seed: () => Math.floor(this.random() * 2 ** 31) } : undefined;
      return transformerLogits(w, ids, drop);
    });
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0], s[1], this.vocab];
  }

  getConfig(): tf.serialization.ConfigDict {
    const { layers, heads, width, context, dropout, tied } = this.settings;
    return { ...super.getConfig(), layers, heads, width, context, dropout, tied, vocab: this.vocab, dropoutSeed: this.dropoutSeed };
  }
}
tf.serialization.registerClass(CharGpt);

/** A char-Transformer as a layer model, its weights drawn by GPT-2's seeded init. */
export function buildCharTransformerModel(config: CharTransformerConfig, vocab: number, seed: number): tf.LayersModel {
  checkTransformerConfig(config, vocab);
  const model = tf.sequential();
  const layer = new CharGpt({ ...config, vocab, dropoutSeed: seed ^ 0x5bd1e995, batchInputShape: [null, null] });
  model.add(layer);
  const init = initialWeights(config, vocab, seed);
  layer.setWeights(init);
  tf.dispose(init);
  return model;
}

/** The CharGpt layer of a char-Transformer model, or an error naming what the model is instead. */
function charGptLayer(model: tf.LayersModel): CharGpt {
  const layer = model.layers.find((l): l is CharGpt => l instanceof CharGpt);
  if (!layer)
    throw new Error(
      `This model has no CharGpt layer (it has ${model.layers.map((l) => l.getClassName()).join(', ')}); it is not a char-Transformer.`,
    );
  return layer;
}

/** The model's weights by nanoGPT's names, for the plain-ops forward, generation and the attention view. */
export function transformerWeights(model: tf.LayersModel): TransformerWeights {
  const layer = charGptLayer(model);
  return { config: layer.settings, vocab: layer.vocab, vars: layer.view(), model };
}

/** A char-Transformer built as a layer model (for training, export, runs) and viewed by weight name. */
export function buildCharTransformer(config: CharTransformerConfig, vocab: number, seed: number): TransformerWeights {
  return transformerWeights(buildCharTransformerModel(config, vocab, seed));
}

export function disposeTransformer(w: TransformerWeights): void {
  w.model?.dispose();
  w.vars.clear();
}
