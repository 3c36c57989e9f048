import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAR_PRESETS } from '../../../src/engine/config/charModel';
import type { QuantSpec } from '../../../src/engine/config/compress';
import { CNN_PRESET, MLP_PRESET } from '../../../src/engine/config/imageModel';
import { exportSummary, exportWeightBytes, PORTABLE_QUANT, stockIsCompact } from '../../../src/engine/config/exportForms';
import { loadSnapshot, type ModelSnapshot, snapshot } from '../../../src/engine/compress/snapshot';
import { pruneSnapshot, quantizeSnapshot } from '../../../src/engine/compress/variants';
import { buildCharLstm } from '../../../src/engine/families/charLstm/model';
import { buildModel } from '../../../src/engine/families/images/model';
import { COMPACT_VERSION, CompactModelError, decodeCompact, loadCompactModel } from '../../../src/engine/io/compactLoader';
import { compactFile, compactPayload, plainIsCompact, plainLayersFiles, readCompactFile } from '../../../src/engine/io/compressedFiles';
import { ModelFileError } from '../../../src/engine/io/modelFiles';

/** Every quantization the panel offers (float16, int8 and 4-bit in each scheme and granularity). */
const SPECS: QuantSpec[] = [
  { bits: 16, scheme: 'affine', granularity: 'tensor' },
  ...([8, 4] as const).flatMap((bits) =>
    (['affine', 'symmetric'] as const).flatMap((scheme) => (['tensor', 'channel'] as const).map((granularity) => ({ bits, scheme, granularity }))),
  ),
];

/** The variants the page writes for a model: float32, each quantization, and 90 % pruned then int8 symmetric and 4-bit affine. */
function variantsOf(base: ModelSnapshot): [string, ModelSnapshot][] {
  const pruned = pruneSnapshot(base, { sparsity: 0.9, scope: 'global', includeBiases: false });
  return [
    ['float32', base],
    ...SPECS.map((s): [string, ModelSnapshot] => [`${s.bits}-bit ${s.scheme} per ${s.granularity}`, quantizeSnapshot(base, s)]),
    ['pruned + int8 symmetric per channel', quantizeSnapshot(pruned, { bits: 8, scheme: 'symmetric', granularity: 'channel' })],
    ['pruned + 4-bit affine per tensor', quantizeSnapshot(pruned, { bits: 4, scheme: 'affine', granularity: 'tensor' })],
  ];
}

const bitsOf = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

function outputs(model: tf.LayersModel, x: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
}

/** The header of a .nnq file edited, the data kept. */
function withHeader(file: Uint8Array, edit: (h: Record<string, unknown>) => void): Uint8Array {
  const length = new DataView(file.buffer, file.byteOffset + 4, 4).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + length)));
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + file.length - 8 - length);
  out.set(file.subarray(0, 4));
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  out.set(file.subarray(8 + length), 8 + json.length);
  return out;
}

describe('nnq-loader (src/engine/io/compactLoader.ts): every scheme the page writes', () => {
  const models: { name: string; base: ModelSnapshot; input: tf.Tensor }[] = [];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const mlp = buildModel(MLP_PRESET, 3);
    const cnn = buildModel(CNN_PRESET, 4);
    const lstm = buildCharLstm(CHAR_PRESETS.small.config, 61, 5);
    const images = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 9);
    models.push(
      { name: 'MLP', base: await snapshot(mlp, { kind: 'images' }), input: images },
      { name: 'CNN', base: await snapshot(cnn, { kind: 'images' }), input: images },
      { name: 'char-LSTM', base: await snapshot(lstm, { kind: 'charLstm', vocab: ['a', 'b'] }), input: tf.tensor2d([[0, 5, 60, 7, 7, 1]]) },
    );
    for (const m of [mlp, cnn, lstm]) m.dispose();
  });

  afterAll(() => models.forEach((m) => m.input.dispose()));

  for (const name of ['MLP', 'CNN', 'char-LSTM']) {
    it(`${name}: each .nnq loads into the page's dequantized weights bit for bit and predicts the same outputs`, async () => {
      const { base, input } = models.find((m) => m.name === name)!;
      for (const [label, variant] of variantsOf(base)) {
        const file = compactFile(variant, `${name} ${label}`).bytes;
        const model = await loadCompactModel(file);
        const weights = model.getWeights();
        expect(weights.map((w) => w.shape)).toEqual(variant.entries.map((e) => e.shape));
        weights.forEach((w, i) =>
          expect(bitsOf(w.dataSync() as Float32Array), `${label}: ${variant.entries[i].name}`).toEqual(bitsOf(variant.entries[i].values)),
        );
        expect(model.getUserDefinedMetadata()).toEqual(variant.metadata);
        const page = await loadSnapshot(variant);
        expect(bitsOf(outputs(model, input)), label).toEqual(bitsOf(outputs(page, input)));
        // the page reads .nnq files with the same code
        expect(readCompactFile(file).entries.map((e) => bitsOf(e.values))).toEqual(variant.entries.map((e) => bitsOf(e.values)));
        model.dispose();
        page.dispose();
      }
    });
  }

  it('4-bit codes of an odd count, per channel, come back exactly (the last byte holds one nibble)', () => {
    const values = Float32Array.from({ length: 7 * 13 }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 13)));
    const base: ModelSnapshot = { topology: {}, metadata: {}, entries: [{ name: 'k', shape: [7, 13], values }] };
    for (const bits of [4, 8] as const) {
      const variant = quantizeSnapshot(base, { bits, scheme: 'affine', granularity: 'channel' });
      const back = decodeCompact(compactFile(variant, 'odd').bytes);
      expect(bitsOf(back.weights[0].values)).toEqual(bitsOf(variant.entries[0].values));
    }
  });
});

describe('nnq-loader refuses damaged files with a message', () => {
  let file: Uint8Array;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const model = buildModel(MLP_PRESET, 3);
    file = compactFile(quantizeSnapshot(await snapshot(model, {}), { bits: 4, scheme: 'affine', granularity: 'channel' }), 'x').bytes;
    model.dispose();
  });

  it.each<[string, () => Uint8Array, string | RegExp]>([
    [
      'not a .nnq',
      () => new TextEncoder().encode('{"modelTopology": {}}'),
      'm.nnq is not a compact model (.nnq) of nn-playground: it does not start with NNQ1.',
    ],
    ['cut inside the length', () => file.subarray(0, 6), 'm.nnq is truncated: its header says 0 bytes but the file has 0 after the magic.'],
    ['cut inside the header', () => file.subarray(0, 100), /^m\.nnq is truncated: its header says \d+ bytes but the file has 92 after the magic\.$/],
    ['header not JSON', () => Object.assign(file.slice(), { 8: 0x5b }), /^m\.nnq has a damaged header \(/],
    ['another version', () => withHeader(file, (h) => (h.version = 2)), 'm.nnq is compact format version 2; this loader reads version 1 only.'],
    ['no version', () => withHeader(file, (h) => delete h.version), 'm.nnq is compact format version undefined; this loader reads version 1 only.'],
    ['another format', () => withHeader(file, (h) => (h.format = 'keras')), 'm.nnq is not an nn-playground compact model (its format is "keras").'],
    ['no weight table', () => withHeader(file, (h) => delete h.weights), 'm.nnq has no model topology or weight table.'],
    [
      'unknown encoding',
      () => withHeader(file, (h) => ((h.weights as { encoding: string }[])[0].encoding = 'bfloat16')),
      'with an unknown encoding "bfloat16", which format version 1 does not define',
    ],
    ['2-bit codes', () => withHeader(file, (h) => ((h.weights as { bits: number }[])[0].bits = 2)), '2-bit integer codes (version 1 has 8 and 4)'],
    [
      'wrong channel count',
      () => withHeader(file, (h) => ((h.weights as { channels: number }[])[0].channels = 3)),
      '3 channels for granularity "channel" and shape [784, 64]',
    ],
    [
      'data cut short',
      () => file.subarray(0, file.length - 10),
      /m\.nnq is short or damaged: weight .*\/bias needs 40 bytes at offset \d+, the data holds \d+\./,
    ],
  ])('%s', (_, make, message) => {
    expect(() => decodeCompact(make(), 'm.nnq')).toThrow(CompactModelError);
    expect(() => decodeCompact(make(), 'm.nnq')).toThrow(message);
    // the page says the same when the file is loaded there
    expect(() => readCompactFile(make(), 'm.nnq')).toThrow(ModelFileError);
    expect(() => readCompactFile(make(), 'm.nnq')).toThrow(message);
  });

  it('writes the version it reads', () => {
    expect(COMPACT_VERSION).toBe(1);
    expect(() => decodeCompact(withHeader(file, (h) => expect(h.version).toBe(COMPACT_VERSION)))).not.toThrow();
  });
});

describe('what each export holds (engine/config/exportForms.ts)', () => {
  it("the weights' bytes the panel announces are the bytes each export writes, for every quantization", async () => {
    await tf.setBackend('cpu');
    const model = buildModel(CNN_PRESET, 4);
    const base = await snapshot(model, {});
    model.dispose();
    const shapes = base.entries.map((e) => e.shape);
    for (const [label, variant] of variantsOf(base)) {
      const spec = variant.entries.find((e) => e.quant)?.quant?.spec ?? null;
      expect(exportWeightBytes(shapes, spec), label).toEqual({
        stock: plainLayersFiles(variant, 'x').weights.length,
        compact: compactPayload(variant).length,
      });
      expect(stockIsCompact(spec), label).toBe(plainIsCompact(variant));
    }
  });

  it('the portable default is held by stock tfjs as uint8 codes; per channel and 4-bit say what their files hold', () => {
    expect(PORTABLE_QUANT).toEqual({ bits: 8, scheme: 'affine', granularity: 'tensor' });
    expect(exportSummary(PORTABLE_QUANT, { stock: 85_400, compact: 86_000 })).toBe('stock tfjs: uint8 codes, 85 kB (no .nnq needed)');
    expect(exportSummary({ bits: 8, scheme: 'affine', granularity: 'channel' }, { stock: 335_000, compact: 97_600 })).toBe(
      'stock tfjs: float32 fallback, 335 kB; compact .nnq: 98 kB',
    );
    expect(exportSummary({ bits: 4, scheme: 'symmetric', granularity: 'tensor' }, { stock: 51_112, compact: 4_560 })).toBe(
      'stock tfjs: 4-bit codes as uint8, 51 kB; compact .nnq: 4.6 kB',
    );
    expect(exportSummary({ bits: 16, scheme: 'affine', granularity: 'tensor' }, { stock: 950, compact: 950 })).toBe(
      'stock tfjs: float16, 950 B (no .nnq needed)',
    );
  });
});
