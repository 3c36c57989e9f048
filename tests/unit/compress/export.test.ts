import * as tf from '@tensorflow/tfjs';
import { gunzipSync, gzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../../src/engine/families/images/model';
import { CNN_PRESET } from '../../../src/engine/config/imageModel';
import { QuantSpec } from '../../../src/engine/config/compress';
import { loadSnapshot, ModelSnapshot, snapshot } from '../../../src/engine/compress/snapshot';
import { pruneSnapshot, quantizeSnapshot, sizes } from '../../../src/engine/compress/variants';
import {
  compactFile,
  compactPayload,
  isCompactFile,
  plainIsCompact,
  plainLayersFiles,
  readCompactFile,
} from '../../../src/engine/io/compressedFiles';
import { ModelFileError } from '../../../src/engine/io/modelFiles';
import { mnistSubset } from '../mnist';

/** What a plain tfjs user does with the two downloaded files: an IO handler that hands them to loadLayersModel. */
function plainLoad(modelJson: string, weights: Uint8Array): Promise<tf.LayersModel> {
  const json = JSON.parse(modelJson);
  return tf.loadLayersModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g: { weights: tf.io.WeightsManifestEntry[] }) => g.weights),
      weightData: weights.slice().buffer,
    }),
  });
}

function predict(model: tf.LayersModel, xs: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.predict(xs) as tf.Tensor).dataSync() as Float32Array);
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('quantized export that plain tfjs loads', () => {
  let base: ModelSnapshot;
  let xs: tf.Tensor4D;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const model = buildModel({ ...CNN_PRESET, dropout: 0 }, 7);
    base = await snapshot(model, { kind: 'images', dataset: 'MNIST' });
    model.dispose();
    const { test } = mnistSubset(0, 64);
    xs = tf.tensor4d(
      Float32Array.from(test.images, (v) => v / 255),
      [64, 28, 28, 1],
    );
  });

  afterAll(() => xs.dispose());

  const cases: [QuantSpec, boolean][] = [
    [{ bits: 8, scheme: 'affine', granularity: 'tensor' }, true],
    [{ bits: 8, scheme: 'symmetric', granularity: 'tensor' }, true],
    [{ bits: 16, scheme: 'affine', granularity: 'tensor' }, true],
    [{ bits: 4, scheme: 'affine', granularity: 'tensor' }, false],
    [{ bits: 8, scheme: 'affine', granularity: 'channel' }, false],
    [{ bits: 4, scheme: 'symmetric', granularity: 'channel' }, false],
  ];

  for (const [spec, compactInPlain] of cases) {
    it(`${spec.bits}-bit ${spec.scheme} per ${spec.granularity}: plain tf.loadLayersModel predicts exactly what the page's dequantized model predicts`, async () => {
      const variant = quantizeSnapshot(base, spec);
      expect(plainIsCompact(variant)).toBe(compactInPlain);
      const files = plainLayersFiles(variant, 'cnn int8/..');
      expect(files.weightsName).toBe('cnn-int8.weights.bin'); // sanitised: no dots or slashes from the label
      const manifest = JSON.parse(files.modelJson).weightsManifest[0].weights as tf.io.WeightsManifestEntry[];
      const kernels = manifest.filter((w) => w.shape.length >= 2);
      const biases = manifest.filter((w) => w.shape.length < 2);
      expect(biases.every((w) => w.quantization === undefined)).toBe(true);
      if (spec.bits === 16) expect(kernels.every((w) => w.quantization?.dtype === 'float16')).toBe(true);
      else if (spec.granularity === 'tensor') {
        expect(
          kernels.every(
            (w) => w.quantization?.dtype === 'uint8' && typeof w.quantization.scale === 'number' && typeof w.quantization.min === 'number',
          ),
        ).toBe(true);
      } else expect(kernels.every((w) => w.quantization === undefined)).toBe(true); // float32 fallback of the dequantized values

      const page = await loadSnapshot(variant);
      const plain = await plainLoad(files.modelJson, files.weights);
      const a = predict(page, xs);
      const b = predict(plain, xs);
      expect(maxDiff(a, b)).toBe(0); // tfjs dequantizes q * scale + min exactly as we do
      // and the weights themselves are the variant's, not the float32 original's
      const w0 = plain.getWeights()[0].dataSync();
      expect(maxDiff(w0 as Float32Array, variant.entries[0].values)).toBe(0);
      expect(maxDiff(w0 as Float32Array, base.entries[0].values)).toBeGreaterThan(0);
      page.dispose();
      plain.dispose();
    });
  }

  it('per-tensor int8 weights take a quarter of the float32 bytes, 4-bit compact an eighth (plus scales)', () => {
    const n = base.entries.reduce((s, e) => s + e.values.length, 0);
    const kernelN = base.entries.filter((e) => e.shape.length >= 2).reduce((s, e) => s + e.values.length, 0);
    const biasN = n - kernelN;
    const kernels = base.entries.filter((e) => e.shape.length >= 2).length;
    expect(compactPayload(base).length).toBe(4 * n);
    expect(plainLayersFiles(quantizeSnapshot(base, { bits: 8, scheme: 'affine', granularity: 'tensor' }), 'x').weights.length).toBe(
      kernelN + 4 * biasN,
    );
    expect(compactPayload(quantizeSnapshot(base, { bits: 8, scheme: 'affine', granularity: 'tensor' })).length).toBe(
      kernelN + 4 * biasN + 8 * kernels,
    );
    const channels = base.entries.filter((e) => e.shape.length >= 2).reduce((s, e) => s + e.shape[e.shape.length - 1], 0);
    const fourBit = base.entries.filter((e) => e.shape.length >= 2).reduce((s, e) => s + Math.ceil(e.values.length / 2), 0);
    expect(compactPayload(quantizeSnapshot(base, { bits: 4, scheme: 'symmetric', granularity: 'channel' })).length).toBe(
      fourBit + 4 * biasN + 8 * channels,
    );
  });

  it('the compact .nnq file round-trips the values bit for bit and loads into the same predictions', async () => {
    const variant = quantizeSnapshot(base, { bits: 4, scheme: 'affine', granularity: 'channel' });
    const file = compactFile(variant, 'mnist 4-bit');
    expect(file.name).toBe('mnist-4-bit.nnq');
    expect(isCompactFile(file.bytes)).toBe(true);
    const back = readCompactFile(file.bytes);
    expect(back.metadata).toEqual({ kind: 'images', dataset: 'MNIST' });
    back.entries.forEach((e, i) => {
      const v = variant.entries[i];
      expect(e.name).toBe(v.name);
      expect(e.shape).toEqual(v.shape);
      expect(maxDiff(e.values, v.values)).toBe(0);
    });
    const a = await loadSnapshot(variant);
    const b = await loadSnapshot(back);
    expect(maxDiff(predict(a, xs), predict(b, xs))).toBe(0);
    a.dispose();
    b.dispose();
  });

  it('pruned then int8: zeros stay exact with the symmetric scheme and gzip finds them', () => {
    const pruned = pruneSnapshot(base, { sparsity: 0.9, scope: 'global', includeBiases: false });
    const both = quantizeSnapshot(pruned, { bits: 8, scheme: 'symmetric', granularity: 'channel' });
    const kernels = both.entries.filter((e) => e.shape.length >= 2);
    const zeros = kernels.reduce((s, e) => s + e.values.filter((v) => v === 0).length, 0);
    const count = kernels.reduce((s, e) => s + e.values.length, 0);
    expect(zeros).toBeGreaterThanOrEqual(Math.round(0.9 * count));
    const f32 = sizes(base);
    const small = sizes(both);
    expect(compressed(both).length).toBe(small.gzipBytes);
    expect(gunzipSync(compressed(both))).toEqual(compactPayload(both));
    expect(f32.gzipBytes / small.gzipBytes).toBeGreaterThan(10);
  });

  it('damaged compact files are refused with a reason', () => {
    const file = compactFile(quantizeSnapshot(base, { bits: 8, scheme: 'affine', granularity: 'channel' }), 'x').bytes;
    expect(() => readCompactFile(new TextEncoder().encode('{"not":"nnq"}'), 'a.nnq')).toThrow(ModelFileError);
    expect(() => readCompactFile(new TextEncoder().encode('{"not":"nnq"}'), 'a.nnq')).toThrow('a.nnq is not a compact model (.nnq) of nn-playground');
    expect(() => readCompactFile(file.subarray(0, 100), 'b.nnq')).toThrow('b.nnq is truncated');
    expect(() => readCompactFile(file.subarray(0, file.length - 10), 'c.nnq')).toThrow(/c\.nnq is short or damaged: weight .* needs \d+ bytes/);
    const broken = file.slice();
    broken[8] = 0x5b; // the header's opening '{' becomes '[': no longer JSON
    expect(() => readCompactFile(broken, 'd.nnq')).toThrow('d.nnq has a damaged header');
  });
});

const compressed = (s: ModelSnapshot) => gzipSync(compactPayload(s), { level: 9 });
