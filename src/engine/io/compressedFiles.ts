import type * as tf from '@tensorflow/tfjs';
import { packCodes } from '../compress/quantize';
import type { QuantBits, QuantGranularity, QuantScheme, QuantSpec } from '../config/compress';
import { stockIsCompact } from '../config/exportForms';
import type { ModelSnapshot, WeightEntry } from '../compress/snapshot';
import { COMPACT_FORMAT, COMPACT_MAGIC, COMPACT_VERSION, CompactModelError, decodeCompact } from './compactLoader';
import { ModelFileError, safeFileName } from './modelFiles';
import { checkCompactFile } from './compactHeader';
import type { ExportFile } from '../config/results';

/**
 * A weight as plain TensorFlow.js can store it: per-tensor 8- and 4-bit codes become uint8 with scale and min
 * (tfjs dequantizes x' = q * scale + min, the same formula as ours, so the values are bit-identical), float16 stays
 * float16; per-channel codes have no manifest form, so they go out as their dequantized float32 values.
 */
function plainWeight(e: WeightEntry): { spec: tf.io.WeightsManifestEntry; bytes: Uint8Array } {
  const q = e.quant;
  const base = { name: e.name, shape: e.shape, dtype: 'float32' as const };
  if (q?.spec.bits === 16) {
    return { spec: { ...base, quantization: { dtype: 'float16' } }, bytes: packCodes(q) };
  }
  if (q && q.scales.length === 1 && q.spec.granularity === 'tensor') {
    const codes = Uint8Array.from(q.codes); // 4-bit codes (0..15) are valid uint8 codes too
    return { spec: { ...base, quantization: { dtype: 'uint8', scale: q.scales[0], min: q.mins[0] } }, bytes: codes };
  }
  return { spec: base, bytes: new Uint8Array(e.values.buffer.slice(e.values.byteOffset, e.values.byteOffset + e.values.byteLength)) };
}

/** The quantization of the snapshot's kernels (every quantized weight of a variant has the same), or null. */
export const quantOf = (s: ModelSnapshot): QuantSpec | null => s.entries.find((e) => e.quant)?.quant?.spec ?? null;

/** True when plain tfjs can hold every weight at its compressed size (no per-channel, no 4-bit). */
export const plainIsCompact = (s: ModelSnapshot): boolean => stockIsCompact(quantOf(s));

/** model.json (layers format, weights manifest with quantization entries) and one weights shard. */
export function plainLayersFiles(s: ModelSnapshot, stem: string): { modelJson: string; weightsName: string; weights: Uint8Array } {
  const name = safeFileName(stem);
  const weightsName = `${name}.weights.bin`;
  const parts = s.entries.map(plainWeight);
  const json = {
    format: 'layers-model',
    generatedBy: 'nn-playground',
    convertedBy: null,
    modelTopology: s.topology,
    weightsManifest: [{ paths: [weightsName], weights: parts.map((p) => p.spec) }],
    userDefinedMetadata: s.metadata,
  };
  return { modelJson: JSON.stringify(json), weightsName, weights: concat(parts.map((p) => p.bytes)) };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Our compact format (.nnq), documented in docs/compact-format.md:
//   "NNQ1" | uint32 LE header length H | H bytes of UTF-8 JSON header | data
// The header holds modelTopology, userDefinedMetadata and one record per weight with its offset and length in
// the data. A float32 weight is n * 4 bytes, float16 n * 2; an integer weight is its per-channel (or single)
// float32 scales, then the float32 mins, then the codes packed (8-bit one per byte, 4-bit two per byte, low
// nibble first), dequantized as x' = q * scale + min with the channel on the last axis.
// ---------------------------------------------------------------------------------------------------------------

interface CompactRecord {
  name: string;
  shape: number[];
  encoding: 'float32' | 'float16' | 'int';
  bits?: QuantBits;
  scheme?: QuantScheme;
  granularity?: QuantGranularity;
  channels?: number;
  offset: number;
  length: number;
}

function f32Bytes(a: Float32Array): Uint8Array {
  const out = new Uint8Array(a.length * 4);
  const view = new DataView(out.buffer);
  a.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

/** The weights as our compact format stores them: the bytes a variant costs (before gzip). */
function compactWeight(e: WeightEntry): { record: Omit<CompactRecord, 'offset' | 'length'>; bytes: Uint8Array } {
  const q = e.quant;
  if (!q) return { record: { name: e.name, shape: e.shape, encoding: 'float32' }, bytes: f32Bytes(e.values) };
  if (q.spec.bits === 16) return { record: { name: e.name, shape: e.shape, encoding: 'float16', bits: 16 }, bytes: packCodes(q) };
  return {
    record: {
      name: e.name,
      shape: e.shape,
      encoding: 'int',
      bits: q.spec.bits,
      scheme: q.spec.scheme,
      granularity: q.spec.granularity,
      channels: q.scales.length,
    },
    bytes: concat([f32Bytes(q.scales), f32Bytes(q.mins), packCodes(q)]),
  };
}

/** Every weight's stored bytes back to back: what the size figures (raw and gzipped) measure. */
export function compactPayload(s: ModelSnapshot): Uint8Array {
  return concat(s.entries.map((e) => compactWeight(e).bytes));
}

export function compactFile(s: ModelSnapshot, stem: string): ExportFile {
  const parts = s.entries.map(compactWeight);
  let offset = 0;
  const weights: CompactRecord[] = parts.map((p) => {
    const r = { ...p.record, offset, length: p.bytes.length };
    offset += p.bytes.length;
    return r;
  });
  const header = new TextEncoder().encode(
    JSON.stringify({ format: COMPACT_FORMAT, version: COMPACT_VERSION, modelTopology: s.topology, userDefinedMetadata: s.metadata, weights }),
  );
  const head = new Uint8Array(8);
  head.set(new TextEncoder().encode(COMPACT_MAGIC), 0);
  new DataView(head.buffer).setUint32(4, header.length, true);
  return { name: `${safeFileName(stem)}.nnq`, bytes: concat([head, header, ...parts.map((p) => p.bytes)]) };
}

export function isCompactFile(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && new TextDecoder().decode(bytes.subarray(0, 4)) === COMPACT_MAGIC;
}

/** Reads a .nnq file back into a snapshot of its dequantized values, with the loader plain tfjs users get (nnq-loader.js). */
export function readCompactFile(bytes: Uint8Array, fileName = 'the .nnq file'): ModelSnapshot {
  let m;
  try {
    m = decodeCompact(bytes, fileName);
  } catch (e) {
    throw e instanceof CompactModelError ? new ModelFileError(e.message) : e;
  }
  // what the loader let through, checked field by field against the header's schema, the topology sized, before tfjs
  checkCompactFile(bytes, fileName);
  return { topology: m.modelTopology, metadata: m.userDefinedMetadata, entries: m.weights };
}
