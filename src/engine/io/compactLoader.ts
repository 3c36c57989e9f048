// nnq-loader: reads the compact model format (.nnq, docs/compact-format.md) and builds a tf.LayersModel.
// Standalone on purpose: this file imports nothing but @tensorflow/tfjs (a dependency-cruiser rule holds it to
// that), so the build ships it as it is, types stripped, as dist/nnq-loader.js for plain tfjs users
// (vite/compactLoader.ts), and the page reads .nnq files with this same code.
//
//   import * as tf from '@tensorflow/tfjs';
//   import { loadCompactModel } from './nnq-loader.js';
//   const model = await loadCompactModel('model.nnq'); // a URL, an ArrayBuffer or a Uint8Array
//   model.predict(tf.zeros([1, 28, 28, 1])).print();
import * as tf from '@tensorflow/tfjs';

/** The format version this loader reads; a file of any other version is refused with a message. */
export const COMPACT_VERSION = 1;
/** The file's first four bytes, and the header's "format". */
export const COMPACT_MAGIC = 'NNQ1';
export const COMPACT_FORMAT = 'nn-playground-compact';

/** A .nnq file this loader cannot read: the message says what is wrong with it. */
export class CompactModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompactModelError';
  }
}

interface WeightRecord {
  name: string;
  shape: number[];
  encoding: string;
  bits?: number;
  granularity?: string;
  channels?: number;
  offset: number;
  length: number;
}

export interface CompactModel {
  modelTopology: object;
  userDefinedMetadata: Record<string, unknown>;
  /** Every weight in the model's order, dequantized to float32. */
  weights: { name: string; shape: number[]; values: Float32Array }[];
}

function readF32(bytes: Uint8Array, at: number, n: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, n * 4);
  return Float32Array.from({ length: n }, (_, i) => view.getFloat32(i * 4, true));
}

/** IEEE binary16 bit pattern h as a number (exact: every half is a float32). */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal: frac * 2^-24
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1024 + frac) * 2 ** (exp - 25); // normal: (1 + frac/1024) * 2^(exp-15)
}

/** The header's JSON and the data section after it. */
function splitFile(bytes: Uint8Array, file: string): { header: Record<string, unknown>; data: Uint8Array } {
  if (bytes.length < 4 || String.fromCharCode(...bytes.subarray(0, 4)) !== COMPACT_MAGIC)
    throw new CompactModelError(`${file} is not a compact model (.nnq) of nn-playground: it does not start with ${COMPACT_MAGIC}.`);
  const headerLength = bytes.length >= 8 ? new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0, true) : -1;
  if (headerLength < 0 || 8 + headerLength > bytes.length)
    throw new CompactModelError(
      `${file} is truncated: its header says ${Math.max(headerLength, 0)} bytes but the file has ${Math.max(bytes.length - 8, 0)} after the magic.`,
    );
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw new CompactModelError(`${file} has a damaged header (${(e as Error).message}).`);
  }
  if (!header || typeof header !== 'object') throw new CompactModelError(`${file} has a damaged header (not a JSON object).`);
  return { header: header as Record<string, unknown>, data: bytes.subarray(8 + headerLength) };
}

/** Bytes the record's encoding needs for its shape, or a reason it is not a valid version 1 record. */
function neededBytes(r: WeightRecord, n: number): number | string {
  if (r.encoding === 'float32') return 4 * n;
  if (r.encoding === 'float16') return 2 * n;
  if (r.encoding !== 'int') return `an unknown encoding "${String(r.encoding)}"`;
  if (r.bits !== 8 && r.bits !== 4) return `${String(r.bits)}-bit integer codes (version 1 has 8 and 4)`;
  const channels = r.granularity === 'tensor' ? 1 : r.granularity === 'channel' ? (r.shape.at(-1) ?? 1) : NaN;
  if (r.channels !== channels) return `${String(r.channels)} channels for granularity "${String(r.granularity)}" and shape [${r.shape.join(', ')}]`;
  return 8 * channels + Math.ceil((n * r.bits) / 8); // float32 scales and mins, then the packed codes
}

/** One weight's float32 values; every integer code dequantizes as x' = q * scale + min (docs/compact-format.md). */
function weightValues(r: WeightRecord, chunk: Uint8Array, n: number): Float32Array {
  if (r.encoding === 'float32') return readF32(chunk, 0, n);
  const out = new Float32Array(n);
  if (r.encoding === 'float16') {
    for (let i = 0; i < n; i++) out[i] = halfToNumber(chunk[2 * i] | (chunk[2 * i + 1] << 8)); // little-endian
    return out;
  }
  const c = r.channels!;
  const scales = readF32(chunk, 0, c);
  const mins = readF32(chunk, 4 * c, c);
  const codes = chunk.subarray(8 * c);
  for (let i = 0; i < n; i++) {
    // 8-bit: one code a byte; 4-bit: element 2k in the low nibble of byte k, 2k + 1 in the high nibble
    const q = r.bits === 8 ? codes[i] : (i & 1) === 0 ? codes[i >> 1] & 0x0f : codes[i >> 1] >>> 4;
    const g = i % c; // the channel is the last axis (row-major); per tensor c = 1
    out[i] = q * scales[g] + mins[g]; // affine dequantization x' = q * scale + min, in double, stored as float32
  }
  return out;
}

function checkRecord(r: WeightRecord, data: Uint8Array, file: string): number {
  const shapeOk = (shape: unknown) => Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0);
  if (!r || typeof r !== 'object' || typeof r.name !== 'string' || !shapeOk(r.shape))
    throw new CompactModelError(`${file} has a damaged weight table: a weight without a name or a valid shape.`);
  const n = r.shape.reduce((a, b) => a * b, 1);
  const need = neededBytes(r, n);
  if (typeof need === 'string') throw new CompactModelError(`${file} stores weight ${r.name} with ${need}, which format version 1 does not define.`);
  if (r.length !== need || !Number.isInteger(r.offset) || r.offset < 0 || r.offset + need > data.length)
    throw new CompactModelError(
      `${file} is short or damaged: weight ${r.name} needs ${need} bytes at offset ${r.offset}, the data holds ${data.length}.`,
    );
  return n;
}

/** Reads a .nnq file: its topology, metadata and every weight dequantized to float32. */
export function decodeCompact(bytes: Uint8Array, file = 'the .nnq file'): CompactModel {
  const { header, data } = splitFile(bytes, file);
  if (header.format !== COMPACT_FORMAT)
    throw new CompactModelError(`${file} is not an nn-playground compact model (its format is ${JSON.stringify(header.format)}).`);
  if (header.version !== COMPACT_VERSION)
    throw new CompactModelError(
      `${file} is compact format version ${JSON.stringify(header.version)}; this loader reads version ${COMPACT_VERSION} only. Use the nnq-loader.js published beside the page that exported it.`,
    );
  const { modelTopology, weights } = header;
  if (!modelTopology || typeof modelTopology !== 'object' || !Array.isArray(weights))
    throw new CompactModelError(`${file} has no model topology or weight table.`);
  return {
    modelTopology,
    userDefinedMetadata: (header.userDefinedMetadata as Record<string, unknown> | undefined) ?? {},
    weights: (weights as WeightRecord[]).map((r) => {
      const n = checkRecord(r, data, file);
      return { name: r.name, shape: r.shape.slice(), values: weightValues(r, data.subarray(r.offset, r.offset + r.length), n) };
    }),
  };
}

async function fetchBytes(url: string | URL): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new CompactModelError(`${String(url)} could not be fetched: HTTP ${response.status}.`);
  return new Uint8Array(await response.arrayBuffer());
}

/** A .nnq file (URL, ArrayBuffer or bytes) as a tf.LayersModel with its float32 weights and userDefinedMetadata. */
export async function loadCompactModel(source: string | URL | ArrayBuffer | Uint8Array): Promise<tf.LayersModel> {
  const remote = typeof source === 'string' || source instanceof URL;
  const bytes = remote ? await fetchBytes(source) : source instanceof Uint8Array ? source : new Uint8Array(source);
  const file = remote ? String(source).split(/[?#]/)[0].split('/').pop() || String(source) : 'the .nnq file';
  const m = decodeCompact(bytes, file);
  const weightData = new Float32Array(m.weights.reduce((n, w) => n + w.values.length, 0));
  let at = 0;
  for (const w of m.weights) {
    weightData.set(w.values, at);
    at += w.values.length;
  }
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: m.modelTopology,
      weightSpecs: m.weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' as const })),
      weightData: weightData.buffer,
      userDefinedMetadata: m.userDefinedMetadata,
    }),
  );
}
