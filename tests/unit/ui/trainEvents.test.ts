import { afterEach, describe, expect, it, vi } from 'vitest';
import { onTrainEvent } from '../../../src/ui/store/trainEvents';
import { store } from '../../../src/ui/store/store';
import type { Progress, StepPoint } from '../../../src/engine/config/events';

const progress = (step: number): Progress => ({ epoch: 0, epochs: 1, step, stepsPerEpoch: 100, totalSteps: 100, samplesPerSec: 1, etaSec: 1 });
const steps = (from: number, n: number): StepPoint[] =>
  Array.from({ length: n }, (_, i) => ({ step: from + i, epoch: 0, loss: 2 / (from + i), accuracy: 0.1 }));

describe('step points into the charts', () => {
  afterEach(() => vi.useRealTimers());

  it("draws a run's first points at once, then at most every 250 ms", () => {
    vi.useFakeTimers();
    store.update('train', { steps: [], epochs: [] });
    onTrainEvent({ type: 'steps', points: steps(1, 1), progress: progress(1) });
    expect(store.get().train.steps.map((p) => p.step)).toEqual([1]); // no wait for the first point
    onTrainEvent({ type: 'steps', points: steps(2, 10), progress: progress(11) });
    onTrainEvent({ type: 'steps', points: steps(12, 10), progress: progress(21) });
    expect(store.get().train.steps).toHaveLength(1); // buffered
    vi.advanceTimersByTime(249);
    expect(store.get().train.steps).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(store.get().train.steps.map((p) => p.step)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(store.get().train.progress?.step).toBe(21);
  });
});
