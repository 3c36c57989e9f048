import * as tf from '@tensorflow/tfjs';
import * as fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../../src/engine/families/images/model';
import { snapshot } from '../../../src/engine/compress/snapshot';
import { quantizeSnapshot } from '../../../src/engine/compress/variants';
import { compactFile, readCompactFile } from '../../../src/engine/io/compressedFiles';
import { ModelFileError } from '../../../src/engine/io/modelFiles';
import { Engine } from '../../../src/engine/services/engine';
import { MemoryKeyValue } from '../../../src/engine/runs/runStore';
import { mnistIdxPair } from '../mnist';
import { applyByteEdits, applyJsonEdits, byteEdits, jsonEdits, loadsOrRefuses, SEED } from '../fuzz';

let files: Uint8Array[];

/** A .nnq file with its header replaced by `header` (the data section kept). */
function withHeader(file: Uint8Array, header: unknown): Uint8Array {
  const length = new DataView(file.buffer, file.byteOffset + 4, 4).getUint32(0, true);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + file.length - 8 - length);
  out.set(file.subarray(0, 4));
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  out.set(file.subarray(8 + length), 8 + json.length);
  return out;
}

const headerOf = (file: Uint8Array) =>
  JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + new DataView(file.buffer, file.byteOffset + 4, 4).getUint32(0, true))));

let session: Engine;
let loaded = 0;

/** The file loaded as the Images tab loads it: the page's model, or a refusal that leaves the page's model as it was. */
async function load(bytes: Uint8Array): Promise<void> {
  const out = await loadsOrRefuses(() => session.importImageModel([{ name: 'm.nnq', bytes }]), ModelFileError);
  if (!(out instanceof Error)) {
    loaded++;
    await session.importImageModel([{ name: 'm.nnq', bytes: files[0] }]); // back to the original for the next case
  }
}

beforeAll(async () => {
  session = new Engine(() => new MemoryKeyValue());
  await session.init('cpu', () => {});
  const { images, labels } = mnistIdxPair(0, 70);
  await session.loadIdxFiles(
    [
      { name: 'images', bytes: images },
      { name: 'labels', bytes: labels },
    ],
    5,
  );
  const model = buildModel({ kind: 'mlp', hidden: [{ units: 8, activation: 'relu' }], dropout: 0 }, 1);
  const base = await snapshot(model, { kind: 'images' });
  model.dispose();
  files = [
    compactFile(base, 'f32').bytes,
    compactFile(quantizeSnapshot(base, { bits: 8, scheme: 'affine', granularity: 'channel' }), 'int8').bytes,
    compactFile(quantizeSnapshot(base, { bits: 4, scheme: 'symmetric', granularity: 'tensor' }), 'int4').bytes,
  ];
  await session.importImageModel([{ name: 'm.nnq', bytes: files[0] }]);
});

const pixels = new Float32Array(784).fill(0.4);

describe('.nnq files mutated at random (fast-check)', () => {
  it('names the header field at fault', () => {
    // fields nnq-loader reads past (it checks what it needs to decode the weights) are the schema's
    const h = headerOf(files[1]);
    h.weights[0].scheme = 'logarithmic';
    expect(() => readCompactFile(withHeader(files[1], h), 'm.nnq')).toThrow(
      new ModelFileError('m.nnq: weights[0].scheme: expected one of "affine", "symmetric", got "logarithmic".'),
    );
    const t = headerOf(files[0]);
    t.modelTopology.config.layers[1].config.kernel_initializer = { class_name: 'Sequential', config: {} };
    expect(() => readCompactFile(withHeader(files[0], t), 'm.nnq')).toThrow(
      /^m\.nnq: modelTopology\.config\.layers\[1\]\.config\.kernel_initializer\.class_name: expected one of "Zeros", /,
    );
    const big = headerOf(files[0]);
    big.modelTopology.config.layers[1].config.units = 1e6;
    expect(() => readCompactFile(withHeader(files[0], big), 'm.nnq')).toThrow(/^This model has 795,000,010 parameters and needs 3\.2 GB/);
  });

  it("header values replaced or dropped: a model, or a ModelFileError that leaves the page's model and memory as they were", async () => {
    const before = await session.predict(pixels);
    const tensors = tf.memory().numTensors;
    await fc.assert(
      fc.asyncProperty(fc.nat(2), jsonEdits, async (which, edits) => {
        await load(withHeader(files[which], applyJsonEdits(headerOf(files[which]), edits)));
      }),
      { seed: SEED, numRuns: 1200 },
    );
    expect(tf.memory().numTensors).toBe(tensors);
    expect(await session.predict(pixels)).toEqual(before);
  });

  it('bytes flipped, cut or extended anywhere (the magic and header length first): a model, or a ModelFileError', async () => {
    const before = await session.predict(pixels);
    loaded = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(2), byteEdits, async (which, edits) => {
        await load(applyByteEdits(files[which], edits, 12));
      }),
      { seed: SEED, numRuns: 1200 },
    );
    // a flipped weight byte still loads (the format has no checksum); everything else was refused
    expect(loaded).toBeGreaterThan(0);
    expect(await session.predict(pixels)).toEqual(before);
  });
});
