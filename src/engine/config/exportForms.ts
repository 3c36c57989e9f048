/**
 * What each export of a quantized variant holds, for the Compress panel's labels and export dialog (tfjs-free).
 * Stock TensorFlow.js's weights manifest can hold uint8 or uint16 codes with one scale and one min per tensor, and
 * float16; 4-bit codes and per-channel scales have no manifest form: there stock tfjs gets 4-bit codes one per byte
 * and per-channel kernels as their dequantized float32 values, and the compact .nnq file holds them at their size.
 */
import type { QuantSpec } from './compress';

/** The quantization the panel proposes first: the best one stock tfjs holds as quantized data (uint8, a scale and min per tensor). */
export const PORTABLE_QUANT: QuantSpec = { bits: 8, scheme: 'affine', granularity: 'tensor' };

/** True when stock tfjs's files hold the kernels at their quantized size, so no .nnq file is written. */
export const stockIsCompact = (spec: QuantSpec | null): boolean =>
  spec === null || spec.bits === 16 || (spec.bits === 8 && spec.granularity === 'tensor');

/** What stock tfjs's weights file holds for the kernels. */
export function stockHolds(spec: QuantSpec | null): string {
  if (spec === null) return 'float32';
  if (spec.bits === 16) return 'float16';
  if (spec.granularity === 'channel') return 'float32 fallback';
  return spec.bits === 8 ? 'uint8 codes' : '4-bit codes as uint8';
}

/** What the compact .nnq file holds for the kernels (null: no .nnq is written). */
export function compactHolds(spec: QuantSpec | null): string | null {
  if (stockIsCompact(spec)) return null;
  return `${spec!.bits === 8 ? 'int8' : '4-bit'} codes, a scale and min per ${spec!.granularity}`;
}

const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Bytes of the weights in each export when the kernels (rank >= 2) take `spec` and the rest stay float32:
 * stock = the .weights.bin file, compact = the .nnq file's data section (what the variants table calls raw).
 */
export function exportWeightBytes(shapes: number[][], spec: QuantSpec | null): { stock: number; compact: number } {
  let stock = 0;
  let compact = 0;
  for (const shape of shapes) {
    const n = count(shape);
    if (spec === null || shape.length < 2) {
      stock += 4 * n;
      compact += 4 * n;
    } else if (spec.bits === 16) {
      stock += 2 * n;
      compact += 2 * n;
    } else {
      stock += spec.granularity === 'channel' ? 4 * n : n; // float32 fallback, or one code a byte
      const scales = spec.granularity === 'channel' ? (shape.at(-1) ?? 1) : 1;
      compact += 8 * scales + Math.ceil((n * spec.bits) / 8); // float32 scale and min per group, packed codes
    }
  }
  return { stock, compact };
}

/** 335,000 -> "335 kB", 2,800 -> "2.8 kB", 512 -> "512 B". */
export function kiloBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const kb = bytes / 1000;
  return `${kb < 10 ? kb.toFixed(1) : Math.round(kb).toLocaleString('en-US')} kB`;
}

/** "stock tfjs: float32 fallback, 335 kB; compact .nnq: 98 kB", or "stock tfjs: uint8 codes, 85 kB (no .nnq needed)". */
export function exportSummary(spec: QuantSpec | null, bytes: { stock: number; compact: number }): string {
  const stock = `stock tfjs: ${stockHolds(spec)}, ${kiloBytes(bytes.stock)}`;
  return stockIsCompact(spec) ? `${stock} (no .nnq needed)` : `${stock}; compact .nnq: ${kiloBytes(bytes.compact)}`;
}
