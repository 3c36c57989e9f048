import * as tf from '@tensorflow/tfjs';
import type { CpuBackend } from '../common/cpu';
import { ADAM_KERNEL } from '../names';
import type { AdamAttrs } from './fused';

/**
 * Adam with bias correction, elementwise (Kingma & Ba 2015, algorithm 1):
 * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; x -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps).
 */
function adamInto(x: Float32Array, m: Float32Array, v: Float32Array, g: ArrayLike<number>, a: AdamAttrs): void {
  const { lr, beta1, beta2, epsilon, c1, c2 } = a;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * gi;
    const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    x[i] = x[i]! - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + epsilon);
  }
}

/** Registers ADAM_KERNEL: inputs x, m, v, g (float32, one shape); outputs the new x, m and v. */
export function registerCpuAdam(): void {
  if (tf.getKernel(ADAM_KERNEL, 'cpu')) return;
  tf.registerKernel({
    kernelName: ADAM_KERNEL,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const cpu = backend as unknown as CpuBackend;
      const read = (name: string) => cpu.data.get((inputs[name] as tf.TensorInfo).dataId).values as Float32Array;
      const [x, m, v] = [read('x').slice(), read('m').slice(), read('v').slice()];
      adamInto(x, m, v, read('g'), attrs as unknown as AdamAttrs);
      const shape = (inputs.x as tf.TensorInfo).shape;
      return [x, m, v].map((values) => cpu.makeTensorInfo(shape, 'float32', values));
    },
  });
}
