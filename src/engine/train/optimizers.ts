import * as tf from '@tensorflow/tfjs';
import { OptimizerName } from './config';

/** tfjs' optimizers implement the textbook updates; the formula each one applies is noted beside it. */
export function makeOptimizer(name: OptimizerName, lr: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(lr); // w -= lr * g
    case 'momentum':
      return tf.train.momentum(lr, 0.9); // v = 0.9 v + g; w -= lr * v
    case 'adam':
      // m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
      return tf.train.adam(lr, 0.9, 0.999, 1e-7);
    case 'rmsprop':
      return tf.train.rmsprop(lr, 0.9); // s = 0.9 s + 0.1 g^2; w -= lr * g / sqrt(s + eps)
  }
}
