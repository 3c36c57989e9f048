import * as tf from '@tensorflow/tfjs';
import type { GLProgram, WebGLBackendLike } from '../common/webgl';
import { CELL_C, CELL_DC, CELL_DZ, CELL_H } from '../names';
import { CELL_INPUTS, cellColumns, type CellKernel } from './shared';

/**
 * The four char-LSTM cell kernels (lstmCell/shared.ts) on WebGL, as packed programs: inputs and output keep tfjs's
 * packed layout (a texel holds a 2 x 2 block), so no pack or unpack pass runs around them. With an even batch and
 * unit count every read lines up with the output's texel and the arithmetic is on whole texels (vec4); otherwise each
 * output texel computes its up to four values one by one from single values (four times the texture reads, which
 * SwiftShader's software sampler makes the main cost).
 */
const GLSL_HELPERS = `
  float lstmSig(float x) { return 1.0 / (1.0 + exp(-x)); }
  float lstmTanh(float x) { float e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }
  vec4 lstmSig(vec4 x) { return 1.0 / (1.0 + exp(-x)); }
  vec4 lstmTanh(vec4 x) { vec4 e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }
  float lane(vec4 t, int r, int c) {
    int i = 2 * (r - 2 * (r / 2)) + (c - 2 * (c / 2)); // (r % 2, c % 2): x y / z w
    return i == 0 ? t.x : (i == 1 ? t.y : (i == 2 ? t.z : t.w));
  }`;

/**
 * The kernel at (b, col), as lstmCell/shared.ts's formulas, in type T: float (one value; atX(r, c) reads one value of
 * input X) or vec4 (a texel's 2 x 2 block; atX(r, c) reads the texel that starts at (r, c)).
 */
function cellGlsl(kernel: CellKernel, units: number, T: 'float' | 'vec4'): string {
  const U = units;
  const gates = `
    int r = row0 + b;
    int j = col - ${U} * (col / ${U});
    ${T} si = lstmSig(atXP(r, j) + atZR(b, j));
    ${T} sf = lstmSig(atXP(r, j + ${U}) + atZR(b, j + ${U}));
    ${T} sg = lstmSig(atXP(r, j + ${2 * U}) + atZR(b, j + ${2 * U}));
    ${T} so = lstmSig(atXP(r, j + ${3 * U}) + atZR(b, j + ${3 * U}));
    ${T} g = 2.0 * sg - 1.0;`;
  const dc = `
    ${T} tc = lstmTanh(atC(b, j));
    ${T} dh = atDY(r, j) + atDHN(b, j);
    ${T} dc = dh * so * (1.0 - tc * tc) + atDCN(b, j);`;
  switch (kernel) {
    case CELL_C:
      return `${gates}\n    return sf * atCP(b, j) + si * g;`;
    case CELL_H:
      return `${gates}\n    return so * lstmTanh(atC(b, j));`;
    case CELL_DC:
      return `${gates}${dc}\n    return dc * sf;`;
    case CELL_DZ:
      return `${gates}${dc}
    int k = col / ${U};
    ${T} s = so;
    ${T} ds = dh * tc;
    if (k == 0) { s = si; ds = dc * g; }
    if (k == 1) { s = sf; ds = dc * atCP(b, j); }
    if (k == 2) { s = sg; ds = 2.0 * dc * si; }
    return ds * s * (1.0 - s);`;
  }
}

function cellProgram(kernel: CellKernel, batch: number, units: number): GLProgram {
  const names = CELL_INPUTS[kernel];
  const [rows, cols] = [batch, cellColumns(kernel, units)];
  // B and U even: every input texel read (rows row0 + b, columns j + k U) holds the same 2 x 2 block as the output's
  const aligned = batch % 2 === 0 && units % 2 === 0;
  const T = aligned ? 'vec4' : 'float';
  // (the name X itself is the sampler's)
  const readers = names.map((n) =>
    aligned ? `vec4 at${n}(int r, int c) { return get${n}(r, c); }` : `float at${n}(int r, int c) { return lane(get${n}(r, c), r, c); }`,
  );
  const main = aligned
    ? `setOutput(cell(rc.x, rc.y));`
    : `vec4 v = vec4(0.0); // lanes past the edge stay 0
    v.x = cell(rc.x, rc.y);
    if (rc.y + 1 < ${cols}) v.y = cell(rc.x, rc.y + 1);
    if (rc.x + 1 < ${rows}) {
      v.z = cell(rc.x + 1, rc.y);
      if (rc.y + 1 < ${cols}) v.w = cell(rc.x + 1, rc.y + 1);
    }
    setOutput(v);`;
  return {
    variableNames: names,
    outputShape: [rows, cols],
    packedInputs: true,
    packedOutput: true,
    customUniforms: [{ name: 'row0', type: 'int' }],
    userCode: `${GLSL_HELPERS}
  ${readers.join('\n  ')}
  ${T} cell(int b, int col) {${cellGlsl(kernel, units, T)}
  }
  void main() {
    ivec2 rc = getOutputCoords();
    ${main}
  }`,
  };
}

type Attrs = { row0: number; units: number };

/** Registers the four cell kernels on WebGL. */
export function registerGlCellKernels(): void {
  for (const kernel of [CELL_C, CELL_H, CELL_DZ, CELL_DC] as CellKernel[]) {
    if (tf.getKernel(kernel, 'webgl')) continue;
    const names = CELL_INPUTS[kernel];
    tf.registerKernel({
      kernelName: kernel,
      backendName: 'webgl',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { row0, units } = attrs as unknown as Attrs;
        const batch = inputs[names[1]!]!.shape[0]!; // ZR: [B, 4U]
        return (backend as unknown as WebGLBackendLike).compileAndRun(
          cellProgram(kernel, batch, units),
          names.map((n) => inputs[n]!),
          'float32',
          [[row0]],
        );
      },
    });
  }
}
