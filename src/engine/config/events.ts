/** What training reports to the page: per-step points, per-epoch validation, progress, samples and the final result. */
export interface StepPoint {
  step: number;
  epoch: number;
  loss: number;
  accuracy: number;
}

export interface EpochPoint {
  step: number;
  epoch: number;
  valLoss: number;
  valAccuracy: number;
  seconds: number;
  numTensors: number;
}

export interface Progress {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  totalSteps: number;
  samplesPerSec: number;
  etaSec: number;
}

export type TrainEvent =
  | { type: 'steps'; points: StepPoint[]; progress: Progress }
  | { type: 'epoch'; point: EpochPoint }
  | { type: 'state'; state: 'running' | 'paused' }
  | { type: 'sample'; step: number; text: string }
  /** The run went back to its checkpoint at `step` (now on `backend`): curve points after it are dropped. */
  | { type: 'rewind'; step: number; backend: string; message: string };

export interface TrainResult {
  reason: 'finished' | 'stopped' | 'failed';
  steps: number;
  epochs: EpochPoint[];
  seconds: number;
  error?: string;
  /** The backend threw (a lost device, a failing kernel): the run can go on elsewhere from its last checkpoint. */
  backendFault?: boolean;
}
