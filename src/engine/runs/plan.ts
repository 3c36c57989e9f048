import type * as tf from '@tensorflow/tfjs';
import type { TrainTask } from '../train/trainer';

/** How to rebuild a stored run's model and task on the active backend: for a resume, a reload or a backend fault. */
export interface RunPlan {
  makeModel(): Promise<tf.LayersModel>;
  makeTask(model: tf.LayersModel): TrainTask;
  adopt(model: tf.LayersModel): void;
}
