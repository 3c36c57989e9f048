import type { ImageDataset } from '../data/images';
import type { Corpus } from '../text/corpus';
import type { DatasetIdentity } from '../config/runs';

/** FNV-1a, 32 bits: h = (h xor byte) * 16777619, over every `stride`-th value. */
function fnv1a(values: ArrayLike<number>, stride = 1, h = 0x811c9dc5): number {
  for (let i = 0; i < values.length; i += stride) {
    h ^= values[i] & 0xff;
    h = Math.imul(h, 16777619) >>> 0;
    h ^= (values[i] >>> 8) & 0xff;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h >>> 0;
}

/** Labels in full and every 97th pixel: different files, subsets or splits give a different fingerprint. */
export function imageIdentity(d: ImageDataset): DatasetIdentity {
  let h = fnv1a(d.train.labels);
  h = fnv1a(d.train.images, 97, h);
  h = fnv1a(d.validation.labels, 1, h);
  return { task: 'images', name: d.name, size: d.train.count, fingerprint: h.toString(16).padStart(8, '0') };
}

export function textIdentity(c: Corpus): DatasetIdentity {
  const h = fnv1a(new TextEncoder().encode(c.vocab.join('\u0000')), 1, fnv1a(c.ids, 7));
  return { task: 'text', name: c.info.name, size: c.ids.length, fingerprint: h.toString(16).padStart(8, '0') };
}

/**
 * Why a run cannot go on with the data loaded now, or null when it is the same data. what: 'dataset' or 'text';
 * unit: what its size counts ('training images', 'characters').
 */
export function identityProblem(run: DatasetIdentity, loaded: DatasetIdentity | null, what: string, unit: string): string | null {
  if (!loaded) return `Load the ${what} "${run.name}" first; this run trained on it.`;
  if (loaded.fingerprint === run.fingerprint && loaded.size === run.size) return null;
  return `This run trained on "${run.name}" (${run.size.toLocaleString('en-US')} ${unit}), but "${loaded.name}" with other contents is loaded; load the same ${what} (and options) to resume it.`;
}
