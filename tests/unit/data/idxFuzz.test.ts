import * as fc from 'fast-check';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/engine/data/idx';
import { datasetFromFiles } from '../../../src/engine/data/images';
import { mnistIdxPair } from '../mnist';
import { applyByteEdits, byteEdits, loadsOrRefuses, SEED } from '../fuzz';

const { images, labels } = mnistIdxPair(0, 40);

describe('IDX files mutated at random (fast-check)', () => {
  it('image and label files with bytes flipped, cut or extended (header first): a dataset or a DataError', async () => {
    let loaded = 0;
    await fc.assert(
      fc.asyncProperty(byteEdits, fc.option(byteEdits, { nil: undefined }), async (imageEdits, labelEdits) => {
        const files = [
          { name: 'images', bytes: applyByteEdits(images, imageEdits, 16) },
          { name: 'labels', bytes: labelEdits ? applyByteEdits(labels, labelEdits, 8) : labels },
        ];
        const out = await loadsOrRefuses(() => datasetFromFiles(files, 4), DataError);
        if (!(out instanceof Error)) {
          loaded++;
          expect(out.train.count + out.test.count).toBe(out.train.labels.length + out.test.labels.length);
          expect(out.train.images.length).toBe(out.train.count * 784);
        }
      }),
      { seed: SEED, numRuns: 2500 },
    );
    expect(loaded).toBeGreaterThan(0); // some edits (a pixel flipped, bytes appended) leave a readable pair
  });

  it('gzipped files damaged anywhere: a DataError or a dataset, never a stream error', async () => {
    const gz = gzipSync(images);
    const refused = new Set<string>();
    await fc.assert(
      fc.asyncProperty(byteEdits, async (edits) => {
        const files = [
          { name: 'images.gz', bytes: applyByteEdits(gz, edits, 32) },
          { name: 'labels', bytes: labels },
        ];
        const out = await loadsOrRefuses(() => datasetFromFiles(files, 4), DataError);
        if (out instanceof Error) refused.add(out.message.replace(/[\d,]+/g, 'N').slice(0, 40));
      }),
      { seed: SEED, numRuns: 500 },
    );
    // the damage is seen by the gzip reader and by the IDX header's checks behind it
    expect([...refused].some((m) => m.startsWith('images.gz: the gzip data is damaged'))).toBe(true);
  });
});
