import type { QuantBits, QuantSpec } from '../config/compress';
import type { QuantGranularity } from '../config/compress';
// Post-training weight quantization: float16, and 8-/4-bit integer codes (affine or symmetric, per
// tensor or per output channel). Pure TypeScript so it runs anywhere (worker, Node, tests).
//
// Every quantized tensor dequantizes with the same formula, x' = code * scale + min, evaluated in JS
// double arithmetic and stored as float32. That is exactly how TensorFlow.js decodes a weight whose
// manifest entry says {dtype: 'uint8', scale, min}, so an 8-bit per-tensor result (affine or
// symmetric) can be written as a tfjs quantized weight and load back bit-identically.

export interface QuantizedTensor {
  shape: number[];
  spec: QuantSpec;
  /** one unsigned code per weight, row-major like the input. bits 16: float16 bit patterns (Uint16Array); 8/4: Uint8Array with values 0..2^b-1 */
  codes: Uint8Array | Uint16Array;
  /** per tensor: length 1; per channel: one per index of the LAST axis (output unit / filter). Empty for bits 16. Every value is float32-representable. */
  scales: Float32Array;
  /** same length as scales; dequantized x' = code * scale + min, for BOTH schemes. */
  mins: Float32Array;
}

function checkBits(bits: unknown): asserts bits is QuantBits {
  if (bits !== 16 && bits !== 8 && bits !== 4) {
    throw new Error(`quantize: bits must be 16, 8 or 4, got ${String(bits)}`);
  }
}

function shapeSize(shape: number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`quantize: shape [${shape.join(', ')}] has an invalid dimension ${d}`);
    }
    n *= d;
  }
  return n;
}

/** Round half away from zero, so symmetric quantization is odd: q(-x) = -q(x). */
function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/** Round half to even (for float16 conversion); v >= 0. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** The number of values the shape holds, checked against the values given (all finite). */
function checkInput(values: Float32Array, shape: number[]): number {
  const n = shapeSize(shape);
  if (n !== values.length) {
    throw new Error(`quantize: shape [${shape.join(', ')}] holds ${n} values but ${values.length} were given`);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i])) {
      throw new Error(`quantize: value at index ${i} is not finite (${values[i]})`);
    }
  }
  return n;
}

function float16Codes(values: Float32Array, n: number): Uint16Array {
  const codes = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const h = float32ToFloat16Bits(values[i]);
    if ((h & 0x7c00) === 0x7c00) {
      throw new Error(`quantize: value ${values[i]} at index ${i} is outside the float16 range (max 65504)`);
    }
    codes[i] = h;
  }
  return codes;
}

/** Quantization groups: one per tensor, or one per output channel; lo/hi: each group's smallest and largest value. */
interface Groups {
  count: number;
  of: (i: number) => number;
  lo: Float64Array;
  hi: Float64Array;
}

function groupsOf(values: Float32Array, n: number, shape: number[], granularity: QuantGranularity): Groups {
  // Group g of element i: 0 per tensor; i % C per channel (C = size of the last axis, row-major).
  const perChannel = granularity === 'channel';
  const count = perChannel ? (shape.length === 0 ? 1 : shape[shape.length - 1]) : 1;
  const of = (i: number): number => (perChannel ? i % count : 0);
  const lo = new Float64Array(count).fill(Infinity);
  const hi = new Float64Array(count).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    const g = of(i);
    const x = values[i];
    if (x < lo[g]) lo[g] = x;
    if (x > hi[g]) hi[g] = x;
  }
  return { count, of, lo, hi };
}

function affineCodes(
  values: Float32Array,
  n: number,
  bits: QuantBits,
  groups: Groups,
  scales: Float32Array,
  mins: Float32Array,
  codes: Uint8Array,
): void {
  const { lo, hi } = groups;
  const levels = 2 ** bits - 1; // codes 0..2^b-1
  for (let g = 0; g < groups.count; g++) {
    if (lo[g] === Infinity) continue; // empty group: scale 0, min 0
    const min = Math.fround(lo[g]);
    // Affine step: s = (max - min) / (2^b - 1), stored as float32.
    const s = Math.fround((hi[g] - lo[g]) / levels);
    scales[g] = s;
    mins[g] = min;
  }
  for (let i = 0; i < n; i++) {
    const g = groups.of(i);
    const s = scales[g];
    // Affine code: q = clamp(round((x - min) / s), 0, 2^b - 1), using the stored float32 s and min.
    // Degenerate group (max == min, or s underflowed to 0): q = 0, so x' = min exactly.
    const q = s === 0 ? 0 : roundHalfAway((values[i] - mins[g]) / s);
    codes[i] = q < 0 ? 0 : q > levels ? levels : q;
  }
}

function symmetricCodes(
  values: Float32Array,
  n: number,
  bits: QuantBits,
  groups: Groups,
  scales: Float32Array,
  mins: Float32Array,
  codes: Uint8Array,
): void {
  const { lo, hi } = groups;
  const half = 2 ** (bits - 1); // code offset: code = q + 2^(b-1)
  const qmax = half - 1; // q in -(2^(b-1)-1)..2^(b-1)-1
  for (let g = 0; g < groups.count; g++) {
    if (lo[g] === Infinity) continue;
    const maxAbs = Math.max(Math.abs(lo[g]), Math.abs(hi[g]));
    // Symmetric step: s = max|x| / (2^(b-1) - 1), stored as float32.
    const s = Math.fround(maxAbs / qmax);
    scales[g] = s;
    // min = -2^(b-1) * s so that code * s + min = (q + 2^(b-1)) * s - 2^(b-1) * s = q * s exactly
    // (a power-of-two multiple of a float32 is a float32). All-zero group: s = 0, min = 0, x' = 0.
    mins[g] = s === 0 ? 0 : -half * s;
  }
  for (let i = 0; i < n; i++) {
    const g = groups.of(i);
    const s = scales[g];
    // Symmetric code: q = clamp(round(x / s), -(2^(b-1) - 1), 2^(b-1) - 1), stored as q + 2^(b-1).
    let q = s === 0 ? 0 : roundHalfAway(values[i] / s);
    q = q < -qmax ? -qmax : q > qmax ? qmax : q;
    codes[i] = q + half;
  }
}

export function quantize(values: Float32Array, shape: number[], spec: QuantSpec): QuantizedTensor {
  checkBits(spec.bits);
  const n = checkInput(values, shape);
  const outSpec: QuantSpec = { bits: spec.bits, scheme: spec.scheme, granularity: spec.granularity };
  if (spec.bits === 16) {
    return { shape: [...shape], spec: outSpec, codes: float16Codes(values, n), scales: new Float32Array(0), mins: new Float32Array(0) };
  }
  if (spec.scheme !== 'affine' && spec.scheme !== 'symmetric') {
    throw new Error(`quantize: scheme must be 'affine' or 'symmetric', got ${String(spec.scheme)}`);
  }
  if (spec.granularity !== 'tensor' && spec.granularity !== 'channel') {
    throw new Error(`quantize: granularity must be 'tensor' or 'channel', got ${String(spec.granularity)}`);
  }
  const groups = groupsOf(values, n, shape, spec.granularity);
  const scales = new Float32Array(groups.count);
  const mins = new Float32Array(groups.count);
  const codes = new Uint8Array(n);
  (spec.scheme === 'affine' ? affineCodes : symmetricCodes)(values, n, spec.bits, groups, scales, mins, codes);
  return { shape: [...shape], spec: outSpec, codes, scales, mins };
}

export function dequantize(q: QuantizedTensor): Float32Array {
  const { codes, scales, mins, spec, shape } = q;
  checkBits(spec.bits);
  const n = codes.length;
  if (shapeSize(shape) !== n) {
    throw new Error(`dequantize: shape [${shape.join(', ')}] does not match ${n} codes`);
  }
  const out = new Float32Array(n);
  if (spec.bits === 16) {
    for (let i = 0; i < n; i++) out[i] = float16BitsToFloat32(codes[i]);
    return out;
  }
  const groups = scales.length;
  if (mins.length !== groups || (n > 0 && groups === 0)) {
    throw new Error(`dequantize: ${groups} scales and ${mins.length} mins do not fit ${n} codes`);
  }
  const perChannel = spec.granularity === 'channel';
  if (!perChannel && groups !== 1) {
    throw new Error(`dequantize: a per-tensor quantization needs 1 scale, got ${groups}`);
  }
  for (let i = 0; i < n; i++) {
    const g = perChannel ? i % groups : 0;
    // x' = code * scale + min, in double, then stored as float32 (the tfjs {uint8, scale, min} decode).
    out[i] = codes[i] * scales[g] + mins[g];
  }
  return out;
}

/** Codes as stored bytes: 16-bit little-endian, 8-bit one byte each, 4-bit packed two per byte (element 2i in the low nibble, 2i+1 in the high nibble; odd count pads a zero nibble). */
export function packCodes(q: QuantizedTensor): Uint8Array {
  const { codes } = q;
  const bits = q.spec.bits;
  checkBits(bits);
  const n = codes.length;
  if (bits === 16) {
    const out = new Uint8Array(2 * n);
    for (let i = 0; i < n; i++) {
      const c = codes[i];
      out[2 * i] = c & 0xff;
      out[2 * i + 1] = c >>> 8;
    }
    return out;
  }
  const maxCode = 2 ** bits - 1;
  for (let i = 0; i < n; i++) {
    if (codes[i] > maxCode) {
      throw new Error(`packCodes: code ${codes[i]} at index ${i} does not fit in ${bits} bits`);
    }
  }
  if (bits === 8) return Uint8Array.from(codes);
  const out = new Uint8Array(Math.ceil(n / 2));
  for (let i = 0; i < n; i++) {
    out[i >> 1] |= (i & 1) === 0 ? codes[i] : codes[i] << 4;
  }
  return out;
}

/**
 * IEEE binary16 bit pattern of x, rounding to nearest (ties to even) directly from the double value.
 * Subnormals are kept, magnitudes >= 65520 become +-Infinity, NaN becomes the quiet NaN 0x7e00,
 * and -0 keeps its sign.
 */
export function float32ToFloat16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  // 65520 is halfway between 65504 (largest half) and 65536; the tie goes to the even pattern = Inf.
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) {
    // Subnormal: value = m * 2^-24, m in 0..1023 (m = 1024 is the smallest normal, 0x0400).
    return sign | roundHalfEven(a * 2 ** 24);
  }
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a)
    e -= 1; // guard against log2 rounding
  else if (2 ** (e + 1) <= a) e += 1;
  let m = roundHalfEven((a / 2 ** e - 1) * 1024); // exact: scaling by powers of two
  if (m === 1024) {
    m = 0;
    e += 1;
  }
  return sign | ((e + 15) << 10) | m;
}

export function float16BitsToFloat32(h: number): number {
  if (!Number.isInteger(h) || h < 0 || h > 0xffff) {
    throw new Error(`float16BitsToFloat32: ${h} is not a 16-bit pattern`);
  }
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

/** max and mean absolute difference between two equal-length arrays */
export function weightError(original: Float32Array, approx: Float32Array): { maxAbs: number; meanAbs: number } {
  if (original.length !== approx.length) {
    throw new Error(`weightError: arrays differ in length (${original.length} vs ${approx.length})`);
  }
  const n = original.length;
  let maxAbs = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(original[i] - approx[i]);
    maxAbs = Math.max(maxAbs, d); // propagates NaN
    sum += d;
  }
  return { maxAbs, meanAbs: n === 0 ? 0 : sum / n };
}

/** Human-readable label: "float16", "int8 affine per channel", "4-bit symmetric per tensor". */
export const describeSpec = (spec: QuantSpec): string => {
  if (spec.bits === 16) return 'float16';
  const width = spec.bits === 8 ? 'int8' : `${spec.bits}-bit`;
  return `${width} ${spec.scheme} per ${spec.granularity}`;
};
