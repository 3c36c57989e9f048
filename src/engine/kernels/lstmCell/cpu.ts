import * as tf from '@tensorflow/tfjs';
import type { CpuBackend } from '../common/cpu';
import { CELL_C, CELL_DC, CELL_DZ, CELL_H } from '../names';
import { CELL_INPUTS, cellColumns, type CellKernel } from './shared';

type Attrs = { row0: number; units: number };

/**
 * The four cell kernels of lstmCell/shared.ts as one JavaScript loop each, over (b, j): the four gates are computed
 * once per (b, j) and dz's four columns written together. sigmoid(x) = 1 / (1 + e^-x); g = 2 sigmoid(z_g) - 1.
 * `v` holds each input's values (CELL_INPUTS order); XP and DY are read at row0 + b.
 */
function cellLoop(kernel: CellKernel, v: Float32Array[], row0: number, batch: number, units: number): Float32Array {
  const U = units;
  const [xp, zr] = v as [Float32Array, Float32Array];
  const out = new Float32Array(batch * cellColumns(kernel, U));
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  for (let b = 0; b < batch; b++) {
    const x0 = (row0 + b) * 4 * U;
    const z0 = b * 4 * U;
    for (let j = 0; j < U; j++) {
      const si = sig(xp[x0 + j]! + zr[z0 + j]!);
      const sf = sig(xp[x0 + U + j]! + zr[z0 + U + j]!);
      const sg = sig(xp[x0 + 2 * U + j]! + zr[z0 + 2 * U + j]!);
      const so = sig(xp[x0 + 3 * U + j]! + zr[z0 + 3 * U + j]!);
      const g = 2 * sg - 1;
      const bj = b * U + j;
      if (kernel === CELL_C) out[bj] = sf * v[2]![bj]! + si * g;
      else if (kernel === CELL_H) out[bj] = so * Math.tanh(v[2]![bj]!);
      else {
        // inputs XP, ZR, DY, DHN, DCN, (CP,) C: dh = dy + dh_next; dc = dh o (1 - tanh(c)^2) + dc_next
        const tc = Math.tanh(v[kernel === CELL_DZ ? 6 : 5]![bj]!);
        const dh = v[2]![(row0 + b) * U + j]! + v[3]![bj]!;
        const dc = dh * so * (1 - tc * tc) + v[4]![bj]!;
        if (kernel === CELL_DC) out[bj] = dc * sf;
        else {
          // dz = ds s (1 - s): ds = dc g (i), dc c_prev (f), 2 dc i (g), dh tanh(c) (o)
          const o0 = b * 4 * U + j;
          out[o0] = dc * g * si * (1 - si);
          out[o0 + U] = dc * v[5]![bj]! * sf * (1 - sf);
          out[o0 + 2 * U] = 2 * dc * si * sg * (1 - sg);
          out[o0 + 3 * U] = dh * tc * so * (1 - so);
        }
      }
    }
  }
  return out;
}

/**
 * Registers the four cell kernels on tfjs's cpu backend: one loop each instead of 8 to 20 tfjs ops, each of which
 * allocates its own [B, U] or [B, 4U] array.
 */
export function registerCpuCellKernels(): void {
  for (const kernel of [CELL_C, CELL_H, CELL_DZ, CELL_DC] as CellKernel[]) {
    if (tf.getKernel(kernel, 'cpu')) continue;
    tf.registerKernel({
      kernelName: kernel,
      backendName: 'cpu',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const cpu = backend as unknown as CpuBackend;
        const { row0, units } = attrs as unknown as Attrs;
        const values = CELL_INPUTS[kernel].map((n) => cpu.data.get(inputs[n]!.dataId).values as Float32Array);
        const batch = inputs.ZR!.shape[0]!;
        return cpu.makeTensorInfo([batch, cellColumns(kernel, units)], 'float32', cellLoop(kernel, values, row0, batch, units));
      },
    });
  }
}
