import * as tf from '@tensorflow/tfjs';
import { CELL_C, CELL_DC, CELL_DZ, CELL_H } from '../names';

/**
 * The elementwise part of one LSTM time step as single kernels, for the fused sequence (text/fusedLstm.ts).
 * Forward, per step t (rows r = row0 + b of the time-major input projection XP, ZR = h_{t-1} R, g columns doubled):
 *   i, f, o = sigmoid(z_i, z_f, z_o), g = 2 sigmoid(z_g) - 1 (= tanh of the undoubled column), z = XP[r] + ZR
 *   CELL_C: c = f c_prev + i g        CELL_H: h = o tanh(c)
 * Backward, with dh = dy_t + dh_next and dc = dh o (1 - tanh(c)^2) + dc_next:
 *   CELL_DZ: dz = ds s (1 - s) per gate, ds = dc g (i), dc c_prev (f), 2 dc i (g), dh tanh(c) (o)
 *   CELL_DC: dc_prev = dc f
 * On WebGPU and WebGL each is one shader (lstmCell/webgpu.ts, lstmCell/webgl.ts), on cpu one JavaScript loop
 * (lstmCell/cpu.ts), instead of 8 to 20 tfjs ops; WASM runs the same formulas as tfjs ops (fusedLstm.ts).
 */
export type CellKernel = typeof CELL_C | typeof CELL_H | typeof CELL_DZ | typeof CELL_DC;

/** Each kernel's inputs, in order (every tensor [B, U] or [B, 4U], but XP [T*B, 4U] and DY [T*B, U], read at row0). */
export const CELL_INPUTS: Record<CellKernel, string[]> = {
  [CELL_C]: ['XP', 'ZR', 'CP'],
  [CELL_H]: ['XP', 'ZR', 'C'],
  [CELL_DZ]: ['XP', 'ZR', 'DY', 'DHN', 'DCN', 'CP', 'C'],
  [CELL_DC]: ['XP', 'ZR', 'DY', 'DHN', 'DCN', 'C'],
};

/** Whether the active backend has the single-shader cell kernels. */
export function hasCellKernels(): boolean {
  return tf.getKernel(CELL_C, tf.getBackend()) !== undefined;
}

/** Runs one cell kernel registered for the active backend. */
export function runCell(kernel: CellKernel, inputs: tf.Tensor[], row0: number, units: number): tf.Tensor2D {
  const named = Object.fromEntries(CELL_INPUTS[kernel].map((n, k) => [n, inputs[k]!]));
  return tf.engine().runKernel(kernel, named, { row0, units }) as tf.Tensor2D;
}

/** The WGSL body of each kernel: reads go through get<NAME>(row, col), the result is `v`; b, col: output coordinates. */
export function cellWgsl(kernel: CellKernel, units: number): string {
  const U = units;
  const gates = `
    let r = uniforms.row0 + b;
    let j = col % ${U};
    let si = lstmSig(getXP(r, j) + getZR(b, j));
    let sf = lstmSig(getXP(r, j + ${U}) + getZR(b, j + ${U}));
    let sg = lstmSig(getXP(r, j + ${2 * U}) + getZR(b, j + ${2 * U}));
    let so = lstmSig(getXP(r, j + ${3 * U}) + getZR(b, j + ${3 * U}));
    let g = 2.0 * sg - 1.0;`;
  const dc = `
    let tc = lstmTanh(getC(b, j));
    let dh = getDY(r, j) + getDHN(b, j);
    let dc = dh * so * (1.0 - tc * tc) + getDCN(b, j);`;
  switch (kernel) {
    case CELL_C:
      return `${gates}\n    let v = sf * getCP(b, j) + si * g;`;
    case CELL_H:
      return `${gates}\n    let v = so * lstmTanh(getC(b, j));`;
    case CELL_DC:
      return `${gates}${dc}\n    let v = dc * sf;`;
    case CELL_DZ:
      return `${gates}${dc}
    let k = col / ${U};
    var s = so;
    var ds = dh * tc;
    if (k == 0) { s = si; ds = dc * g; }
    if (k == 1) { s = sf; ds = dc * getCP(b, j); }
    if (k == 2) { s = sg; ds = 2.0 * dc * si; }
    let v = ds * s * (1.0 - s);`;
  }
}

/** Output columns of each kernel: 4U for dz, U for the others. */
export const cellColumns = (kernel: CellKernel, units: number) => (kernel === CELL_DZ ? 4 * units : units);
