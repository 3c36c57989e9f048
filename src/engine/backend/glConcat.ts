import * as tf from '@tensorflow/tfjs';
import type { GLProgram, WebGLBackendLike } from './glProgram';

/** Our row-wise concatenation of 2-D tensors with an even number of rows each (WebGL, packed). */
export const CONCAT_ROWS = 'PlaygroundConcatRows';

/** Inputs one program reads: tfjs's own limit of textures in a WebGL shader. */
const MAX_INPUTS = 16;

/**
 * out = [T0; T1; ...] on packed textures. With an even row count each output texel (a 2 x 2 block) is one texel of
 * one input, read whole: one texture read per texel. tfjs's packed concat reads each of the texel's four values
 * separately through a chain of tests over the inputs, and takes inputs by halves above 16: the char-LSTM's
 * 64 blocks of [64, 512] took 130 ms there against 54 ms here on SwiftShader (a 2-core VM), three times per step.
 */
function concatRowsProgram(rows: number[], cols: number): GLProgram {
  const starts = rows.map((_, i) => rows.slice(0, i).reduce((a, b) => a + b, 0));
  const total = starts[starts.length - 1]! + rows[rows.length - 1]!;
  const read = (i: number) => `setOutput(getT${i}(r - ${starts[i]}, rc.y));`;
  const branches = rows.map((_, i) => (i === rows.length - 1 ? read(i) : `if (r < ${starts[i + 1]}) { ${read(i)} return; }`));
  return {
    variableNames: rows.map((_, i) => `T${i}`),
    outputShape: [total, cols],
    packedInputs: true,
    packedOutput: true,
    customUniforms: [],
    userCode: `
  void main() {
    ivec2 rc = getOutputCoords();
    int r = rc.x;
    ${branches.join('\n    ')}
  }`,
  };
}

/** Registers CONCAT_ROWS on WebGL: up to 16 inputs T0, T1, ... of the same column count and even row counts. */
export function registerGlConcat(): void {
  if (tf.getKernel(CONCAT_ROWS, 'webgl')) return;
  tf.registerKernel({
    kernelName: CONCAT_ROWS,
    backendName: 'webgl',
    kernelFunc: ({ inputs, backend }) => {
      const parts = Object.keys(inputs)
        .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
        .map((k) => inputs[k]!);
      const program = concatRowsProgram(
        parts.map((p) => p.shape[0]!),
        parts[0]!.shape[1]!,
      );
      return (backend as unknown as WebGLBackendLike).compileAndRun(program, parts, 'float32');
    },
  });
}

/**
 * tf.concat(parts, 0), through CONCAT_ROWS where the active backend has it and every part is float32 with an even
 * row count and the same columns (16 parts a program, then their results, ...); tf.concat otherwise.
 */
export function concatRows(parts: tf.Tensor2D[]): tf.Tensor2D {
  const cols = parts[0]?.shape[1];
  const ours =
    tf.getKernel(CONCAT_ROWS, tf.getBackend()) !== undefined &&
    parts.length > 1 &&
    parts.every((p) => p.shape[0] % 2 === 0 && p.shape[1] === cols && p.dtype === 'float32');
  if (!ours) return tf.concat(parts, 0);
  return tf.tidy(() => {
    let level = parts;
    while (level.length > 1) {
      const next: tf.Tensor2D[] = [];
      for (let i = 0; i < level.length; i += MAX_INPUTS) {
        const group = level.slice(i, i + MAX_INPUTS);
        const named = Object.fromEntries(group.map((t, k) => [`T${k}`, t]));
        next.push(group.length === 1 ? group[0]! : (tf.engine().runKernel(CONCAT_ROWS, named) as tf.Tensor2D));
      }
      level = next;
    }
    return level[0]!;
  });
}
