import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataError, gunzip, isGzip, maybeGunzip, pairIdx, parseIdx, readIdxPair } from '../../../src/engine/data/idx';
import { idxBytes, mnistFile, mnistIdxPair, realMnist } from '../mnist';

/** Runs fn and returns the error it throws (failing the test when it does not throw). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('parseIdx on the real MNIST files', () => {
  it('reads the training images and labels with their dimensions', () => {
    const images = parseIdx(mnistFile('train-images-idx3-ubyte'));
    const labels = parseIdx(mnistFile('train-labels-idx1-ubyte'));
    expect(images.dims).toEqual([60000, 28, 28]);
    expect(images.data.length).toBe(60000 * 28 * 28);
    expect(labels.dims).toEqual([60000]);
    expect(labels.data.length).toBe(60000);
    // The first MNIST training digit is the famous "5", then 0, 4, 1, 9.
    expect([...labels.data.subarray(0, 5)]).toEqual([5, 0, 4, 1, 9]);
    // Pixels are 0..255 with ink in the middle of the field, none in the corner.
    expect(images.data[0]).toBe(0);
    expect(Math.max(...images.data.subarray(0, 784))).toBe(255);
  });

  it('reads the test files (10000 digits)', () => {
    expect(parseIdx(mnistFile('t10k-images-idx3-ubyte')).dims).toEqual([10000, 28, 28]);
    expect(parseIdx(mnistFile('t10k-labels-idx1-ubyte')).dims).toEqual([10000]);
  });

  it('realMnist pairs them into labelled sets', () => {
    const { train, test } = realMnist();
    expect([train.count, train.height, train.width]).toEqual([60000, 28, 28]);
    expect(test.count).toBe(10000);
    expect(train.labels[0]).toBe(5);
  });
});

describe('parseIdx on hand-built files', () => {
  it('parses a tiny 2x3 file', () => {
    const bytes = new Uint8Array([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]);
    const idx = parseIdx(bytes);
    expect(idx.dims).toEqual([2, 3]);
    expect([...idx.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads big-endian sizes above 255 and ignores trailing bytes', () => {
    const data = Array.from({ length: 300 }, (_, i) => i % 10);
    const bytes = new Uint8Array([...idxBytes([300], data), 99, 99]);
    expect(bytes[6]).toBe(1); // 300 = 0x012c
    expect(bytes[7]).toBe(0x2c);
    const idx = parseIdx(bytes);
    expect(idx.dims).toEqual([300]);
    expect(idx.data.length).toBe(300);
    expect(idx.data[299]).toBe(9);
  });

  it('works on a view that does not start at offset 0 of its buffer', () => {
    const inner = idxBytes([2, 2], [7, 8, 9, 10]);
    const outer = new Uint8Array(inner.length + 5);
    outer.set(inner, 5);
    const idx = parseIdx(outer.subarray(5));
    expect(idx.dims).toEqual([2, 2]);
    expect([...idx.data]).toEqual([7, 8, 9, 10]);
  });
});

describe('parseIdx rejects bad files with a DataError saying why', () => {
  it('wrong magic number (a zip file)', () => {
    const e = thrown(() => parseIdx(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]), 'digits.zip'));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toContain('wrong magic number');
    expect(e.message).toContain('0x504b0304');
    expect(e.message.startsWith('digits.zip:')).toBe(true);
  });

  it('truncated data (the real training images cut to 1000 bytes)', () => {
    const e = thrown(() => parseIdx(mnistFile('train-images-idx3-ubyte').subarray(0, 1000), 'train-images'));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toContain('truncated');
    // 60000 * 28 * 28 promised, 1000 - 16 header bytes present.
    expect(e.message).toContain((60000 * 28 * 28).toLocaleString('en-US'));
    expect(e.message).toContain('47,040,000');
    expect(e.message).toContain(`holds ${1000 - 16}`);
  });

  it('truncated data (hand-built: 10 promised, 5 present)', () => {
    const e = thrown(() => parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 10, 1, 2, 3, 4, 5])));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toMatch(/truncated.*promises 10 bytes.*holds 5/);
  });

  it('truncated header', () => {
    const e = thrown(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1, 0, 0])));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toContain('truncated IDX header');
  });

  it('unsupported data type (0x0D = float)', () => {
    const e = thrown(() => parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0])));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toContain('0xd is not supported');
    expect(e.message).toContain('unsigned bytes');
  });

  it('too short to hold a header', () => {
    for (const n of [0, 1, 3]) {
      const e = thrown(() => parseIdx(new Uint8Array(n), 'tiny'));
      expect(e).toBeInstanceOf(DataError);
      expect(e.message).toBe(`tiny: only ${n} bytes, too short to be an IDX file.`);
    }
  });

  it('zero or too many dimensions', () => {
    expect(thrown(() => parseIdx(new Uint8Array([0, 0, 8, 0]))).message).toContain('claims 0 dimensions');
    expect(thrown(() => parseIdx(new Uint8Array([0, 0, 8, 5]))).message).toContain('claims 5 dimensions');
  });
});

describe('gzip', () => {
  it('isGzip looks at the two magic bytes', () => {
    expect(isGzip(gzipSync(new Uint8Array([1, 2, 3])))).toBe(true);
    expect(isGzip(mnistFile('t10k-labels-idx1-ubyte'))).toBe(false);
    expect(isGzip(new Uint8Array([0x1f]))).toBe(false);
  });

  it('maybeGunzip passes raw bytes through and inflates gzipped ones', async () => {
    const raw = mnistFile('t10k-labels-idx1-ubyte');
    expect(await maybeGunzip(raw)).toBe(raw);
    const inflated = await maybeGunzip(new Uint8Array(gzipSync(raw)));
    expect(inflated.length).toBe(raw.length);
    expect(Buffer.compare(Buffer.from(inflated), Buffer.from(raw))).toBe(0);
  });

  it('readIdxPair gives the same data from gzipped and raw files', async () => {
    const rawImages = mnistFile('t10k-images-idx3-ubyte');
    const rawLabels = mnistFile('t10k-labels-idx1-ubyte');
    const fromRaw = await readIdxPair(rawImages, rawLabels);
    const fromGz = await readIdxPair(new Uint8Array(gzipSync(rawImages)), new Uint8Array(gzipSync(rawLabels)));
    // Mixed: one file gzipped, the other raw.
    const mixed = await readIdxPair(rawImages, new Uint8Array(gzipSync(rawLabels)));
    for (const set of [fromGz, mixed]) {
      expect(set.count).toBe(10000);
      expect([set.height, set.width]).toEqual([28, 28]);
      expect(Buffer.compare(Buffer.from(set.images), Buffer.from(fromRaw.images))).toBe(0);
      expect(Buffer.compare(Buffer.from(set.labels), Buffer.from(fromRaw.labels))).toBe(0);
    }
  });

  it('a truncated gzip stream gives a DataError', async () => {
    const gz = new Uint8Array(gzipSync(mnistFile('t10k-labels-idx1-ubyte')));
    const cut = gz.subarray(0, Math.floor(gz.length / 2));
    const err = await gunzip(cut, 'labels.gz').then(
      () => null,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(DataError);
    expect(err!.message).toContain('labels.gz: the gzip data is damaged or truncated');
  });

  it('a corrupted gzip body gives a DataError through readIdxPair', async () => {
    const gz = new Uint8Array(gzipSync(mnistFile('t10k-labels-idx1-ubyte')));
    for (let i = 20; i < 60; i++) gz[i] ^= 0xff;
    const { images } = mnistIdxPair(0, 10000, 'test');
    await expect(readIdxPair(images, gz, 'images', 'labels.gz')).rejects.toThrow(DataError);
    await expect(readIdxPair(images, gz, 'images', 'labels.gz')).rejects.toThrow(/labels\.gz: the gzip data is damaged/);
  });
});

describe('pairIdx', () => {
  const pair = (start: number, end: number) => {
    const { images, labels } = mnistIdxPair(start, end);
    return { images: parseIdx(images), labels: parseIdx(labels) };
  };

  it('pairs a real slice and keeps its labels', () => {
    const { images, labels } = pair(0, 5);
    const set = pairIdx(images, labels);
    expect(set.count).toBe(5);
    expect([...set.labels]).toEqual([5, 0, 4, 1, 9]);
    expect(set.images.length).toBe(5 * 784);
  });

  it('count mismatch', () => {
    const a = pair(0, 3);
    const b = pair(0, 2);
    const e = thrown(() => pairIdx(a.images, b.labels, 'imgs', 'lbls'));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toBe('imgs has 3 images but lbls has 2 labels; choose a matching pair.');
  });

  it('images other than 28x28', () => {
    const images = parseIdx(idxBytes([2, 32, 32], new Uint8Array(2 * 32 * 32)));
    const labels = parseIdx(idxBytes([2], [1, 2]));
    const e = thrown(() => pairIdx(images, labels));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toContain('32x32');
    expect(e.message).toContain('28x28');
  });

  it('swapped image and label files', () => {
    const { images, labels } = pair(0, 4);
    const e = thrown(() => pairIdx(labels, images, 'a', 'b'));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toContain('a: expected an image file with 3 dimensions');
    expect(e.message).toContain('got 1 (4)');
    expect(e.message).toContain('swap');
    // Two image files: the "label" one has 3 dimensions.
    const e2 = thrown(() => pairIdx(images, images, 'a', 'b'));
    expect(e2.message).toContain('b: expected a label file with 1 dimension, got 3 (4x28x28)');
  });

  it('label outside 0-9', () => {
    const { images } = pair(0, 4);
    const labels = parseIdx(idxBytes([4], [3, 9, 10, 2]));
    const e = thrown(() => pairIdx(images, labels, 'i', 'l'));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toContain('label 10 at index 2 is outside 0-9');
  });

  it('no images at all', () => {
    const e = thrown(() => pairIdx(parseIdx(idxBytes([0, 28, 28], [])), parseIdx(idxBytes([0], []))));
    expect(e.message).toContain('holds no images');
  });
});
