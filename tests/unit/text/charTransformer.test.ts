import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCharTransformer, disposeTransformer } from '../../../src/engine/families/charTransformer/layer';
import { TRANSFORMER_PRESETS, transformerParamCount, validateTransformerConfig } from '../../../src/engine/config/charTransformer';
import { disposeCache, type KvCache, transformerForward } from '../../../src/engine/families/charTransformer/model';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const tiny = TRANSFORMER_PRESETS.tiny;
const small = { ...tiny, context: 16, width: 16, heads: 2 };

describe('char-Transformer model', () => {
  it('counts parameters as worked by hand', () => {
    // tiny, vocab 65: wte 65*64 = 4160, wpe 64*64 = 4096; per block: ln 2*128 = 256, qkv 64*192+192 = 12480,
    // proj 64*64+64 = 4160, fc 64*256+256 = 16640, fc2 256*64+64 = 16448 -> 49984; x2 = 99968;
    // final ln 128; tied head bias 65. Total 4160+4096+99968+128+65 = 108417.
    expect(transformerParamCount(tiny, 65)).toBe(108417);
    const w = buildCharTransformer(tiny, 65, 1);
    let n = 0;
    for (const v of w.vars.values()) n += v.size;
    expect(n).toBe(108417);
    disposeTransformer(w);
    // Untied adds a 64x65 head matrix.
    expect(transformerParamCount({ ...tiny, tied: false }, 65)).toBe(108417 + 64 * 65);
  });

  it('names bad settings clearly', () => {
    expect(validateTransformerConfig({ ...tiny, width: 66 })).toEqual(['Width must be a multiple of the number of heads (4), got 66.']);
    expect(validateTransformerConfig({ ...tiny, layers: 0, dropout: 1 })).toEqual([
      'Transformer layers must be a whole number from 1 to 12, got 0.',
      'Dropout must be from 0 up to (not including) 1, got 1.',
    ]);
    expect(() => buildCharTransformer({ ...tiny, context: 1 }, 1, 1)).toThrow(
      'Context must be a whole number of characters from 2 to 1000, got 1. The vocabulary needs at least 2 characters, got 1.',
    );
  });

  it('initialises by seed, residual projections scaled by 1/sqrt(2N)', () => {
    const a = buildCharTransformer(tiny, 10, 7);
    const b = buildCharTransformer(tiny, 10, 7);
    expect(Array.from(a.vars.get('h0.attn.w')!.dataSync())).toEqual(Array.from(b.vars.get('h0.attn.w')!.dataSync()));
    const std = (t: tf.Tensor) => Math.sqrt(tf.tidy(() => tf.moments(t).variance.dataSync()[0]));
    expect(std(a.vars.get('h0.fc.w')!)).toBeCloseTo(0.02, 3);
    expect(std(a.vars.get('h0.fc2.w')!)).toBeCloseTo(0.01, 3); // 0.02 / sqrt(2*2)
    disposeTransformer(a);
    disposeTransformer(b);
  });

  it('is causal: changing a later character leaves earlier logits unchanged', () => {
    const w = buildCharTransformer(small, 8, 3);
    const ids = [1, 2, 3, 4, 5, 6, 7, 0];
    const changed = [...ids];
    changed[5] = 2;
    const a = transformerForward(w, ids);
    const b = transformerForward(w, changed);
    const da = a.arraySync();
    const db = b.arraySync();
    for (let t = 0; t < 5; t++) for (let v = 0; v < 8; v++) expect(db[t][v]).toBeCloseTo(da[t][v], 5);
    expect(Math.abs(db[5][0] - da[5][0]) + Math.abs(db[6][1] - da[6][1])).toBeGreaterThan(1e-6);
    tf.dispose([a, b]);
    disposeTransformer(w);
  });

  it('attention rows sum to 1 and put no weight on the future', () => {
    const w = buildCharTransformer(small, 8, 4);
    const att: tf.Tensor3D[] = [];
    const out = transformerForward(w, [1, 2, 3, 4], undefined, att);
    expect(att.length).toBe(2);
    const a = att[0].arraySync();
    expect(att[0].shape).toEqual([2, 4, 4]);
    for (const head of a)
      head.forEach((row, i) => {
        expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
        for (let j = i + 1; j < 4; j++) expect(row[j]).toBe(0);
      });
    tf.dispose([out, ...att]);
    disposeTransformer(w);
  });

  it('gives the same logits with and without the key/value cache, without leaking tensors', () => {
    const w = buildCharTransformer(small, 8, 5);
    const ids = [3, 1, 4, 1, 5, 2, 6, 7];
    const before = tf.memory().numTensors;
    const full = transformerForward(w, ids);
    const cache: KvCache = { k: [], v: [], length: 0 };
    const first = transformerForward(w, ids.slice(0, 3), cache);
    const rows = [first];
    for (let t = 3; t < ids.length; t++) rows.push(transformerForward(w, [ids[t]], cache));
    const cached = tf.concat(rows);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(full, cached))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-4);
    expect(cache.length).toBe(8);
    expect(cache.k[0].shape).toEqual([2, 8, 8]);
    tf.dispose([full, cached, ...rows]);
    disposeCache(cache);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => transformerForward(w, new Array<number>(17).fill(0))).toThrow('The model sees at most 16 characters, got 17.');
    disposeTransformer(w);
  });
});
