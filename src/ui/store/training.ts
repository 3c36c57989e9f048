import { callback } from '../../worker/client';
import type { TrainEvent, TrainResult } from '../../engine/config/events';
import { engine } from './engine';
import { message } from './notices';
import { Mode, store } from './store';
import { flushSteps, onTrainEvent } from './trainEvents';

/** A new run of `task` is starting: empty charts, state running. */
export function beginRun(task: Mode): void {
  store.update('train', { task, state: 'running', steps: [], epochs: [], progress: null, message: null, seconds: null });
}

/**
 * The one path of a training call (image, text or resumed run): its events feed the charts, its end (or error)
 * sets the run's state; `after` runs once the call returns (e.g. evaluating), its errors too are the run's.
 */
export async function runTraining(
  call: (onEvent: (e: TrainEvent) => void) => Promise<TrainResult>,
  after: (result: TrainResult) => void | Promise<void>,
): Promise<void> {
  try {
    const result = await call(callback(onTrainEvent));
    flushSteps();
    store.update('train', { state: result.reason, message: result.error ?? null, seconds: result.seconds });
    await after(result);
  } catch (e) {
    store.update('train', { state: 'failed', message: message(e) });
  }
}

export const pauseTraining = () => engine.pause();
export const resumeTraining = () => engine.resume();
export const stopTraining = () => engine.stop();
