import { describe, expect, it } from 'vitest';
import { patchesFit } from '../../../../src/engine/kernels/patches/webgl';

describe('WebGL patches', () => {
  it('fit one unpacked texture up to maxTexture^2 values; beyond that the convolution keeps tfjs kernels', () => {
    // the default CNN's first layer, validated in batches of 500: 392,000 x 25 patch entries
    expect(patchesFit(500 * 28 * 28, 25, 4096)).toBe(true);
    // a 64-channel 5 x 5 layer on 14 x 14 maps in the same batches: 157 M values, more than 8192^2 = 67 M
    expect(patchesFit(500 * 14 * 14, 25 * 64, 8192)).toBe(false);
    expect(patchesFit(8192, 8192, 8192)).toBe(true);
    expect(patchesFit(8192, 8193, 8192)).toBe(false);
  });
});
