import * as tf from '@tensorflow/tfjs';
import type { GLProgram, WebGLBackendLike } from '../common/webgl';
import { CONCAT_ROWS } from '../names';

/** Whether CONCAT_ROWS runs on the active backend (WebGL). */
export const hasConcatKernel = () => tf.getKernel(CONCAT_ROWS, tf.getBackend()) !== undefined;

/** Inputs one program reads: tfjs's own limit of textures in a WebGL shader. */
const MAX_INPUTS = 16;

/**
 * out = [T0; T1; ...] on packed textures. With an even row count each output texel (a 2 x 2 block) is one texel of
 * one input, read whole: one texture read per texel. tfjs's packed concat reads each of the texel's four values
 * separately through a chain of tests over the inputs, and takes inputs by halves above 16: the char-LSTM's
 * 64 blocks of [64, 512] took 130 ms there against 54 ms here on SwiftShader (a 2-core VM), three times per step.
 * mode 'transpose': out = [T0; T1; ...]^T (each texel's lanes swapped, x z / y w); 'columns': out = [T0, T1, ...]
 * (the later rounds of a transposed join).
 */
type Mode = 'rows' | 'transpose' | 'columns';

function concatProgram(parts: number[][], mode: Mode): GLProgram {
  const along = mode === 'rows' || mode === 'transpose' ? 0 : 1; // the input axis the parts are joined on
  const sizes = parts.map((p) => p[along]!);
  const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  const total = starts[starts.length - 1]! + sizes[sizes.length - 1]!;
  const other = parts[0]![1 - along]!;
  const outputShape = mode === 'rows' ? [total, other] : [other, total];
  // k: the output coordinate that picks the part; the texel read from part i
  const k = mode === 'rows' ? 'rc.x' : 'rc.y';
  const read = (i: number) =>
    mode === 'rows'
      ? `setOutput(getT${i}(rc.x - ${starts[i]}, rc.y));`
      : mode === 'transpose'
        ? `setOutput(getT${i}(rc.y - ${starts[i]}, rc.x).xzyw);`
        : `setOutput(getT${i}(rc.x, rc.y - ${starts[i]}));`;
  const branches = sizes.map((_, i) => (i === sizes.length - 1 ? read(i) : `if (${k} < ${starts[i + 1]}) { ${read(i)} return; }`));
  return {
    variableNames: parts.map((_, i) => `T${i}`),
    outputShape,
    packedInputs: true,
    packedOutput: true,
    customUniforms: [],
    userCode: `
  void main() {
    ivec2 rc = getOutputCoords();
    ${branches.join('\n    ')}
  }`,
  };
}

/** Registers CONCAT_ROWS on WebGL: up to 16 inputs T0, T1, ... of the same other dimension and even sizes. */
export function registerGlConcat(): void {
  if (tf.getKernel(CONCAT_ROWS, 'webgl')) return;
  tf.registerKernel({
    kernelName: CONCAT_ROWS,
    backendName: 'webgl',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const parts = Object.keys(inputs)
        .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
        .map((k) => inputs[k]!);
      const program = concatProgram(
        parts.map((p) => p.shape),
        (attrs as { mode: Mode }).mode,
      );
      return (backend as unknown as WebGLBackendLike).compileAndRun(program, parts, 'float32');
    },
  });
}

/**
 * tf.concat(parts, 0), or its transpose, through CONCAT_ROWS where the active backend has it and every part is
 * float32 with an even row count and the same columns (even too, transposed), 16 parts a program, then their
 * results; with tf.concat (and tf.transpose) otherwise.
 */
export function concatRows(parts: tf.Tensor2D[], transposed = false): tf.Tensor2D {
  const cols = parts[0]?.shape[1];
  const ours =
    hasConcatKernel() &&
    parts.length > 1 &&
    (!transposed || cols! % 2 === 0) &&
    parts.every((p) => p.shape[0] % 2 === 0 && p.shape[1] === cols && p.dtype === 'float32');
  if (!ours) return transposed ? tf.transpose(tf.concat(parts, 0)) : tf.concat(parts, 0);
  return tf.tidy(() => {
    let level = parts;
    let mode: Mode = transposed ? 'transpose' : 'rows';
    while (level.length > 1) {
      const next: tf.Tensor2D[] = [];
      for (let i = 0; i < level.length; i += MAX_INPUTS) {
        const group = level.slice(i, i + MAX_INPUTS);
        const named = Object.fromEntries(group.map((t, k) => [`T${k}`, t]));
        const single = group.length === 1 && mode !== 'transpose';
        next.push(single ? group[0]! : (tf.engine().runKernel(CONCAT_ROWS, named, { mode } as unknown as tf.NamedAttrMap) as tf.Tensor2D));
      }
      level = next;
      if (mode === 'transpose') mode = 'columns';
    }
    return level[0]!;
  });
}
