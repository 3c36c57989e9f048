import type * as tf from '@tensorflow/tfjs';
import type { ModelSummary } from '../config/results';

/** What a model builder throws for a configuration it cannot build: every problem, as user-facing sentences. */
export class ModelConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join(' '));
    this.name = 'ModelConfigError';
  }
}

/** A model's layers as the page lists them: name, type, output shape and parameter count. */
export function summarize(model: tf.LayersModel, kind: ModelSummary['kind']): ModelSummary {
  const layers = model.layers.map((l) => ({
    name: l.name,
    type: l.getClassName(),
    outputShape: (l.outputShape as (number | null)[]).slice(),
    params: l.countParams(),
  }));
  return { kind, layers, totalParams: layers.reduce((s, l) => s + l.params, 0) };
}
