import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { median, peakGflops, resultPath, simdLanes } from '../../../scripts/bench/machine';

describe("npm run bench's arithmetic", () => {
  it('takes the median of the rounds, the mean of the middle two for an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
    expect(median([7])).toBe(7);
  });

  it('estimates a peak from cores, float32 SIMD lanes and clock, one multiply-add per lane per cycle', () => {
    expect(simdLanes(['sse2', 'avx', 'avx2', 'fma', 'avx512f'])).toBe(16);
    expect(simdLanes(['sse2', 'avx', 'fma'])).toBe(8);
    expect(simdLanes(['sse2'])).toBe(4);
    expect(simdLanes([])).toBe(1);
    // 2 cores x 4 lanes (WASM SIMD128) x 2.1 GHz x 4 FLOPs (two FMA pipes) = 67.2 GFLOP/s
    expect(peakGflops(2, 4, 2100)).toBeCloseTo(67.2, 10);
    expect(peakGflops(1, 1, 3000)).toBeCloseTo(12, 10);
  });

  it('names the JSON by date and kind, numbering a second one of the same day', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    const day = new Date('2026-12-06T10:00:00Z');
    expect(resultPath(dir, 'speed', day)).toBe(`${dir}/2026-12-06-speed.json`);
    writeFileSync(`${dir}/2026-12-06-speed.json`, '{}');
    expect(resultPath(dir, 'speed', day)).toBe(`${dir}/2026-12-06-speed-2.json`);
    expect(resultPath(dir, 'time-to-target', day)).toBe(`${dir}/2026-12-06-time-to-target.json`);
  });
});
