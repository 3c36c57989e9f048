import { describe, expect, it } from 'vitest';
import {
  dequantize,
  describeSpec,
  float16BitsToFloat32,
  float32ToFloat16Bits,
  packCodes,
  quantize,
  weightError,
  type QuantizedTensor,
} from '../../../src/engine/compress/quantize';
import type { QuantBits, QuantGranularity, QuantScheme, QuantSpec } from '../../../src/engine/config/compress';
import { mulberry32 } from '../../../src/engine/data/random';

const rng = mulberry32;

/** [rows, cols] weights, normal-ish, each column (output unit) with its own spread and offset. */
function weights(rows: number, cols: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++) {
      const u = Math.max(r(), 1e-12);
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
      const spread = 0.01 * 2 ** (c % 8); // 0.01 .. 1.28: ranges differ 128x between channels
      const offset = (c % 3) * 0.5 * spread;
      out[i * cols + c] = z * spread + offset;
    }
  }
  return out;
}

const ROWS = 784;
const COLS = 64;
const W = weights(ROWS, COLS, 1234);

function channelStats(values: Float32Array, cols: number) {
  const lo = new Array<number>(cols).fill(Infinity);
  const hi = new Array<number>(cols).fill(-Infinity);
  values.forEach((x, i) => {
    const c = i % cols;
    lo[c] = Math.min(lo[c], x);
    hi[c] = Math.max(hi[c], x);
  });
  return { lo, hi };
}

const combos: [8 | 4, QuantScheme, QuantGranularity][] = [];
for (const bits of [8, 4] as const)
  for (const scheme of ['affine', 'symmetric'] as const)
    for (const granularity of ['tensor', 'channel'] as const) combos.push([bits, scheme, granularity]);

describe('quantize / dequantize on a [784, 64] weight matrix', () => {
  it.each(combos)("%i-bit %s per %s: codes in range, scales follow the formula, |x - x'| <= s/2", (bits, scheme, granularity) => {
    const spec: QuantSpec = { bits, scheme, granularity };
    const q = quantize(W, [ROWS, COLS], spec);
    expect(q.shape).toEqual([ROWS, COLS]);
    expect(q.spec).toEqual(spec);
    expect(q.codes).toBeInstanceOf(Uint8Array);
    expect(q.codes.length).toBe(W.length);
    const groups = granularity === 'channel' ? COLS : 1;
    expect(q.scales.length).toBe(groups);
    expect(q.mins.length).toBe(groups);

    // Scales and mins are exactly the formula's float32 values.
    const { lo, hi } = granularity === 'channel' ? channelStats(W, COLS) : { lo: [Math.min(...W)], hi: [Math.max(...W)] };
    for (let g = 0; g < groups; g++) {
      if (scheme === 'affine') {
        expect(q.scales[g]).toBe(Math.fround((hi[g] - lo[g]) / (2 ** bits - 1)));
        expect(q.mins[g]).toBe(lo[g]);
      } else {
        const maxAbs = Math.max(Math.abs(lo[g]), Math.abs(hi[g]));
        expect(q.scales[g]).toBe(Math.fround(maxAbs / (2 ** (bits - 1) - 1)));
        expect(q.mins[g]).toBe(-(2 ** (bits - 1)) * q.scales[g]);
      }
      expect(q.scales[g]).toBeGreaterThan(0);
    }

    const lowest = scheme === 'symmetric' ? 1 : 0; // symmetric never uses code 0
    let usedMin = Infinity;
    let usedMax = -Infinity;
    for (const c of q.codes) {
      usedMin = Math.min(usedMin, c);
      usedMax = Math.max(usedMax, c);
    }
    expect(usedMin).toBeGreaterThanOrEqual(lowest);
    expect(usedMax).toBeLessThanOrEqual(2 ** bits - 1);
    expect(usedMax).toBe(2 ** bits - 1); // the largest value maps to the top code

    const x2 = dequantize(q);
    expect(x2).toBeInstanceOf(Float32Array);
    expect(x2.length).toBe(W.length);
    let worstRatio = 0;
    for (let i = 0; i < W.length; i++) {
      const g = granularity === 'channel' ? i % COLS : 0;
      const s = q.scales[g];
      // dequantize is exactly code * scale + min in double, stored as float32
      expect(x2[i]).toBe(Math.fround(q.codes[i] * s + q.mins[g]));
      const err = Math.abs(W[i] - x2[i]);
      const bound = (s / 2) * (1 + 1e-6) + Math.abs(W[i]) * 2 ** -23 + 1e-12;
      if (err > bound) throw new Error(`element ${i}: |x - x'| = ${err} > ${bound} (s = ${s})`);
      worstRatio = Math.max(worstRatio, err / s);
    }
    // The bound is tight: rounding really uses about half a step somewhere.
    expect(worstRatio).toBeGreaterThan(0.45);
  });

  it.each([8, 4] as const)('%i-bit: per-channel error is much smaller than per-tensor when channel ranges differ', (bits) => {
    for (const scheme of ['affine', 'symmetric'] as const) {
      const perTensor = dequantize(quantize(W, [ROWS, COLS], { bits, scheme, granularity: 'tensor' }));
      const perChannel = dequantize(quantize(W, [ROWS, COLS], { bits, scheme, granularity: 'channel' }));
      const et = weightError(W, perTensor);
      const ec = weightError(W, perChannel);
      expect(ec.maxAbs).toBeLessThanOrEqual(et.maxAbs);
      expect(ec.meanAbs).toBeLessThan(et.meanAbs * 0.5);
      // On the narrowest channel (0), per-channel is ~100x better.
      const chan = (a: Float32Array) => a.filter((_, i) => i % COLS === 0);
      const narrowT = weightError(chan(W), chan(perTensor)).maxAbs;
      const narrowC = weightError(chan(W), chan(perChannel)).maxAbs;
      expect(narrowC).toBeLessThan(narrowT * 0.1);
    }
  });

  it('8-bit beats 4-bit by roughly 2^4 in mean error', () => {
    const spec = { scheme: 'affine', granularity: 'channel' } as const;
    const e8 = weightError(W, dequantize(quantize(W, [ROWS, COLS], { bits: 8, ...spec }))).meanAbs;
    const e4 = weightError(W, dequantize(quantize(W, [ROWS, COLS], { bits: 4, ...spec }))).meanAbs;
    expect(e4 / e8).toBeGreaterThan(10);
    expect(e4 / e8).toBeLessThan(25);
  });
});

describe('hand-computed examples', () => {
  it('affine 8-bit on [-1, 0, 0.5, 2]: s = 3/255, min = -1', () => {
    const x = new Float32Array([-1, 0, 0.5, 2]);
    const q = quantize(x, [4], { bits: 8, scheme: 'affine', granularity: 'tensor' });
    expect(q.scales[0]).toBe(Math.fround(3 / 255));
    expect(q.mins[0]).toBe(-1);
    // 0.5 sits exactly halfway between codes 127 and 128 in exact arithmetic; with the stored float32
    // s (slightly below 3/255), (0.5 + 1) / s = 127.4999975, so the nearest code is 127.
    expect(Array.from(q.codes)).toEqual([0, 85, 127, 255]);
    const x2 = dequantize(q);
    expect(x2[0]).toBe(-1); // the group min comes back exactly
    expect(x2[1]).toBe(Math.fround(85 * Math.fround(3 / 255) - 1));
    expect(Math.abs(x2[1])).toBeLessThan(1e-7);
    expect(x2[3]).toBeCloseTo(2, 6);
  });

  it('affine 4-bit on [-1, 0, 0.5, 2]: s = 3/15 = 0.2', () => {
    const x = new Float32Array([-1, 0, 0.5, 2]);
    const q = quantize(x, [4], { bits: 4, scheme: 'affine', granularity: 'tensor' });
    expect(q.scales[0]).toBe(Math.fround(0.2));
    expect(q.mins[0]).toBe(-1);
    // (x + 1) / 0.2 = 0, 5, 7.5 (float32 0.2 is a bit above 0.2 -> 7.4999999), 15
    expect(Array.from(q.codes)).toEqual([0, 5, 7, 15]);
  });

  it('symmetric 8-bit on [-2, -1, 0, 0.5, 1.27]: s = 2/127, codes offset by 128, 0 -> exactly 0', () => {
    const x = new Float32Array([-2, -1, 0, 0.5, 1.27]);
    const q = quantize(x, [5], { bits: 8, scheme: 'symmetric', granularity: 'tensor' });
    const s = Math.fround(2 / 127);
    expect(q.scales[0]).toBe(s);
    expect(q.mins[0]).toBe(-128 * s);
    // q = round(x / s) = -127, -63.5 -> -64 (half away from zero), 0, 31.75 -> 32, 80.645 -> 81
    expect(Array.from(q.codes)).toEqual([1, 64, 128, 160, 209]);
    const x2 = dequantize(q);
    expect(x2[2]).toBe(0);
    expect(x2[0]).toBe(Math.fround(-127 * s));
    expect(x2[3]).toBe(Math.fround(32 * s));
  });

  it('symmetric is odd: q(-x) = -q(x), and 0 dequantizes to exactly 0 at 4 bits too', () => {
    const x = new Float32Array([-0.7, -0.35, -0.1, 0, 0.1, 0.35, 0.7]);
    const q = quantize(x, [7], { bits: 4, scheme: 'symmetric', granularity: 'tensor' });
    const centered = Array.from(q.codes, (c) => c - 8);
    for (let i = 0; i < 7; i++) expect(centered[i] + centered[6 - i]).toBe(0);
    expect(centered[6]).toBe(7);
    expect(dequantize(q)[3]).toBe(0);
  });

  it('per channel groups by the last axis', () => {
    // shape [2, 3]: channel c = elements c and 3 + c
    const x = new Float32Array([0, 10, -5, 1, 20, 5]);
    const q = quantize(x, [2, 3], { bits: 8, scheme: 'affine', granularity: 'channel' });
    expect(Array.from(q.mins)).toEqual([0, 10, -5]);
    expect(Array.from(q.scales)).toEqual([1 / 255, 10 / 255, 10 / 255].map(Math.fround));
    expect(Array.from(q.codes)).toEqual([0, 0, 0, 255, 255, 255]);
    // 1-D (bias): one group per element, each reproduced exactly
    const b = new Float32Array([0.25, -3, 7]);
    const qb = quantize(b, [3], { bits: 4, scheme: 'affine', granularity: 'channel' });
    expect(qb.scales.length).toBe(3);
    expect(dequantize(qb)).toEqual(b);
  });
});

describe('degenerate groups', () => {
  it.each(combos)('%i-bit %s per %s: constant and all-zero tensors stay finite and exact', (bits, scheme, granularity) => {
    const spec = { bits, scheme, granularity };
    const zeros = new Float32Array(12);
    const qz = quantize(zeros, [3, 4], spec);
    const z2 = dequantize(qz);
    expect(Array.from(qz.scales).every((s) => s === 0)).toBe(true);
    expect(Array.from(z2).every((v) => Object.is(v, 0))).toBe(true);

    const constant = new Float32Array(12).fill(-0.3);
    const c2 = dequantize(quantize(constant, [3, 4], spec));
    for (const v of c2) {
      expect(Number.isFinite(v)).toBe(true);
      if (scheme === 'affine') expect(v).toBe(Math.fround(-0.3));
      else expect(Math.abs(v - Math.fround(-0.3))).toBeLessThan(1e-7);
    }
  });

  it('a constant channel next to normal ones is exact (affine per channel)', () => {
    const x = new Float32Array([1, 2.5, 3, 2.5, -1, 2.5]); // channel 1 is constant 2.5
    const q = quantize(x, [3, 2], { bits: 4, scheme: 'affine', granularity: 'channel' });
    expect(q.scales[1]).toBe(0);
    const x2 = dequantize(q);
    expect([x2[1], x2[3], x2[5]]).toEqual([2.5, 2.5, 2.5]);
    expect(x2.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('empty tensor', () => {
    const q = quantize(new Float32Array(0), [0, 5], { bits: 8, scheme: 'affine', granularity: 'tensor' });
    expect(q.codes.length).toBe(0);
    expect(dequantize(q).length).toBe(0);
  });
});

describe('float16', () => {
  const cases: [number, number, number][] = [
    // input, bits, decoded value
    [1, 0x3c00, 1],
    [-2, 0xc000, -2],
    [0, 0x0000, 0],
    [65504, 0x7bff, 65504],
    [65519, 0x7bff, 65504], // below the halfway point 65520
    [65520, 0x7c00, Infinity], // ties to even -> overflow
    [70000, 0x7c00, Infinity],
    [-70000, 0xfc00, -Infinity],
    [Infinity, 0x7c00, Infinity],
    [2 ** -14, 0x0400, 6.103515625e-5], // smallest normal
    [6.1035e-5, 0x0400, 6.103515625e-5], // rounds up to it
    [6.0975e-5, 0x03ff, 1023 * 2 ** -24], // largest subnormal
    [2 ** -24, 0x0001, 2 ** -24], // smallest subnormal
    [2 ** -25, 0x0000, 0], // tie -> even (0)
    [1.5 * 2 ** -24, 0x0002, 2 * 2 ** -24], // tie -> even (2)
    [1 / 3, 0x3555, 0.333251953125],
    [1 + 2 ** -11, 0x3c00, 1], // tie -> even
    [1 + 3 * 2 ** -11, 0x3c02, 1 + 2 ** -9], // tie -> even (upward)
    [0.1, 0x2e66, 0.0999755859375],
  ];
  it.each(cases)('%f -> bit pattern %i', (x, bits, back) => {
    expect(float32ToFloat16Bits(x)).toBe(bits);
    expect(float16BitsToFloat32(bits)).toBe(back);
  });

  it('-0 keeps its sign, NaN stays NaN', () => {
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(Object.is(float16BitsToFloat32(0x8000), -0)).toBe(true);
    expect(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(NaN)))).toBe(true);
    expect(Number.isNaN(float16BitsToFloat32(0x7c01))).toBe(true);
  });

  it('every non-NaN bit pattern round-trips', () => {
    const broken: string[] = [];
    for (let h = 0; h < 0x10000; h++) {
      const v = float16BitsToFloat32(h);
      if (!Number.isNaN(v) && float32ToFloat16Bits(v) !== h) broken.push(`0x${h.toString(16)} -> ${v}`);
    }
    expect(broken).toEqual([]);
  });

  it('relative error <= 2^-11 across the normal range', () => {
    const r = rng(7);
    for (let i = 0; i < 20000; i++) {
      const x = Math.fround((r() < 0.5 ? -1 : 1) * 2 ** (-14 + 29.9 * r()));
      const y = float16BitsToFloat32(float32ToFloat16Bits(x));
      expect(Math.abs(y - x) / Math.abs(x)).toBeLessThanOrEqual(2 ** -11);
    }
  });

  it('quantize with bits 16 stores bit patterns and dequantizes exactly', () => {
    const x = new Float32Array([1, -2, 1 / 3, 0, 65504, 1e-7]);
    const q = quantize(x, [2, 3], { bits: 16, scheme: 'affine', granularity: 'channel' });
    expect(q.codes).toBeInstanceOf(Uint16Array);
    expect(q.scales.length).toBe(0);
    expect(q.mins.length).toBe(0);
    expect(Array.from(q.codes.slice(0, 3))).toEqual([0x3c00, 0xc000, 0x3555]);
    const x2 = dequantize(q);
    expect(Array.from(x2)).toEqual(Array.from(q.codes, (h) => float16BitsToFloat32(h)));
    expect(x2[2]).toBe(0.333251953125);
    const e = weightError(W, dequantize(quantize(W, [ROWS, COLS], { bits: 16, scheme: 'symmetric', granularity: 'tensor' })));
    expect(e.maxAbs).toBeLessThan(4 * 2 ** -11); // |W| < 8
  });
});

describe('packCodes (read back by the loader: tests/unit/io/compactLoader.test.ts)', () => {
  const fake = (codes: Uint8Array | Uint16Array, bits: QuantBits): QuantizedTensor => ({
    shape: [codes.length],
    spec: { bits, scheme: 'affine', granularity: 'tensor' },
    codes,
    scales: new Float32Array(1),
    mins: new Float32Array(1),
  });

  it('4-bit: two per byte, low nibble first, odd count padded', () => {
    const codes = new Uint8Array([1, 2, 3, 4, 5]);
    const bytes = packCodes(fake(codes, 4));
    expect(Array.from(bytes)).toEqual([0x21, 0x43, 0x05]);
  });

  it.each([4, 8, 16] as const)('%i-bit codes of a real quantization with odd length take their packed size', (bits) => {
    const q = quantize(weights(7, 13, 99), [7, 13], { bits, scheme: 'affine', granularity: 'channel' }); // 91 values
    expect(packCodes(q).length).toBe(bits === 16 ? 2 * 91 : bits === 8 ? 91 : 46);
  });

  it('16-bit is little-endian', () => {
    const bytes = packCodes(fake(new Uint16Array([0x3c00, 0xc001]), 16));
    expect(Array.from(bytes)).toEqual([0x00, 0x3c, 0x01, 0xc0]);
  });

  it('refuses codes that do not fit', () => {
    expect(() => packCodes(fake(new Uint8Array([16]), 4))).toThrow(/does not fit in 4 bits/);
  });
});

describe('bad input', () => {
  const spec: QuantSpec = { bits: 8, scheme: 'affine', granularity: 'tensor' };
  it('shape mismatch', () => {
    expect(() => quantize(new Float32Array(5), [2, 3], spec)).toThrow(/holds 6 values but 5 were given/);
    expect(() => quantize(new Float32Array(2), [2, -1], spec)).toThrow(/invalid dimension/);
  });
  it('unsupported bits, scheme, granularity', () => {
    expect(() => quantize(new Float32Array(2), [2], { ...spec, bits: 2 as QuantBits })).toThrow(/bits must be 16, 8 or 4, got 2/);
    expect(() => quantize(new Float32Array(2), [2], { ...spec, scheme: 'log' as QuantScheme })).toThrow(/scheme/);
    expect(() => quantize(new Float32Array(2), [2], { ...spec, granularity: 'row' as QuantGranularity })).toThrow(/granularity/);
  });
  it('non-finite values', () => {
    expect(() => quantize(new Float32Array([1, NaN]), [2], spec)).toThrow(/index 1 is not finite/);
    expect(() => quantize(new Float32Array([Infinity]), [1], { ...spec, bits: 16 })).toThrow(/not finite/);
  });
  it('float16 overflow is refused rather than silently becoming Infinity', () => {
    expect(() => quantize(new Float32Array([1, 1e5]), [2], { ...spec, bits: 16 })).toThrow(/outside the float16 range/);
  });
  it('weightError on different lengths', () => {
    expect(() => weightError(new Float32Array(2), new Float32Array(3))).toThrow(/differ in length/);
  });
});

describe('weightError and describeSpec', () => {
  it('max and mean absolute difference', () => {
    const e = weightError(new Float32Array([1, -2, 3, 0.5]), new Float32Array([1.5, -2, 2, 0.25]));
    expect(e.maxAbs).toBe(1);
    expect(e.meanAbs).toBe((0.5 + 0 + 1 + 0.25) / 4);
    expect(weightError(new Float32Array(0), new Float32Array(0))).toEqual({ maxAbs: 0, meanAbs: 0 });
  });

  it('labels', () => {
    expect(describeSpec({ bits: 8, scheme: 'affine', granularity: 'channel' })).toBe('int8 affine per channel');
    expect(describeSpec({ bits: 4, scheme: 'symmetric', granularity: 'tensor' })).toBe('4-bit symmetric per tensor');
    expect(describeSpec({ bits: 16, scheme: 'symmetric', granularity: 'channel' })).toBe('float16');
  });
});
