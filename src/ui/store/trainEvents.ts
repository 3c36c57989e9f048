import { parseBackendName } from '../../engine/config/backends';
import type { Progress, StepPoint, TrainEvent } from '../../engine/config/events';
import { store } from './store';

/**
 * Step metrics arrive many times a second on fast backends; the charts redraw at most every 250 ms, except a run's
 * first points, drawn as they come (the time from Start to the first point is what a user waits through).
 */
const CHART_INTERVAL_MS = 250;
let bufferedSteps: StepPoint[] = [];
let bufferedProgress: Progress | null = null;
let flushTimer: ReturnType<typeof setTimeout> | null = null;

/** Draws the buffered step points now. */
export function flushSteps(): void {
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = null;
  if (!bufferedSteps.length) return;
  const points = bufferedSteps;
  const progress = bufferedProgress;
  bufferedSteps = [];
  store.update('train', (t) => ({ steps: t.steps.concat(points), progress }));
}

/** After a backend fault the run went back to a checkpoint: drop the chart points after it, show the new backend. */
function rewind(e: Extract<TrainEvent, { type: 'rewind' }>): void {
  store.update('train', (t) => ({ steps: t.steps.filter((p) => p.step <= e.step), epochs: t.epochs.filter((p) => p.step <= e.step) }));
  store.update('backend', { active: parseBackendName(e.backend) ?? store.get().backend.active });
}

/** One event of a training call (image, text or resumed run) into the store. */
export function onTrainEvent(e: TrainEvent): void {
  if (e.type === 'steps') {
    bufferedSteps.push(...e.points);
    bufferedProgress = e.progress;
    if (store.get().train.steps.length === 0) flushSteps();
    else flushTimer ??= setTimeout(flushSteps, CHART_INTERVAL_MS);
    return;
  }
  flushSteps();
  if (e.type === 'epoch') store.update('train', (t) => ({ epochs: [...t.epochs, e.point] }));
  else if (e.type === 'sample') store.update('text', (t) => ({ samples: [...t.samples, { step: e.step, text: e.text }].slice(-20) }));
  else if (e.type === 'rewind') rewind(e);
  else store.update('train', { state: e.state });
}
