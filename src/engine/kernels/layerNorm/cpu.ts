import * as tf from '@tensorflow/tfjs';
import type { CpuBackend } from '../common/cpu';
import { GELU, GELU_GRAD, LAYER_NORM, LAYER_NORM_GRAD } from '../names';

const floats = (cpu: CpuBackend, t: tf.TensorInfo) => cpu.data.get(t.dataId).values as Float32Array;

/**
 * Layer norm as two row loops on tfjs's cpu backend, whose broadcasting ops ([N, d] with [N, 1]) index element by
 * element. Forward: mean and variance of each row (two passes, as tf.moments), rstd = 1 / sqrt(var + eps),
 * xhat = (x - mean) rstd, y = g xhat + b. Backward (the standard formula): dxhat = dy g,
 * dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dg = sum over rows of dy xhat, db = sum of dy.
 */
export function registerCpuLayerNorm(): void {
  if (tf.getKernel(LAYER_NORM, 'cpu')) return;
  tf.registerKernel({
    kernelName: LAYER_NORM,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const cpu = backend as unknown as CpuBackend;
      const { eps } = attrs as unknown as { eps: number };
      const [x, g, b] = [inputs.x!, inputs.g!, inputs.b!].map((t) => floats(cpu, t));
      const d = inputs.x!.shape[inputs.x!.shape.length - 1]!;
      const n = x!.length / d;
      const y = new Float32Array(n * d);
      const xhat = new Float32Array(n * d);
      const rstd = new Float32Array(n);
      for (let r = 0, o = 0; r < n; r++, o += d) {
        let mean = 0;
        for (let j = 0; j < d; j++) mean += x![o + j]!;
        mean /= d;
        let v = 0;
        for (let j = 0; j < d; j++) v += (x![o + j]! - mean) ** 2;
        const s = 1 / Math.sqrt(v / d + eps);
        rstd[r] = s;
        for (let j = 0; j < d; j++) {
          const h = (x![o + j]! - mean) * s;
          xhat[o + j] = h;
          y[o + j] = h * g![j]! + b![j]!;
        }
      }
      const shape = inputs.x!.shape;
      return [cpu.makeTensorInfo(shape, 'float32', y), cpu.makeTensorInfo(shape, 'float32', xhat), cpu.makeTensorInfo([n, 1], 'float32', rstd)];
    },
  });
  tf.registerKernel({
    kernelName: LAYER_NORM_GRAD,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend }) => {
      const cpu = backend as unknown as CpuBackend;
      const [dy, xhat, rstd, g] = [inputs.dy!, inputs.xhat!, inputs.rstd!, inputs.g!].map((t) => floats(cpu, t));
      const d = inputs.g!.shape[0]!;
      const n = dy!.length / d;
      const dx = new Float32Array(n * d);
      const dg = new Float32Array(d);
      const db = new Float32Array(d);
      for (let r = 0, o = 0; r < n; r++, o += d) {
        let a = 0;
        let c = 0;
        for (let j = 0; j < d; j++) {
          const e = dy![o + j]! * g![j]!;
          a += e;
          c += e * xhat![o + j]!;
          dg[j] += dy![o + j]! * xhat![o + j]!;
          db[j] += dy![o + j]!;
        }
        a /= d;
        c /= d;
        const s = rstd![r]!;
        for (let j = 0; j < d; j++) dx[o + j] = s * (dy![o + j]! * g![j]! - a - xhat![o + j]! * c);
      }
      return [cpu.makeTensorInfo(inputs.dy!.shape, 'float32', dx), cpu.makeTensorInfo([d], 'float32', dg), cpu.makeTensorInfo([d], 'float32', db)];
    },
  });
}

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/**
 * GELU, tanh approximation, as one loop each way on cpu (its scalar-broadcast ops index element by element):
 * y = 0.5 x (1 + t), t = tanh(c (x + a x^3)); dx = dy (0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 a x^2)).
 */
export function registerCpuGelu(): void {
  if (tf.getKernel(GELU, 'cpu')) return;
  tf.registerKernel({
    kernelName: GELU,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend }) => {
      const cpu = backend as unknown as CpuBackend;
      const x = floats(cpu, inputs.x!);
      const y = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        y[i] = 0.5 * v * (1 + Math.tanh(GELU_C * (v + GELU_A * v * v * v)));
      }
      return cpu.makeTensorInfo(inputs.x!.shape, 'float32', y);
    },
  });
  tf.registerKernel({
    kernelName: GELU_GRAD,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend }) => {
      const cpu = backend as unknown as CpuBackend;
      const x = floats(cpu, inputs.x!);
      const dy = floats(cpu, inputs.dy!);
      const dx = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        const t = Math.tanh(GELU_C * (v + GELU_A * v * v * v));
        dx[i] = dy[i]! * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * v * v));
      }
      return cpu.makeTensorInfo(inputs.x!.shape, 'float32', dx);
    },
  });
}
