import { describe, expect, it } from 'vitest';
import { niceCeil, niceTicks, pathOf, thin, trainSeries, zoomRange } from '../../../src/ui/Charts/series';
import type { StepPoint } from '../../../src/engine/config/events';

const steps = (losses: number[]): StepPoint[] => losses.map((loss, i) => ({ step: i + 1, epoch: 0, loss, accuracy: 1 - loss / 10 }));

describe('chart series', () => {
  it('rounds an axis bound up to 1, 2 or 5 tenths of its decade', () => {
    expect([2.43, 2.5, 0.37, 4.6, 7.3, 13, 279, 1, 0].map(niceCeil)).toEqual([2.5, 2.5, 0.4, 5, 8, 15, 300, 1, 1]);
    expect(niceCeil(NaN)).toBe(1);
  });

  it('puts ticks on round values inside the bounds', () => {
    expect(niceTicks(0, 279, 5)).toEqual([0, 100, 200]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(niceTicks(0, 2.5, 4)).toEqual([0, 1, 2]);
    expect(niceTicks(1, 8, 4)).toEqual([2, 4, 6, 8]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });

  it('thins long series to at most 300 points and always keeps the latest', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => i);
    const kept = thin(rows);
    expect(kept.length).toBeLessThanOrEqual(301);
    expect(kept[kept.length - 1]).toBe(999);
    expect(thin(rows.slice(0, 10))).toHaveLength(10);
  });

  it('smooths with a debiased moving average, finds the largest finite value, and caches per steps array', () => {
    const s = steps([2, 1, NaN, 4]);
    const of = (p: StepPoint) => p.loss;
    const series = trainSeries(s, of);
    expect(series.raw.map((p) => p.value)).toEqual([2, 1, NaN, 4]);
    expect(series.smoothed[0].value).toBeCloseTo(2, 12); // the first smoothed value is the first value
    expect(series.smoothed[1].value).toBeCloseTo((0.95 * 0.05 * 2 + 0.05 * 1) / (1 - 0.95 ** 2), 12);
    expect(series.max).toBe(4);
    expect(series.last?.step).toBe(4);
    expect(trainSeries(s, of)).toBe(series);
    expect(trainSeries(steps([2, 1, NaN, 4]), of)).not.toBe(series);
  });

  it('zooms to the last N steps: the start moves in fifths of N, the newest step always inside', () => {
    expect(zoomRange(0, 730, 1000)).toEqual([0, 1000]); // no zoom: the whole run
    expect(zoomRange(50, 30, 1000)).toEqual([0, 50]); // fewer steps than the window: from 0
    expect(zoomRange(50, 30, 40)).toEqual([0, 40]);
    expect(zoomRange(50, 100, 100)).toEqual([50, 100]);
    expect(zoomRange(50, 101, 100)).toEqual([60, 110]); // stride 10: 101 - 50 = 51, up to 60
    expect(zoomRange(200, 730, 1000)).toEqual([560, 760]); // stride 40: 530 up to 560
    for (let last = 201; last < 400; last++) {
      const [from, to] = zoomRange(200, last, 1000);
      expect(to - from).toBe(200);
      expect(last).toBeGreaterThan(from);
      expect(last).toBeLessThanOrEqual(to);
    }
  });

  it("a zoomed series keeps the whole run's smoothing and its latest value, and scales to the shown part", () => {
    const s = steps([8, 6, 4, 2, 1]); // steps 1..5
    const of = (p: StepPoint) => p.loss;
    const whole = trainSeries(s, of);
    const zoomed = trainSeries(s, of, 3);
    expect(zoomed.raw).toEqual(whole.raw.slice(2));
    expect(zoomed.smoothed).toEqual(whole.smoothed.slice(2));
    expect(zoomed.max).toBe(4); // the largest value from step 3 on, not 8
    expect(zoomed.last).toEqual(whole.last);
    expect(trainSeries(s, of, 3)).toBe(zoomed);
    expect(trainSeries(s, of, 9).raw).toEqual([]);
  });

  it('draws a path through the finite points on the given scales', () => {
    const d = pathOf(
      [
        { step: 0, value: 1 },
        { step: 1, value: NaN },
        { step: 2, value: 0.5 },
      ],
      (x) => x * 10,
      (y) => 100 - y * 100,
    );
    expect(d).toBe('M0.0,0.0L20.0,50.0');
  });
});
