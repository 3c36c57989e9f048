import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/engine/data/idx';
import { datasetFromFiles, describeDataset, makeDataset, slice } from '../../../src/engine/data/images';
import { mnistIdxPair, realMnist } from '../mnist';

const px = 28 * 28;

/** Asserts that `set` holds digits start..start+set.count-1 of `source`, pixels and labels. */
function expectSliceOf(
  set: { images: Uint8Array; labels: Uint8Array; count: number },
  source: { images: Uint8Array; labels: Uint8Array },
  start: number,
) {
  expect(set.labels.length).toBe(set.count);
  expect(set.images.length).toBe(set.count * px);
  expect(Buffer.compare(Buffer.from(set.labels), Buffer.from(source.labels.subarray(start, start + set.count)))).toBe(0);
  expect(Buffer.compare(Buffer.from(set.images), Buffer.from(source.images.subarray(start * px, (start + set.count) * px)))).toBe(0);
}

describe('slice and makeDataset', () => {
  const { train, test } = realMnist();
  const source = slice(train, 0, 100);

  it('slice keeps images and labels lined up', () => {
    const s = slice(train, 10, 13);
    expect(s.count).toBe(3);
    expectSliceOf(s, train, 10);
  });

  it('holds out the LAST validationSize examples', () => {
    const d = makeDataset('m', source, test, 20);
    expect(d.train.count).toBe(80);
    expect(d.validation.count).toBe(20);
    expect(d.test).toBe(test);
    expectSliceOf(d.train, train, 0);
    expectSliceOf(d.validation, train, 80);
    expect(d.validation.labels[19]).toBe(train.labels[99]);
  });

  it('validation size 0 keeps everything for training', () => {
    const d = makeDataset('m', source, test, 0);
    expect(d.train.count).toBe(100);
    expect(d.validation.count).toBe(0);
  });

  it('rejects a validation size that leaves no training data, or is not a whole number', () => {
    expect(() => makeDataset('m', source, test, 100)).toThrow(DataError);
    expect(() => makeDataset('m', source, test, 100)).toThrow('Validation size 100 leaves no training examples (the set has 100)');
    expect(() => makeDataset('m', source, test, 250)).toThrow('leaves no training examples');
    expect(() => makeDataset('m', source, test, 1.5)).toThrow('whole number');
    expect(() => makeDataset('m', source, test, -1)).toThrow('whole number');
    expect(() => makeDataset('m', source, test, NaN)).toThrow(DataError);
  });

  it('describeDataset counts training labels per class', () => {
    const d = makeDataset('m', source, test, 20);
    const info = describeDataset(d);
    expect(info).toMatchObject({ name: 'm', trainCount: 80, validationCount: 20, testCount: 10000 });
    expect(info.classCounts.length).toBe(10);
    expect(info.classCounts.reduce((a, b) => a + b, 0)).toBe(80);
    for (let c = 0; c < 10; c++) expect(info.classCounts[c]).toBe(train.labels.subarray(0, 80).filter((l) => l === c).length);
  });
});

describe('datasetFromFiles', () => {
  const { train, test } = realMnist();

  it('one pair of files: a seventh (floor(n/7)) is held out as the test set', async () => {
    const { images, labels } = mnistIdxPair(0, 700);
    const d = await datasetFromFiles(
      [
        { name: 'imgs', bytes: images },
        { name: 'lbls', bytes: labels },
      ],
      50,
    );
    const testCount = Math.floor(700 / 7); // 100
    expect(d.test.count).toBe(testCount);
    expectSliceOf(d.test, train, 700 - testCount);
    // validation = min(50, floor(600 / 10) = 60) = 50, the last 50 of the remaining 600.
    expect(d.validation.count).toBe(50);
    expect(d.train.count).toBe(700 - testCount - 50);
    expectSliceOf(d.train, train, 0);
    expectSliceOf(d.validation, train, 550);
    expect(d.name).toBe('imgs');
  });

  it('one pair: validation is capped at a tenth of what remains for training', async () => {
    const { images, labels } = mnistIdxPair(0, 703);
    const d = await datasetFromFiles(
      [
        { name: 'l', bytes: labels },
        { name: 'i', bytes: images },
      ],
      5000,
    );
    // test = floor(703/7) = 100; remaining 603; validation = floor(603/10) = 60.
    expect(d.test.count).toBe(100);
    expect(d.validation.count).toBe(60);
    expect(d.train.count).toBe(543);
  });

  it('two pairs: the larger pair is train whatever the order and the names', async () => {
    const big = mnistIdxPair(0, 500, 'train');
    const small = mnistIdxPair(0, 200, 'test');
    // Names lie on purpose: the small (test) files are called train-*, and are listed first.
    const d = await datasetFromFiles(
      [
        { name: 'train-labels.idx', bytes: small.labels },
        { name: 't10k-images.idx', bytes: big.images },
        { name: 't10k-labels.idx', bytes: big.labels },
        { name: 'train-images.idx', bytes: new Uint8Array(gzipSync(small.images)) },
      ],
      100,
    );
    expect(d.test.count).toBe(200);
    expectSliceOf(d.test, test, 0);
    // validation = min(100, floor(500/10) = 50) = 50.
    expect(d.validation.count).toBe(50);
    expect(d.train.count).toBe(450);
    expectSliceOf(d.train, train, 0);
    expectSliceOf(d.validation, train, 450);
    expect(d.name).toBe('t10k-images.idx + train-images.idx');
  });

  it('two pairs of the same size are refused rather than paired by guesswork', async () => {
    const a = mnistIdxPair(0, 100, 'train');
    const b = mnistIdxPair(0, 100, 'test');
    const files = [
      { name: 'a-images', bytes: a.images },
      { name: 'b-images', bytes: b.images },
      { name: 'b-labels', bytes: b.labels },
      { name: 'a-labels', bytes: a.labels },
    ];
    await expect(datasetFromFiles(files, 10)).rejects.toThrow('Both image files hold 100 images');
  });

  it('a single-image pair says that at least 2 images are needed', async () => {
    const one = mnistIdxPair(0, 1, 'train');
    await expect(
      datasetFromFiles(
        [
          { name: 'one-images', bytes: one.images },
          { name: 'one-labels', bytes: one.labels },
        ],
        10,
      ),
    ).rejects.toThrow('one-images holds 1 image; at least 2 are needed');
  });

  it('wrong number of files', async () => {
    const { images, labels } = mnistIdxPair(0, 10);
    for (const files of [[], [images], [images, labels, images]]) {
      const err = await datasetFromFiles(
        files.map((bytes, i) => ({ name: `f${i}`, bytes })),
        0,
      ).catch((e: Error) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message).toBe(`Choose 2 files (images + labels) or 4 (train and test images + labels); you chose ${files.length}.`);
    }
  });

  it('two image files and no labels', async () => {
    const a = mnistIdxPair(0, 10);
    await expect(
      datasetFromFiles(
        [
          { name: 'a', bytes: a.images },
          { name: 'b', bytes: a.images },
        ],
        0,
      ),
    ).rejects.toThrow('Found 2 image file(s) and 0 label file(s)');
  });

  it('a mismatched pair among four files', async () => {
    const big = mnistIdxPair(0, 500);
    const wrongLabels = mnistIdxPair(0, 400).labels;
    const small = mnistIdxPair(0, 200, 'test');
    const err = await datasetFromFiles(
      [
        { name: 'big-images', bytes: big.images },
        { name: 'big-labels', bytes: wrongLabels },
        { name: 'small-images', bytes: small.images },
        { name: 'small-labels', bytes: small.labels },
      ],
      10,
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe('big-images has 500 images but big-labels has 400 labels; choose a matching pair.');
  });

  it('a broken file among the four names that file', async () => {
    const big = mnistIdxPair(0, 50);
    const small = mnistIdxPair(0, 20, 'test');
    await expect(
      datasetFromFiles(
        [
          { name: 'big-images', bytes: big.images.subarray(0, 500) },
          { name: 'big-labels', bytes: big.labels },
          { name: 'small-images', bytes: small.images },
          { name: 'small-labels', bytes: small.labels },
        ],
        10,
      ),
    ).rejects.toThrow(/^big-images: truncated/);
  });
});
