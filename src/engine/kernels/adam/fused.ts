import * as tf from '@tensorflow/tfjs';
import { ADAM_KERNEL } from '../names';
import type { AdamCheck } from '../../config/diagnostics';

// ADAM_KERNEL is one Adam update of a variable from its moments and gradient: one loop on cpu (adam/cpu.ts), three
// shaders on WebGL and WebGPU (adam/gpu.ts). FusedAdam runs it on every backend that has it.

export interface AdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 - beta1^t and 1 - beta2^t, the bias corrections at step t */
  c1: number;
  c2: number;
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
 * tfjs's Adam, whose update is one ADAM_KERNEL per variable where the backend has it (cpu, WebGL, WebGPU) instead of
 * ten to twelve elementwise kernels: on cpu they took 60 of the default MLP's 86 ms step, on SwiftShader's WebGL about
 * half of it. The state (moments, accumulated betas, iterations) is tfjs's own, so checkpoints, getWeights and
 * setWeights are unchanged; other backends (WASM) run tfjs's update, with beta^t set from the step count.
 */
export class FusedAdam extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    const s = this as unknown as AdamState;
    if (!tf.getKernel(ADAM_KERNEL, tf.getBackend())) {
      // tfjs's update reads beta^t from accBeta1/2 and keeps them as a running float32 product, while setWeights (a
      // resume) sets them to pow(beta, t): set both from the step count here, so a resumed run repeats exactly
      const t = this.iterations + 1;
      tf.tidy(() => {
        s.accBeta1.assign(tf.scalar(s.beta1 ** t));
        s.accBeta2.assign(tf.scalar(s.beta2 ** t));
      });
      return super.applyGradients(variableGradients);
    }
    const named = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    // tfjs keeps beta^t in accBeta1/2, = beta^(iterations + 1) here (its setWeights sets them so); computed on the
    // host, so no device read blocks the step
    const t = this.iterations + 1;
    const attrs = { lr: s.learningRate, beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon, c1: 1 - s.beta1 ** t, c2: 1 - s.beta2 ** t };
    tf.tidy(() => {
      named.forEach(({ name, tensor: g }, i) => {
        const value = tf.engine().registeredVariables[name]!;
        const moment = (list: AdamState['accumulatedFirstMoment'], suffix: string) =>
          (list[i] ??= { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }).variable;
        const m = moment(s.accumulatedFirstMoment, 'm');
        const v = moment(s.accumulatedSecondMoment, 'v');
        if (g == null) return;
        const [x1, m1, v1] = tf.engine().runKernel(ADAM_KERNEL, { x: value, m, v, g }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
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

/**
 * FusedAdam against tfjs's Adam on the active backend: 5 steps on a [5, 7] matrix and a [10] vector (odd sizes, so
 * packed WebGL textures have padding), same start, same loss. The e2e suite runs it on WebGL and WebGPU.
 */
export async function checkFusedAdam(): Promise<AdamCheck> {
  const before = tf.memory().numTensors;
  const start = [tf.randomNormal([5, 7], 0, 1, 'float32', 1), tf.randomNormal([10], 0, 1, 'float32', 2)];
  const target = start.map((s, i) => tf.randomNormal(s.shape, 0, 1, 'float32', 3 + i));
  const run = async (optimizer: tf.Optimizer, tag: string) => {
    const vars = start.map((s, i) => tf.tidy(() => tf.variable(s.clone(), true, `adamCheck${tag}${i}_${Date.now()}`))); // (tidy drops the clone)
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const loss = optimizer.minimize(() => tf.addN(vars.map((w, k) => tf.sum(tf.square(tf.sub(w, target[k]!))))) as tf.Scalar, true, vars)!;
      losses.push((await loss.data())[0]!);
      loss.dispose();
    }
    const [iter, ...moments] = await optimizer.getWeights();
    iter!.tensor.dispose(); // a new scalar each call
    const state = moments.map((s) => s.tensor);
    return { vars, losses, state, optimizer };
  };
  const ours = await run(new FusedAdam(0.05, 0.9, 0.999, 1e-7), 'Fused');
  const stock = await run(tf.train.adam(0.05, 0.9, 0.999, 1e-7), 'Stock');
  const worst = async (a: tf.Tensor[], b: tf.Tensor[]) => {
    const errors = tf.tidy(() => tf.stack(a.map((t, i) => tf.div(tf.max(tf.abs(tf.sub(t, b[i]!))), tf.max(tf.abs(b[i]!))))).max());
    const value = (await errors.data())[0]!;
    errors.dispose();
    return value;
  };
  const result = {
    backend: tf.getBackend(),
    kernel: tf.getKernel(ADAM_KERNEL, tf.getBackend()) !== undefined,
    weights: await worst(ours.vars, stock.vars),
    moments: await worst(ours.state, stock.state),
    lossFell: ours.losses[4]! < ours.losses[0]!,
  };
  for (const r of [ours, stock]) {
    tf.dispose(r.vars);
    r.optimizer.dispose();
  }
  tf.dispose([...start, ...target]);
  return { ...result, tensorsLeft: tf.memory().numTensors - before };
}
