import * as tf from '@tensorflow/tfjs';
import type { GLProgram, WebGLBackendLike } from '../common/webgl';
import { COL2IM, IM2COL } from '../names';
import type { PatchAttrs } from './shared';

/**
 * IM2COL and COL2IM (patches/cpu.ts) on WebGL, so that models/patchConv.ts takes the default CNN's convolution
 * gradients there too: dW = im2col(x)^T dy and dx = col2im(dy W^T) as tfjs's packed matmul plus one gather each.
 * tfjs's WebGL Conv2DBackpropFilter and Conv2DBackpropInput compute one value per fragment with two texture reads
 * per multiply-add (one filter value over the whole batch, one input pixel over KH x KW x F), and SwiftShader's
 * software sampler makes those reads the cost; the matmul reads a 2 x 2 block per texel instead. Both programs
 * are unpacked (one value per output): tfjs packs and unpacks around them.
 */

/** The image's height, width and channels beside the patch attributes. */
function patchGeometry(a: PatchAttrs) {
  const [, h, w, c] = a.imageShape as [number, number, number, number];
  return { h, w, c, ...a };
}

/** cols[p, r] (or [r, p] when transposed) = x at patch row p's tap r, 0 in the padding. */
function im2colProgram(a: PatchAttrs): GLProgram {
  const { h, w, c, kw, top, left, oh, ow } = patchGeometry(a);
  const p = a.imageShape[0]! * oh * ow;
  const r = a.kh * kw * c;
  return {
    variableNames: ['X'],
    outputShape: a.transposed ? [r, p] : [p, r],
    packedInputs: false,
    packedOutput: false,
    customUniforms: [],
    userCode: `
  void main() {
    ivec2 rc = getOutputCoords();
    int p = ${a.transposed ? 'rc.y' : 'rc.x'};
    int r = ${a.transposed ? 'rc.x' : 'rc.y'};
    int ch = r - ${c} * (r / ${c});
    int tap = r / ${c};
    int kx = tap - ${kw} * (tap / ${kw});
    int ky = tap / ${kw};
    int ox = p - ${ow} * (p / ${ow});
    int q = p / ${ow};
    int oy = q - ${oh} * (q / ${oh});
    int b = q / ${oh};
    int iy = oy + ky - ${top};
    int ix = ox + kx - ${left};
    float v = 0.0;
    if (iy >= 0 && iy < ${h} && ix >= 0 && ix < ${w}) v = getX(b, iy, ix, ch);
    setOutput(v);
  }`,
  };
}

/** im2col's adjoint as a gather: each image value sums the patch entries that read it (at most KH x KW). */
function col2imProgram(a: PatchAttrs): GLProgram {
  const { c, kh, kw, top, left, oh, ow } = patchGeometry(a);
  return {
    variableNames: ['Cols'],
    outputShape: a.imageShape,
    packedInputs: false,
    packedOutput: false,
    customUniforms: [],
    userCode: `
  void main() {
    ivec4 at = getOutputCoords(); // b, y, x, channel
    float sum = 0.0;
    for (int ky = 0; ky < ${kh}; ky++) {
      int oy = at.y - ky + ${top};
      if (oy < 0 || oy >= ${oh}) continue;
      for (int kx = 0; kx < ${kw}; kx++) {
        int ox = at.z - kx + ${left};
        if (ox < 0 || ox >= ${ow}) continue;
        sum += getCols((at.x * ${oh} + oy) * ${ow} + ox, (ky * ${kw} + kx) * ${c} + at.w);
      }
    }
    setOutput(sum);
  }`,
  };
}

/**
 * Whether a [rows, cols] patch matrix fits one unpacked WebGL texture (one value a texel, at most maxTexture^2 of
 * them, as tfjs lays it out). tfjs's own convolution packs its patches four to a texel, so a larger user model
 * keeps tfjs's kernels rather than failing here.
 */
export function patchesFit(rows: number, cols: number, maxTexture: number): boolean {
  return rows * cols <= maxTexture * maxTexture;
}

/** Registers IM2COL and COL2IM on WebGL (float32 NHWC, stride 1). */
export function registerGlPatchKernels(): void {
  const kernels: [string, (a: PatchAttrs) => GLProgram][] = [
    [IM2COL, im2colProgram],
    [COL2IM, col2imProgram],
  ];
  for (const [name, program] of kernels) {
    if (tf.getKernel(name, 'webgl')) continue;
    tf.registerKernel({
      kernelName: name,
      backendName: 'webgl',
      kernelFunc: ({ inputs, backend, attrs }) =>
        (backend as unknown as WebGLBackendLike).compileAndRun(program(attrs as unknown as PatchAttrs), [inputs.x!], 'float32'),
    });
  }
}
