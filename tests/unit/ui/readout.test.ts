import { describe, expect, it } from 'vitest';
import { lastStepOf, pointAt, readStep, seriesCsv } from '../../../src/ui/Charts/Readout';

const raw = [
  { step: 1, value: 2.5 },
  { step: 5, value: 1.5 },
  { step: 9, value: 0.5 },
];

describe('the chart readout', () => {
  it('reads the last point at or before a step', () => {
    expect(pointAt(raw, 0)).toBeNull();
    expect(pointAt(raw, 1)).toEqual({ step: 1, value: 2.5 });
    expect(pointAt(raw, 7)).toEqual({ step: 5, value: 1.5 });
    expect(pointAt(raw, 100)).toEqual({ step: 9, value: 0.5 });
  });

  it('writes the series as CSV, one row per step, blanks where a series has no value', () => {
    const csv = seriesCsv(raw, raw, [
      { step: 5, value: Number.NaN },
      { step: 9, value: 0.75 },
    ]);
    expect(csv).toBe('step,train,train_smoothed,validation\n1,2.5,2.5,\n5,1.5,1.5,\n9,0.5,0.5,0.75\n');
  });

  it('reads at the chosen step, clamped to the run; the latest when none is chosen', () => {
    expect(lastStepOf(raw, [{ step: 12, value: 1 }])).toBe(12);
    expect(lastStepOf([], [])).toBe(0);
    expect(readStep(null, 9)).toBe(9);
    expect(readStep(4, 9)).toBe(4);
    expect(readStep(40, 9)).toBe(9);
    expect(readStep(-3, 9)).toBe(0);
  });
});
