import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CELL_C, CELL_DC, CELL_DZ, CELL_H } from '../../../src/engine/kernels/names';
import { CELL_INPUTS, hasCellKernels, runCell, type CellKernel } from '../../../src/engine/kernels/lstmCell/shared';
import { registerCpuCellKernels } from '../../../src/engine/kernels/lstmCell/cpu';
import { checkFusedLstm } from '../../../src/engine/families/charLstm/lstmCheck';

// An independent reference of the four cell kernels in plain JS, per output value, against which our cpu kernels are
// checked; with them the kernel sequence's wiring (row offsets, saved tensors, backward order) is checked in Node
// against tfjs's LSTM layers. The WGSL and GLSL shaders run in the e2e suite.
const sig = (x: number) => 1 / (1 + Math.exp(-x));
function reference(kernel: CellKernel, v: Record<string, Float32Array>, row0: number, batch: number, units: number): Float32Array {
  const cols = kernel === CELL_DZ ? 4 * units : units;
  const out = new Float32Array(batch * cols);
  for (let b = 0; b < batch; b++)
    for (let col = 0; col < cols; col++) {
      const j = col % units;
      const z = (k: number) => v.XP![(row0 + b) * 4 * units + k * units + j]! + v.ZR![b * 4 * units + k * units + j]!;
      const [i, f, sg, o] = [0, 1, 2, 3].map((k) => sig(z(k)));
      const g = 2 * sg! - 1;
      const at = (name: string) => v[name]![b * units + j]!;
      let value: number;
      if (kernel === CELL_C) value = f! * at('CP') + i! * g;
      else if (kernel === CELL_H) value = o! * Math.tanh(at('C'));
      else {
        const tc = Math.tanh(at('C'));
        const dh = v.DY![(row0 + b) * units + j]! + at('DHN');
        const dc = dh * o! * (1 - tc * tc) + at('DCN');
        if (kernel === CELL_DC) value = dc * f!;
        else {
          const k = Math.floor(col / units);
          const s = [i!, f!, sg!, o!][k]!;
          const ds = [dc * g, dc * (v.CP?.[b * units + j] ?? 0), 2 * dc * i!, dh * tc][k]!;
          value = ds * s * (1 - s);
        }
      }
      out[b * cols + col] = value;
    }
  return out;
}

describe('LSTM cell kernels', () => {
  // our cpu kernels (kernels/lstmCell/cpu.ts), the ones the cpu backend trains with
  beforeAll(async () => {
    await tf.setBackend('cpu');
    registerCpuCellKernels();
  });
  afterAll(() => [CELL_C, CELL_H, CELL_DZ, CELL_DC].forEach((k) => tf.unregisterKernel(k, 'cpu')));

  it('match the reference on every kernel, reading XP and DY at row0', () => {
    const [batch, units, steps, row0] = [3, 5, 4, 6];
    const input = (name: string, seed: number) => {
      const rows = name === 'XP' ? steps * batch : name === 'DY' ? steps * batch : batch;
      const cols = name === 'XP' || name === 'ZR' ? 4 * units : units;
      return tf.randomNormal([rows, cols], 0, 1.5, 'float32', seed) as tf.Tensor2D;
    };
    for (const kernel of [CELL_C, CELL_H, CELL_DZ, CELL_DC] as CellKernel[]) {
      const names = CELL_INPUTS[kernel];
      const tensors = names.map((n, k) => input(n, k + 1));
      const ours = runCell(kernel, tensors, row0, units);
      const values = Object.fromEntries(names.map((n, k) => [n, tensors[k]!.dataSync() as Float32Array]));
      const expected = reference(kernel, values, row0, batch, units);
      const got = ours.dataSync();
      expect(got.length).toBe(expected.length);
      expect(Math.max(...Array.from(got, (x, k) => Math.abs(x - expected[k]!)))).toBeLessThan(1e-5);
      tf.dispose([...tensors, ours]);
    }
  });

  for (const layers of [1, 2])
    it(`run the fused sequence with tfjs LSTM layers' logits and gradients (${layers} layer${layers > 1 ? 's' : ''})`, () => {
      expect(hasCellKernels()).toBe(true);
      const check = checkFusedLstm(layers, 3, 7, 6);
      expect(check.cellKernels).toBe(true);
      expect(check.logits).toBeLessThan(1e-5);
      expect(check.loss).toBeLessThan(1e-5);
      expect(check.gradients).toBeLessThan(1e-4);
      expect(check.tensorsLeft).toBe(0);
    });
});
