import { describe, expect, it } from 'vitest';
import { mulberry32, shuffledIndices } from '../../../src/engine/data/random';

/** Tommy Ettinger's mulberry32 as published (bryc's JavaScript port), as a reference. */
function referenceMulberry32(a: number) {
  return function () {
    let t = (a += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const take = (r: () => number, n: number) => Array.from({ length: n }, () => r());

describe('mulberry32', () => {
  it('repeats its sequence for the same seed', () => {
    expect(take(mulberry32(42), 100)).toEqual(take(mulberry32(42), 100));
  });

  it('gives different sequences for different seeds', () => {
    const a = take(mulberry32(1), 20);
    const b = take(mulberry32(2), 20);
    expect(a.filter((v, i) => v === b[i]).length).toBe(0);
  });

  it('matches the reference implementation', () => {
    for (const seed of [0, 1, 42, 123456789, 2147483647]) {
      expect(take(mulberry32(seed), 50)).toEqual(take(referenceMulberry32(seed), 50));
    }
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const values = take(mulberry32(7), 20000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01); // sd of the mean: sqrt(1/12/20000) = 0.002
    const bins = new Array(10).fill(0);
    for (const v of values) bins[Math.floor(v * 10)]++;
    for (const b of bins) expect(Math.abs(b - 2000)).toBeLessThan(200); // sd of a bin: sqrt(20000*0.1*0.9) = 42
  });

  it('treats the seed as an unsigned 32-bit integer', () => {
    expect(take(mulberry32(-1), 5)).toEqual(take(mulberry32(4294967295), 5));
    expect(take(mulberry32(2 ** 32 + 5), 5)).toEqual(take(mulberry32(5), 5));
  });
});

describe('shuffledIndices', () => {
  it('is a permutation of 0..n-1', () => {
    const p = shuffledIndices(1000, mulberry32(3));
    expect(p).toBeInstanceOf(Int32Array);
    expect(p.length).toBe(1000);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('actually shuffles', () => {
    const p = shuffledIndices(1000, mulberry32(3));
    const fixedPoints = [...p].filter((v, i) => v === i).length;
    expect(fixedPoints).toBeLessThan(10); // about 1 expected for a random permutation
  });

  it('repeats per seed and differs between seeds', () => {
    expect([...shuffledIndices(500, mulberry32(9))]).toEqual([...shuffledIndices(500, mulberry32(9))]);
    expect([...shuffledIndices(500, mulberry32(9))]).not.toEqual([...shuffledIndices(500, mulberry32(10))]);
  });

  it('successive shuffles from one generator differ (new order every epoch)', () => {
    const r = mulberry32(11);
    expect([...shuffledIndices(200, r)]).not.toEqual([...shuffledIndices(200, r)]);
  });

  it('is a Fisher-Yates shuffle: a generator always returning 0 rotates the array', () => {
    // j = 0 at every step: i = n-1 swaps with 0, then i = n-2 with 0, ... giving [1, 2, ..., n-1, 0].
    expect([...shuffledIndices(5, () => 0)]).toEqual([1, 2, 3, 4, 0]);
    // random() close to 1 gives j = i: no swaps.
    expect([...shuffledIndices(5, () => 0.999999)]).toEqual([0, 1, 2, 3, 4]);
  });

  it('handles 0 and 1 elements', () => {
    expect(shuffledIndices(0, mulberry32(1)).length).toBe(0);
    expect([...shuffledIndices(1, mulberry32(1))]).toEqual([0]);
  });
});
