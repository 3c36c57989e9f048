import * as tf from '@tensorflow/tfjs';
import type { HealthCheckpoint, TrainingHealthView } from '../config/inspect';
import type { StepMonitor } from '../train/trainer';
import { histogram } from './weights';

export interface HealthOptions {
  /** Probe one step in `every` (the first step always); doubled whenever the log outgrows maxPoints. */
  every: number;
  /** Points kept: past it every other point is dropped and `every` doubles, so a long run stays one small chart. */
  maxPoints: number;
  /** Weight histograms kept: the first (the start) and the latest ones. */
  maxCheckpoints: number;
  bins: number;
}

const DEFAULTS: HealthOptions = { every: 10, maxPoints: 300, maxCheckpoints: 12, bins: 30 };

/** The layers that have trainable weights, each with its weights (kernel, bias, ...) as tensors. */
function weightedLayers(model: tf.LayersModel): { name: string; weights: tf.Tensor[] }[] {
  return model.layers.filter((l) => l.trainableWeights.length > 0).map((l) => ({ name: l.name, weights: l.trainableWeights.map((w) => w.read()) }));
}

/**
 * Training health of one run: per layer, the weight norm ||W||_2 and the update ratio ||W_after - W_before||_2 /
 * ||W_before||_2 of a probed step (about 1e-3 is healthy; far above, the learning rate is too high; exactly 0, no
 * gradient reaches the layer: a dead ReLU layer, or one below it), and weight histograms at checkpoints (the start,
 * each epoch, on request). Probing costs one clone (no copy) of the weights and one small async read per probe.
 */
export class TrainingHealth {
  private readonly options: HealthOptions;
  private runId: string | null = null;
  private every: number;
  private layers: string[] = [];
  private steps: number[] = [];
  private norms: number[][] = [];
  private ratios: number[][] = [];
  private checkpoints: HealthCheckpoint[] = [];
  private pending = new Set<Promise<void>>();
  /** The last step run under watch. */
  lastStep = 0;

  constructor(options: Partial<HealthOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
    if (!(this.options.every >= 1) || !(this.options.maxPoints >= 2)) throw new Error('Training health: every must be >= 1 and maxPoints >= 2.');
    this.every = this.options.every;
  }

  /**
   * The monitor for one trainer of run `runId` on `model`. A new run starts a new log (with a histogram of its
   * starting weights); the same run again (moved to another backend, resumed) goes on with its log. Histograms
   * after each epoch are named `${epochWord} N`.
   */
  watch(model: tf.LayersModel, runId: string, startStep: number, epochWord = 'epoch'): StepMonitor {
    if (runId !== this.runId) {
      this.runId = runId;
      this.every = this.options.every;
      this.layers = weightedLayers(model).map((l) => l.name);
      this.steps = [];
      this.norms = [];
      this.ratios = [];
      this.checkpoints = [];
      this.lastStep = startStep;
      void this.snapshot(model, startStep, startStep === 0 ? 'start' : `resumed at step ${startStep}`);
    }
    return {
      around: <T>(step: number, work: () => T): T => this.around(model, step, work),
      epochEnd: (step: number, epoch: number): void => void this.snapshot(model, step, `${epochWord} ${epoch}`),
      settle: () => this.settle(),
    };
  }

  /** Runs one step; probes it when its number is 1, 1 + every, 1 + 2 * every, ... */
  private around<T>(model: tf.LayersModel, step: number, work: () => T): T {
    this.lastStep = step;
    if ((step - 1) % this.every !== 0) return work();
    const layers = weightedLayers(model);
    if (layers.length !== this.layers.length) return work();
    // clones share the data (no copy) and keep it alive after the optimizer assigns new values to the variables
    const before = layers.map((l) => l.weights.map((w) => tf.clone(w)));
    let out: T;
    try {
      out = work();
    } catch (e) {
      tf.dispose(before);
      throw e;
    }
    const sums = tf.tidy(() => {
      const after = weightedLayers(model);
      const parts = after.flatMap((l, i) => {
        const sq = (ts: tf.Tensor[]) => tf.addN(ts.map((t) => tf.sum(tf.square(t))));
        return [sq(before[i]), sq(l.weights), sq(l.weights.map((w, j) => tf.sub(w, before[i][j])))];
      });
      return tf.stack(parts);
    });
    tf.dispose(before);
    this.track(
      sums
        .data()
        .then((d) => this.addPoint(step, d))
        .finally(() => sums.dispose()),
    );
    return out;
  }

  /** One point from [||W0||^2, ||W1||^2, ||W1 - W0||^2] per layer. */
  private addPoint(step: number, d: ArrayLike<number>): void {
    const norms: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < this.layers.length; i++) {
      norms.push(Math.sqrt(d[3 * i + 1]));
      const w0 = Math.sqrt(d[3 * i]);
      ratios.push(w0 > 0 ? Math.sqrt(d[3 * i + 2]) / w0 : 0);
    }
    this.steps.push(step);
    this.norms.push(norms);
    this.ratios.push(ratios);
    if (this.steps.length > this.options.maxPoints) {
      const keep = (_: unknown, i: number) => i % 2 === 0;
      this.steps = this.steps.filter(keep);
      this.norms = this.norms.filter(keep);
      this.ratios = this.ratios.filter(keep);
      this.every *= 2;
    }
  }

  /** Histograms of each layer's weights now, kept as a checkpoint named `label` (read back asynchronously). */
  snapshot(model: tf.LayersModel, step: number, label: string): Promise<void> {
    const layers = weightedLayers(model);
    const copies = layers.map((l) => l.weights.map((w) => tf.clone(w)));
    const runId = this.runId;
    return this.track(
      Promise.all(copies.map((ws) => Promise.all(ws.map((w) => w.data())))).then(
        (data) => {
          tf.dispose(copies);
          if (runId !== this.runId) return;
          const histograms = data.map((ws, i) => {
            const all = new Float32Array(ws.reduce((n, w) => n + w.length, 0));
            let at = 0;
            for (const w of ws) {
              all.set(w as Float32Array, at);
              at += w.length;
            }
            return { layer: layers[i].name, ...histogram(all, this.options.bins) };
          });
          this.checkpoints.push({ label, step, histograms });
          if (this.checkpoints.length > this.options.maxCheckpoints) this.checkpoints.splice(1, 1);
        },
        (e: unknown) => {
          tf.dispose(copies);
          throw e;
        },
      ),
    );
  }

  private track(p: Promise<void>): Promise<void> {
    this.pending.add(p);
    const done = () => this.pending.delete(p);
    p.then(done, done);
    return p;
  }

  /** Settles once every read in flight has landed in the log. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** The log as compact arrays: steps, then [points, layers] row-major norms and ratios. */
  view(): TrainingHealthView {
    const n = this.steps.length;
    const l = this.layers.length;
    const weightNorms = new Float32Array(n * l);
    const updateRatios = new Float32Array(n * l);
    for (let p = 0; p < n; p++) {
      weightNorms.set(this.norms[p], p * l);
      updateRatios.set(this.ratios[p], p * l);
    }
    return { layers: [...this.layers], steps: Float64Array.from(this.steps), weightNorms, updateRatios, checkpoints: [...this.checkpoints] };
  }
}
