import { DataError, LabelledImages, maybeGunzip, pairIdx, parseIdx, IdxArray } from './idx';
import type { DatasetInfo, NamedBytes } from '../config/data';

/** A labelled image set split three ways. Validation is held out of the training set. */
export interface ImageDataset {
  name: string;
  train: LabelledImages;
  validation: LabelledImages;
  test: LabelledImages;
}

export function slice(set: LabelledImages, start: number, end: number): LabelledImages {
  const px = set.height * set.width;
  return {
    images: set.images.subarray(start * px, end * px),
    labels: set.labels.subarray(start, end),
    count: end - start,
    height: set.height,
    width: set.width,
  };
}

/** Holds out the last `validationSize` training examples (a fixed, reproducible split). */
export function makeDataset(name: string, train: LabelledImages, test: LabelledImages, validationSize: number): ImageDataset {
  if (!Number.isInteger(validationSize) || validationSize < 0) {
    throw new DataError(`Validation size must be a whole number of examples, got ${validationSize}.`);
  }
  if (validationSize >= train.count) {
    throw new DataError(
      `Validation size ${validationSize} leaves no training examples (the set has ${train.count}); choose a smaller validation size.`,
    );
  }
  const cut = train.count - validationSize;
  return { name, train: slice(train, 0, cut), validation: slice(train, cut, train.count), test };
}

export function describeDataset(d: ImageDataset): DatasetInfo {
  const classCounts = new Array<number>(10).fill(0);
  for (const l of d.train.labels) classCounts[l]++;
  return { name: d.name, trainCount: d.train.count, validationCount: d.validation.count, testCount: d.test.count, classCounts };
}

/**
 * Builds a dataset from user files: one image/label pair (a seventh is held out as the test set, as in MNIST)
 * or two pairs (the larger is train, the smaller test). Files are told apart by their IDX dimensions, so
 * names do not matter. Throws DataError; the caller's current dataset is untouched.
 */
export async function datasetFromFiles(files: NamedBytes[], validationSize: number): Promise<ImageDataset> {
  if (files.length !== 2 && files.length !== 4) {
    throw new DataError(`Choose 2 files (images + labels) or 4 (train and test images + labels); you chose ${files.length}.`);
  }
  const parsed: { name: string; idx: IdxArray }[] = [];
  for (const f of files) parsed.push({ name: f.name, idx: parseIdx(await maybeGunzip(f.bytes, f.name), f.name) });
  const images = parsed.filter((p) => p.idx.dims.length !== 1).sort((a, b) => b.idx.dims[0] - a.idx.dims[0]);
  const labels = parsed.filter((p) => p.idx.dims.length === 1).sort((a, b) => b.idx.dims[0] - a.idx.dims[0]);
  if (images.length !== labels.length) {
    throw new DataError(`Found ${images.length} image file(s) and ${labels.length} label file(s); each image file needs its label file.`);
  }
  if (images.length === 2 && images[0].idx.dims[0] === images[1].idx.dims[0]) {
    throw new DataError(
      `Both image files hold ${images[0].idx.dims[0].toLocaleString('en-US')} images, so train and test cannot be told apart by size and labels could be paired with the wrong images. Load one image/label pair (2 files) at a time.`,
    );
  }
  const sets = images.map((im, i) => pairIdx(im.idx, labels[i].idx, im.name, labels[i].name));
  const name = images.map((i) => i.name).join(' + ');
  if (sets.length === 2) return makeDataset(name, sets[0], sets[1], Math.min(validationSize, Math.floor(sets[0].count / 10)));
  const all = sets[0];
  if (all.count < 2) throw new DataError(`${name} holds ${all.count} image; at least 2 are needed (one to train on, one to test).`);
  const testCount = Math.max(1, Math.floor(all.count / 7));
  const train = slice(all, 0, all.count - testCount);
  const val = Math.min(validationSize, Math.floor(train.count / 10));
  return makeDataset(name, train, slice(all, all.count - testCount, all.count), val);
}
