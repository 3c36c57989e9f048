import * as tf from '@tensorflow/tfjs';
import type { Progress, StepPoint, TrainEvent } from '../config/events';
import { mulberry32 } from '../data/random';

/** Active training time: wall time less the time spent paused. */
export class ActiveClock {
  private activeMs: number;
  private since = performance.now();
  /** Active milliseconds before this session of the run (a resumed run's). */
  readonly startMs: number;

  constructor(seconds: number) {
    this.activeMs = seconds * 1000;
    this.startMs = this.activeMs;
  }

  ms(): number {
    return this.activeMs + (performance.now() - this.since);
  }

  pause(): void {
    this.activeMs += performance.now() - this.since;
  }

  resume(): void {
    this.since = performance.now();
  }
}

/** The run's seeded stream, counting its draws so a checkpoint can say where a resumed run picks it up. */
export function countedRandom(seed: number, skip: number): { random: () => number; calls: () => number } {
  const seeded = mulberry32(seed);
  let calls = skip;
  for (let i = 0; i < calls; i++) seeded();
  return {
    random: () => {
      calls++;
      return seeded();
    },
    calls: () => calls,
  };
}

interface PendingStep {
  step: number;
  epoch: number;
  loss: tf.Scalar;
  acc: tf.Scalar;
}

/**
 * The steps' losses and accuracies, still on the device, read back in batches: one async read of a stacked
 * tensor per batch, one read in flight while the next steps run; each read is emitted with the run's progress.
 */
export class StepReader {
  private pending: PendingStep[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  /** Set by a read that found a non-finite loss: the run stops. */
  failure: string | null = null;

  constructor(
    private readonly progress: (last: StepPoint) => Progress,
    private readonly emit: (e: TrainEvent) => void,
  ) {}

  get size(): number {
    return this.pending.length;
  }

  push(p: PendingStep): void {
    this.pending.push(p);
  }

  /** Starts the read of the steps pending so far (after the one in flight). */
  async flush(): Promise<void> {
    const batchOf = this.pending;
    this.pending = [];
    await this.inFlight;
    if (batchOf.length === 0) return;
    const stacked = tf.tidy(() => tf.stack([tf.stack(batchOf.map((p) => p.loss)), tf.stack(batchOf.map((p) => p.acc))]));
    tf.dispose(batchOf.flatMap((p) => [p.loss, p.acc]));
    this.inFlight = stacked.data().then((values) => {
      stacked.dispose();
      const k = batchOf.length;
      const points = batchOf.map((p, i) => ({ step: p.step, epoch: p.epoch, loss: values[i], accuracy: values[k + i] }));
      const bad = points.find((p) => !Number.isFinite(p.loss));
      if (bad && !this.failure) {
        this.failure = `The loss became ${bad.loss} at step ${bad.step}. Training stopped; lower the learning rate or the weight penalty and start again.`;
      }
      const last = points[points.length - 1];
      this.emit({ type: 'steps', points, progress: this.progress(last) });
    });
  }

  /** Flushes and waits until every read has been emitted. */
  async settle(): Promise<void> {
    await this.flush();
    await this.inFlight;
  }

  dispose(): void {
    tf.dispose(this.pending.flatMap((p) => [p.loss, p.acc]));
  }
}
