import * as tf from '@tensorflow/tfjs';
import type { CpuBackend } from './cpuKernels';

/** One Adam update of a variable, its moments and its gradient, as one loop on the cpu backend. */
export const CPU_ADAM = 'PlaygroundAdam';

interface AdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 - beta1^t and 1 - beta2^t, the bias corrections at step t */
  c1: number;
  c2: number;
}

/**
 * Adam with bias correction, elementwise (Kingma & Ba 2015, algorithm 1):
 * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; x -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps).
 */
export function adamInto(x: Float32Array, m: Float32Array, v: Float32Array, g: ArrayLike<number>, a: AdamAttrs): void {
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

/** Registers CPU_ADAM: inputs x, m, v, g (float32, one shape); outputs the new x, m and v. */
export function registerCpuAdam(): void {
  if (tf.getKernel(CPU_ADAM, 'cpu')) return;
  tf.registerKernel({
    kernelName: CPU_ADAM,
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

interface AdamState {
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/**
 * tfjs's Adam, whose update on the cpu backend is one CPU_ADAM loop per variable instead of ten elementwise kernels
 * (which took 60 of the default MLP's 86 ms step there). The state (moments, accumulated betas, iterations) is
 * tfjs's own, so checkpoints, getWeights and setWeights are unchanged; other backends run tfjs's update.
 */
export class FusedAdam extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (tf.getBackend() !== 'cpu' || !tf.getKernel(CPU_ADAM, 'cpu')) return super.applyGradients(variableGradients);
    const s = this as unknown as AdamState;
    const named = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const [acc1, acc2] = [s.accBeta1.dataSync()[0]!, s.accBeta2.dataSync()[0]!]; // beta^t (cpu: no device wait)
    const attrs = { lr: s.learningRate, beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon, c1: 1 - acc1, c2: 1 - acc2 };
    tf.tidy(() => {
      named.forEach(({ name, tensor: g }, i) => {
        const value = tf.engine().registeredVariables[name]!;
        const moment = (list: AdamState['accumulatedFirstMoment'], suffix: string) =>
          (list[i] ??= { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }).variable;
        const m = moment(s.accumulatedFirstMoment, 'm');
        const v = moment(s.accumulatedSecondMoment, 'v');
        if (g == null) return;
        const [x1, m1, v1] = tf.engine().runKernel(CPU_ADAM, { x: value, m, v, g }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        value.assign(x1!);
        m.assign(m1!);
        v.assign(v1!);
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
    });
    this.incrementIterations();
  }
}
