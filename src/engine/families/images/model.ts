import * as tf from '@tensorflow/tfjs';
import { INPUT_SHAPE, ModelConfig, NUM_CLASSES, DenseSpec } from '../../config/imageModel';
import { validateModelConfig } from '../../config/validateImageModel';
import { SeededDropout } from '../../models/seededDropout';
import { ModelConfigError } from '../../models/summary';

/** Builds the model with every random initialiser seeded, so (config, seed) fixes the starting weights. */
export function buildModel(config: ModelConfig, seed: number): tf.LayersModel {
  const problems = validateModelConfig(config);
  if (problems.length) throw new ModelConfigError(problems);
  let layerSeed = seed;
  const init = () => tf.initializers.glorotUniform({ seed: layerSeed++ });
  const dropout = (rate: number) => new SeededDropout({ rate, seed: layerSeed++ });
  const dense = (spec: DenseSpec) => tf.layers.dense({ units: spec.units, activation: spec.activation, kernelInitializer: init() });

  const model = tf.sequential();
  if (config.kind === 'mlp') {
    model.add(tf.layers.flatten({ inputShape: INPUT_SHAPE }));
    for (const h of config.hidden) {
      model.add(dense(h));
      if (config.dropout > 0) model.add(dropout(config.dropout));
    }
  } else {
    config.blocks.forEach((b, i) => {
      model.add(
        tf.layers.conv2d({
          ...(i === 0 ? { inputShape: INPUT_SHAPE } : {}),
          filters: b.filters,
          kernelSize: b.kernelSize,
          padding: b.padding,
          activation: b.activation,
          kernelInitializer: init(),
        }),
      );
      if (b.pool === 'max') model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
      if (b.pool === 'avg') model.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }));
    });
    model.add(tf.layers.flatten());
    for (const d of config.dense) {
      if (config.dropout > 0) model.add(dropout(config.dropout));
      model.add(dense(d));
    }
  }
  model.add(tf.layers.dense({ units: NUM_CLASSES, activation: 'softmax', kernelInitializer: init() }));
  return model;
}
