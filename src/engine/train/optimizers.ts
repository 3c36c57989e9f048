import * as tf from '@tensorflow/tfjs';
import { FusedAdam } from '../kernels/adam/fused';
import { OptimizerName } from '../config/train';

/**
 * tfjs' optimizers implement the textbook updates; the formula each one applies is noted beside it. Adam is our
 * FusedAdam (the same update and state, one kernel per variable on the cpu backend) unless `plain` asks for
 * tfjs's own, as the benchmark's plain-tfjs baseline does.
 */
export function makeOptimizer(name: OptimizerName, lr: number, plain = false): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(lr); // w -= lr * g
    case 'momentum':
      return tf.train.momentum(lr, 0.9); // v = 0.9 v + g; w -= lr * v
    case 'adam':
      // m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
      return plain ? tf.train.adam(lr, 0.9, 0.999, 1e-7) : new FusedAdam(lr, 0.9, 0.999, 1e-7);
    case 'rmsprop':
      return tf.train.rmsprop(lr, 0.9); // s = 0.9 s + 0.1 g^2; w -= lr * g / sqrt(s + eps)
  }
}

/** Changes the step size of a live optimizer (SGD and momentum keep it as a device scalar, Adam and RMSprop as a number). */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** Cosine decay to zero over the run: lr_t = lr_0 * (1 + cos(pi * t / T)) / 2. */
export function cosineLearningRate(lr0: number, step: number, totalSteps: number): number {
  return (lr0 * (1 + Math.cos((Math.PI * Math.min(step, totalSteps)) / Math.max(totalSteps, 1)))) / 2;
}
