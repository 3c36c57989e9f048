import * as tf from '@tensorflow/tfjs';
import type { TrainTask } from '../train/trainer';
import { PRUNE_SCOPES, type PruneScope } from '../config/compress';
import { isKernel } from './snapshot';

/** |w| for ranking; a NaN weight ranks as the largest so it is never silently pruned away (and sorting stays total). */
const magnitude = (w: number) => (Number.isNaN(w) ? Infinity : Math.abs(w));

function checkSparsity(sparsity: number): void {
  if (!(typeof sparsity === 'number' && sparsity >= 0 && sparsity <= 1)) {
    throw new RangeError(`Sparsity must be a number from 0 to 1 (the fraction of weights set to zero), got ${sparsity}.`);
  }
}

/**
 * Prunes one group of tensors together: zeroes exactly round(sparsity * n) weights of the group with the smallest |w|,
 * ties broken by lower index first (tensor order, then element order). Writes into masks and thresholds.
 */
function pruneGroup(tensors: Float32Array[], ids: number[], sparsity: number, masks: Uint8Array[], thresholds: number[]): void {
  const n = ids.reduce((s, i) => s + tensors[i].length, 0);
  const k = Math.round(sparsity * n);
  for (const i of ids) {
    masks[i] = new Uint8Array(tensors[i].length).fill(1);
    thresholds[i] = -Infinity;
  }
  if (k === 0) return;
  // The k-th smallest magnitude is the cut: everything strictly below it goes, then ties at it in index order.
  const mags = new Float32Array(n);
  let o = 0;
  for (const i of ids) for (const w of tensors[i]) mags[o++] = magnitude(w);
  const cut = mags.slice().sort()[k - 1];
  let below = 0;
  for (let j = 0; j < n; j++) if (mags[j] < cut) below++;
  let ties = k - below;
  o = 0;
  for (const i of ids) {
    const mask = masks[i];
    let largest = -Infinity;
    for (let j = 0; j < mask.length; j++, o++) {
      const m = mags[o];
      if (m < cut || (m === cut && ties > 0)) {
        if (m === cut) ties--;
        mask[j] = 0;
        if (m > largest) largest = m;
      }
    }
    thresholds[i] = largest;
  }
}

/**
 * Masks (1 keep, 0 pruned) that zero exactly round(sparsity * n) weights with the smallest |w| (ties broken by lower
 * index first), per tensor ('layer') or over all tensors together ('global'). Also the threshold per tensor: the
 * largest pruned |w| (so every pruned weight has |w| <= threshold), or -Infinity if none pruned.
 */
export function magnitudeMasks(tensors: Float32Array[], sparsity: number, scope: PruneScope): { masks: Uint8Array[]; thresholds: number[] } {
  checkSparsity(sparsity);
  if (!PRUNE_SCOPES.includes(scope)) throw new RangeError(`Unknown pruning scope "${scope}"; choose ${PRUNE_SCOPES.join(' or ')}.`);
  const masks: Uint8Array[] = new Array(tensors.length);
  const thresholds: number[] = new Array(tensors.length);
  // Magnitude pruning: mask_i = 0 for the round(s * n) smallest |w_i|, 1 otherwise.
  if (scope === 'global')
    pruneGroup(
      tensors,
      tensors.map((_, i) => i),
      sparsity,
      masks,
      thresholds,
    );
  else tensors.forEach((_, i) => pruneGroup(tensors, [i], sparsity, masks, thresholds));
  return { masks, thresholds };
}

/** values * mask as a new array (pruned entries are +0). */
export function applyMask(values: Float32Array, mask: Uint8Array): Float32Array {
  if (values.length !== mask.length) throw new RangeError(`Mask has ${mask.length} entries but the tensor has ${values.length}.`);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = mask[i] ? values[i] : 0;
  return out;
}

/** Fraction of entries that are exactly zero (0 for an empty array). */
export function sparsityOf(values: Float32Array): number {
  if (values.length === 0) return 0;
  let zeros = 0;
  for (const v of values) if (v === 0) zeros++;
  return zeros / values.length;
}

/** Zhu & Gupta (2017) polynomial schedule: s_t = s_f + (s_i - s_f) * (1 - t / n)^3 for t in [0, n], clamped. */
export function polynomialSparsity(t: number, n: number, initial: number, final: number, exponent = 3): number {
  if (!(n > 0)) return final;
  const progress = Math.min(1, Math.max(0, t / n));
  if (progress === 0) return initial; // exact at the ends, free of rounding
  if (progress === 1) return final;
  // s_t = s_f + (s_i - s_f) * (1 - t/n)^e
  return final + (initial - final) * Math.pow(1 - progress, exponent);
}

export interface GradualPruning {
  finalSparsity: number;
  initialSparsity: number;
  scope: PruneScope;
  /** recompute masks this many times over the run (>=1); masks applied after every update */
  updates: number;
}

/** User-facing reasons a pruning schedule is unusable (empty = fine). */
export function validateGradualPruning(p: GradualPruning): string[] {
  const errors: string[] = [];
  const fraction = (v: number) => typeof v === 'number' && v >= 0 && v <= 1;
  if (!fraction(p.finalSparsity)) errors.push(`Final sparsity must be from 0 to 1, got ${p.finalSparsity}.`);
  if (!fraction(p.initialSparsity)) errors.push(`Initial sparsity must be from 0 to 1, got ${p.initialSparsity}.`);
  else if (fraction(p.finalSparsity) && p.initialSparsity > p.finalSparsity) {
    errors.push(
      `Initial sparsity (${p.initialSparsity}) must not exceed the final sparsity (${p.finalSparsity}); pruned weights are never restored.`,
    );
  }
  if (!PRUNE_SCOPES.includes(p.scope)) errors.push(`Unknown pruning scope "${p.scope}"; choose ${PRUNE_SCOPES.join(' or ')}.`);
  if (!(Number.isInteger(p.updates) && p.updates >= 1 && p.updates <= 10000)) {
    errors.push(`Mask updates must be a whole number from 1 to 10000, got ${p.updates}.`);
  }
  return errors;
}

/**
 * The weights of a layers model that prunedTask prunes, as variables: those `prunable` chooses by the name tf.io
 * saves them under (originalName) and shape (a family's `prunable`; by default rank 2 and up), plus the rank-1 ones
 * (biases, norm gains) with `includeBiases`.
 */
export const prunableVariables = (
  model: tf.LayersModel,
  prunable: (w: { name: string; shape: number[] }) => boolean = isKernel,
  includeBiases = false,
) =>
  model.trainableWeights
    .filter(
      (w) =>
        prunable({ name: w.originalName, shape: w.shape as number[] }) /* a weight's shape has no nulls */ || (includeBiases && w.shape.length < 2),
    )
    .map((w) => w.read() as tf.Variable);

/**
 * Wraps a TrainTask (see trainer.ts) so that training fine-tunes while pruning: the given tf.Variables (kernels to
 * prune) get masks recomputed on the polynomial schedule at `updates` evenly spaced points over totalSteps (the last
 * one at or before the last step reaches finalSparsity exactly), and after EVERY inner step each variable is assigned
 * w * mask, so pruned weights are exactly zero after every update (Adam's moments would otherwise move them).
 * Masks are device tensors kept by the wrapper; mask recomputation reads the weights back (dataSync, only `updates`
 * times). Provide dispose() to free the masks. Also exposes currentSparsity() (the scheduled value last applied).
 *
 * Schedule point j (0..updates-1) falls before global step floor(j * totalSteps / updates) and prunes to
 * polynomialSparsity(j, updates - 1, initial, final): the first point (step 0) prunes to initialSparsity, the last to
 * finalSparsity, and the steps after it fine-tune at the final sparsity. Masks are applied right after a
 * recomputation too, so the step that follows already sees the pruned weights. Sparsity only rises, and the weights
 * pruned so far are exactly zero (the smallest magnitude), so a recomputation keeps every earlier pruned weight pruned.
 */
export function prunedTask(
  inner: TrainTask,
  variables: tf.Variable[],
  totalSteps: number,
  schedule: GradualPruning,
): TrainTask & { dispose(): void; currentSparsity(): number } {
  const problems = validateGradualPruning(schedule);
  if (!(Number.isInteger(totalSteps) && totalSteps >= 1)) problems.push(`Total steps must be a whole number of at least 1, got ${totalSteps}.`);
  if (problems.length) throw new RangeError(problems.join(' '));
  const { initialSparsity, finalSparsity, scope, updates } = schedule;
  const pointStep = (j: number) => Math.floor((j * totalSteps) / updates);
  let masks: tf.Tensor[] = [];
  let nextPoint = 0;
  let globalStep = 0;
  let sparsity = 0;
  let disposed = false;

  const applyMasks = () => {
    tf.tidy(() => variables.forEach((v, i) => v.assign(tf.mul(v, masks[i]))));
  };
  const recompute = (point: number) => {
    sparsity = polynomialSparsity(point, updates - 1, initialSparsity, finalSparsity);
    const host = variables.map((v) => v.dataSync() as Float32Array);
    const next = magnitudeMasks(host, sparsity, scope).masks.map((m, i) => tf.tensor(Float32Array.from(m), variables[i].shape, 'float32'));
    tf.dispose(masks);
    masks = next;
    applyMasks();
  };

  return {
    get stepsPerEpoch() {
      return inner.stepsPerEpoch;
    },
    get itemsPerStep() {
      return inner.itemsPerStep;
    },
    // a task's own optimizer (the char-Transformer's AdamW) stays the run's: the loop steps, checkpoints and disposes it
    optimizer: inner.optimizer,
    beginEpoch(random) {
      inner.beginEpoch(random);
    },
    step(optimizer, indexInEpoch) {
      if (disposed) throw new Error('This pruning task was disposed.');
      // Several schedule points can share a step when updates > totalSteps: the latest one wins.
      let point = -1;
      while (nextPoint < updates && pointStep(nextPoint) <= globalStep) point = nextPoint++;
      if (point >= 0) recompute(point);
      const out = inner.step(optimizer, indexInEpoch);
      applyMasks(); // w <- w * mask after every update
      globalStep++;
      return out;
    },
    validate: () => inner.validate(),
    afterEpoch: inner.afterEpoch ? (step, emit) => inner.afterEpoch!(step, emit) : undefined,
    dispose() {
      tf.dispose(masks);
      masks = [];
      disposed = true;
    },
    currentSparsity: () => sparsity,
  };
}
