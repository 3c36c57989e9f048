import * as tf from '@tensorflow/tfjs';

type SaliencyMethod = 'gradient' | 'smoothgrad' | 'integrated';

export interface SaliencyOptions {
  method: SaliencyMethod;
  /** SmoothGrad samples or integrated-gradient steps. */
  samples?: number;
  /** SmoothGrad noise as a fraction of the input range (Smilkov et al. 2017 suggest 0.1-0.2). */
  noise?: number;
  seed?: number;
}

/**
 * d(score of class c)/d(input) for one input of shape [1, ...]. Returns a Float32Array of the input's size.
 * gradient: the plain gradient (Simonyan et al. 2013).
 * smoothgrad: mean over n of grad at x + N(0, sigma^2) (Smilkov et al. 2017).
 * integrated: (x - x0) * mean over k=1..m of grad at x0 + (k/m)(x - x0), baseline x0 = 0 (Sundararajan et al. 2017).
 */
export function saliency(model: (x: tf.Tensor) => tf.Tensor, input: tf.Tensor, classIndex: number, options: SaliencyOptions): Float32Array {
  const score = (x: tf.Tensor) => tf.squeeze(tf.slice(model(x), [0, classIndex], [1, 1]));
  const grad = tf.grad(score);
  const samples = Math.max(1, options.samples ?? 16);
  const out = tf.tidy(() => {
    if (options.method === 'gradient') return grad(input);
    if (options.method === 'smoothgrad') {
      const sigma = options.noise ?? 0.15;
      let sum = tf.zerosLike(input);
      for (let i = 0; i < samples; i++) {
        const noisy = tf.add(input, tf.randomNormal(input.shape, 0, sigma, 'float32', (options.seed ?? 1) + i));
        sum = tf.add(sum, grad(noisy));
      }
      return tf.div(sum, samples);
    }
    let sum = tf.zerosLike(input);
    for (let k = 1; k <= samples; k++) sum = tf.add(sum, grad(tf.mul(input, k / samples)));
    return tf.mul(input, tf.div(sum, samples));
  });
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return Float32Array.from(values);
}
