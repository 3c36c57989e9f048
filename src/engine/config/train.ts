type LrSchedule = 'constant' | 'cosine';
export const LR_SCHEDULES: LrSchedule[] = ['constant', 'cosine'];

export type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'rmsprop';
export const OPTIMIZERS: OptimizerName[] = ['sgd', 'momentum', 'adam', 'rmsprop'];

export interface TrainConfig {
  optimizer: OptimizerName;
  learningRate: number;
  /** constant, or cosine decay from learningRate to 0 over all steps */
  lrSchedule: LrSchedule;
  batchSize: number;
  epochs: number;
  l1: number;
  l2: number;
  seed: number;
  /** Read metrics back from the device every this many steps (one async read per batch of steps). */
  metricsEvery: number;
  /** Use at most this many training examples (0 = all); for quick runs and tests. */
  trainLimit: number;
}

export const DEFAULT_TRAIN: TrainConfig = {
  optimizer: 'adam',
  learningRate: 0.001,
  lrSchedule: 'constant',
  batchSize: 64,
  epochs: 15,
  l1: 0,
  l2: 0,
  seed: 42,
  metricsEvery: 10,
  trainLimit: 0,
};

/** User-facing reasons the training settings are unusable (empty = fine). */
export function validateTrainConfig(c: TrainConfig): string[] {
  const errors: string[] = [];
  const whole = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!OPTIMIZERS.includes(c.optimizer)) errors.push(`Unknown optimizer "${c.optimizer}"; choose one of ${OPTIMIZERS.join(', ')}.`);
  if (!(Number.isFinite(c.learningRate) && c.learningRate > 0 && c.learningRate <= 10)) {
    errors.push(`Learning rate must be a number above 0 and at most 10, got ${c.learningRate}.`);
  }
  if (!LR_SCHEDULES.includes(c.lrSchedule)) errors.push(`Unknown learning-rate schedule "${c.lrSchedule}"; choose ${LR_SCHEDULES.join(' or ')}.`);
  if (!whole(c.batchSize, 1, 8192)) errors.push(`Batch size must be a whole number from 1 to 8192, got ${c.batchSize}.`);
  if (!whole(c.epochs, 1, 1000)) errors.push(`Epochs must be a whole number from 1 to 1000, got ${c.epochs}.`);
  if (!(c.l1 >= 0 && c.l1 <= 1)) errors.push(`L1 penalty must be from 0 to 1, got ${c.l1}.`);
  if (!(c.l2 >= 0 && c.l2 <= 1)) errors.push(`L2 penalty must be from 0 to 1, got ${c.l2}.`);
  if (!whole(c.seed, 0, 2 ** 31 - 1)) errors.push(`Seed must be a whole number from 0 to 2147483647, got ${c.seed}.`);
  if (!whole(c.metricsEvery, 1, 1000)) errors.push(`Metrics interval must be a whole number from 1 to 1000, got ${c.metricsEvery}.`);
  if (!whole(c.trainLimit, 0, 1e9)) errors.push(`Training subset must be 0 (all) or a positive whole number, got ${c.trainLimit}.`);
  return errors;
}
