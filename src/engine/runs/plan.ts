import type * as tf from '@tensorflow/tfjs';
import type { EpochPoint } from '../config/events';
import type { TrainTask } from '../train/trainer';

/** How to rebuild a stored run's model and task on the active backend: for a resume, a reload or a backend fault. */
export interface RunPlan {
  makeModel(): Promise<tf.LayersModel>;
  makeTask(model: tf.LayersModel): TrainTask;
  adopt(model: tf.LayersModel): void;
  /** The figure the run's summary shows after an epoch (validation accuracy, or nats per character). */
  metric(point: EpochPoint): { name: string; value: number };
  /** What the model.json of the run's exported checkpoint (at `step`) carries. */
  exportMetadata(step: number): Record<string, unknown>;
}
