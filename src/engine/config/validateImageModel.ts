import { CnnConfig, INPUT_SHAPE, MAX_FILTERS, MAX_LAYERS, MAX_UNITS, ModelConfig, DenseSpec } from './imageModel';

function isCount(n: number, max: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= max;
}

function checkDense(layers: DenseSpec[], label: string, errors: string[]): void {
  if (layers.length > MAX_LAYERS) errors.push(`${label}: at most ${MAX_LAYERS} layers, got ${layers.length}.`);
  layers.forEach((l, i) => {
    if (!isCount(l.units, MAX_UNITS)) errors.push(`${label} ${i + 1}: units must be a whole number from 1 to ${MAX_UNITS}, got ${l.units}.`);
  });
}

function checkDropout(rate: number, errors: string[]): void {
  if (!(rate >= 0 && rate < 1)) errors.push(`Dropout must be at least 0 and below 1, got ${rate}.`);
}

/** Spatial side after each conv block, following Keras' 'same'/'valid' rules and 2x2 pooling. */
export function convSides(config: CnnConfig): number[] {
  const sides: number[] = [];
  let side = INPUT_SHAPE[0];
  for (const b of config.blocks) {
    side = b.padding === 'same' ? side : side - b.kernelSize + 1;
    if (b.pool !== 'none') side = Math.floor(side / 2);
    sides.push(side);
  }
  return sides;
}

/** Every reason the configuration cannot be built, as user-facing sentences (empty = valid). */
export function validateModelConfig(config: ModelConfig): string[] {
  const errors: string[] = [];
  if (config.kind === 'mlp') {
    checkDense(config.hidden, 'Hidden layer', errors);
    checkDropout(config.dropout, errors);
    return errors;
  }
  if (config.blocks.length === 0) errors.push('A CNN needs at least one conv block; choose the MLP for a model without convolutions.');
  if (config.blocks.length > MAX_LAYERS) errors.push(`At most ${MAX_LAYERS} conv blocks, got ${config.blocks.length}.`);
  let side = INPUT_SHAPE[0];
  config.blocks.forEach((b, i) => {
    const name = `Conv block ${i + 1}`;
    if (!isCount(b.filters, MAX_FILTERS)) errors.push(`${name}: filters must be a whole number from 1 to ${MAX_FILTERS}, got ${b.filters}.`);
    if (!isCount(b.kernelSize, 28)) errors.push(`${name}: kernel size must be a whole number from 1 to 28, got ${b.kernelSize}.`);
    else if (b.padding === 'valid' && b.kernelSize > side) {
      errors.push(
        `${name}: a ${b.kernelSize}x${b.kernelSize} kernel is larger than its ${side}x${side} input; use a smaller kernel, 'same' padding or fewer pooling layers.`,
      );
    }
    side = b.padding === 'same' ? side : side - b.kernelSize + 1;
    if (b.pool !== 'none') {
      if (side < 2)
        errors.push(
          `${name}: pooling needs at least a 2x2 input, but the block's output is ${Math.max(side, 0)}x${Math.max(side, 0)}; remove a pooling layer.`,
        );
      side = Math.floor(side / 2);
    }
    if (side < 1 && errors.length === 0) errors.push(`${name}: the feature map shrinks to nothing; use 'same' padding or fewer blocks.`);
  });
  checkDense(config.dense, 'Dense layer', errors);
  checkDropout(config.dropout, errors);
  return errors;
}
