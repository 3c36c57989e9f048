import * as tf from '@tensorflow/tfjs';
import { clipByGlobalNorm } from '../charLstm/task';
import { sampleIndex } from '../charLstm/sampler';
import { type GenerateOptions, validateGenerateOptions } from '../../config/generate';
import { mulberry32 } from '../../data/random';
import type { Vocabulary } from '../../text/corpus';
import { type DropoutSource, type KvCache, type TransformerWeights, disposeCache, transformerForward, transformerLogits } from './model';

type NamedTensor = { name: string; tensor: tf.Tensor };

export interface AdamWOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  warmup: number;
  totalSteps: number;
  minLr: number;
  clipNorm: number;
}

/** Linear warm-up, then cosine decay: lr_t = min + 0.5 (1 + cos(pi * p)) (lr - min), p = progress after warm-up. */
export function learningRateAt(step: number, o: AdamWOptions): number {
  if (step < o.warmup) return (o.lr * (step + 1)) / o.warmup;
  if (step >= o.totalSteps) return o.minLr;
  const p = (step - o.warmup) / Math.max(1, o.totalSteps - o.warmup);
  return o.minLr + 0.5 * (1 + Math.cos(Math.PI * p)) * (o.lr - o.minLr);
}

/** Weight decay only on matrices used in matmuls: not biases, norm gains or embeddings (nanoGPT's rule for 2-D weights, embeddings excluded). */
export function decays(name: string): boolean {
  return name.endsWith('.w');
}

/**
 * AdamW with decoupled weight decay; state kept per weight name. A tf.Optimizer so the shared loop uses it as the
 * run's optimizer (TrainTask.optimizer) and checkpoints it: getWeights/setWeights carry the step and every m and v.
 */
export class AdamW extends tf.Optimizer {
  static className = 'AdamW';
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  step = 0;
  constructor(readonly options: AdamWOptions) {
    super();
  }

  applyGradients(): void {
    throw new Error('AdamW updates named weights through apply(weights, grads).');
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...this.options };
  }

  /** The step, then each weight's m, then each weight's v (the checkpoint's optimizer state). */
  async getWeights(): Promise<NamedTensor[]> {
    const names = [...this.m.keys()];
    return [
      { name: 'step', tensor: tf.scalar(this.step, 'int32') },
      ...names.map((n) => ({ name: `${n}/m`, tensor: this.m.get(n)! })),
      ...names.map((n) => ({ name: `${n}/v`, tensor: this.v.get(n)! })),
    ];
  }

  async setWeights(named: NamedTensor[]): Promise<void> {
    for (const { name, tensor } of named) {
      if (name === 'step') {
        this.step = (await tensor.data())[0];
        continue;
      }
      const map = name.endsWith('/m') ? this.m : name.endsWith('/v') ? this.v : null;
      if (!map) throw new Error(`AdamW has no state named ${name}; the checkpoint is from another optimizer.`);
      const key = name.slice(0, -2);
      map.get(key)?.dispose();
      map.set(key, tf.variable(tensor.clone(), false));
    }
  }

  apply(weights: TransformerWeights, grads: tf.NamedTensorMap): number {
    const o = this.options;
    const lr = learningRateAt(this.step, o);
    this.step++;
    const t = this.step;
    tf.tidy(() => {
      for (const [name, w] of weights.vars) {
        const g = grads[name];
        if (!g) continue;
        const m = this.slot(this.m, name, w);
        const v = this.slot(this.v, name, w);
        // m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; mhat = m/(1-b1^t); vhat = v/(1-b2^t)
        m.assign(tf.add(tf.mul(m, o.beta1), tf.mul(g, 1 - o.beta1)));
        v.assign(tf.add(tf.mul(v, o.beta2), tf.mul(tf.square(g), 1 - o.beta2)));
        const mhat = tf.div(m, 1 - Math.pow(o.beta1, t));
        const vhat = tf.div(v, 1 - Math.pow(o.beta2, t));
        // w -= lr * (mhat / (sqrt(vhat) + eps) + wd * w), decay decoupled from the gradient
        let update = tf.div(mhat, tf.add(tf.sqrt(vhat), o.eps));
        if (decays(name) && o.weightDecay > 0) update = tf.add(update, tf.mul(w, o.weightDecay));
        w.assign(tf.sub(w, tf.mul(update, lr)));
      }
    });
    return lr;
  }

  private slot(map: Map<string, tf.Variable>, name: string, w: tf.Variable): tf.Variable {
    let s = map.get(name);
    if (!s) {
      s = tf.variable(tf.zerosLike(w), false);
      map.set(name, s);
    }
    return s;
  }

  dispose(): void {
    super.dispose();
    for (const s of [...this.m.values(), ...this.v.values()]) s.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/** Mean cross-entropy in nats of next-character prediction over windows xs (each length T) and targets ys, one batched forward. */
export function transformerLoss(w: TransformerWeights, xs: number[][], ys: number[][], dropout?: DropoutSource): tf.Scalar {
  return tf.tidy(() => {
    const T = xs[0].length;
    const x = tf.tensor2d(xs.flat(), [xs.length, T], 'int32');
    const y = tf.tensor2d(ys.flat(), [ys.length, T], 'int32');
    return sequenceLoss(transformerLogits(w, x, dropout), y);
  });
}

/** Mean cross-entropy of logits [B, T, V] against target ids [B, T] (int32). */
export function sequenceLoss(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [B, T, V] = logits.shape;
    const labels = tf.oneHot(tf.reshape(targets, [B * T]), V);
    return tf.losses.softmaxCrossEntropy(labels, tf.reshape(logits, [B * T, V])) as tf.Scalar;
  });
}

/** Share of positions where the most likely character is the target. */
export function sequenceHits(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logits, 2), targets), 'float32')) as tf.Scalar);
}

/** One step: loss, gradients by autodiff, clip to a global norm, AdamW. Returns the loss in nats. */
export function transformerTrainStep(w: TransformerWeights, opt: AdamW, xs: number[][], ys: number[][], dropout?: DropoutSource): number {
  const names = [...w.vars.keys()];
  const { value, grads } = tf.variableGrads(() => transformerLoss(w, xs, ys, dropout), [...w.vars.values()]);
  const byName: tf.NamedTensorMap = {};
  const varNames = [...w.vars.values()].map((v) => v.name);
  names.forEach((n, i) => (byName[n] = grads[varNames[i]]));
  const clipped = clipByGlobalNorm(byName, opt.options.clipNorm);
  opt.apply(w, clipped);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  if (clipped !== byName) tf.dispose(Object.values(clipped));
  return loss;
}

/**
 * Streams `length` characters after a prompt, sampling with temperature and top-k from a seeded generator.
 * With the cache each new character runs one position; without it the whole context reruns (for checking).
 */
export function* generateIds(
  w: TransformerWeights,
  prompt: number[],
  length: number,
  opts: { temperature: number; topK: number; seed: number; useCache: boolean },
): Generator<number> {
  const random = mulberry32(opts.seed);
  const ctx = w.config.context;
  const ids = prompt.slice(-ctx);
  const cache: KvCache = { k: [], v: [], length: 0 };
  try {
    let next = ids;
    for (let i = 0; i < length; i++) {
      if (opts.useCache && cache.length + next.length > ctx) {
        disposeCache(cache); // window full: positions shift, so recompute the last ctx characters
        next = ids.slice(-ctx);
      }
      const logits = opts.useCache ? transformerForward(w, next, cache) : transformerForward(w, ids.slice(-ctx));
      const last = tf.tidy(() => logits.slice([logits.shape[0] - 1, 0], [1, w.vocab]).dataSync());
      logits.dispose();
      const id = sampleIndex(last, opts.temperature, opts.topK, random);
      ids.push(id);
      next = [id];
      yield id;
    }
  } finally {
    disposeCache(cache);
  }
}

/**
 * The page's generation for a char-Transformer: the seed text's ids (unknown characters as id 0), then
 * `options.length` characters from the KV-cached sampler, streamed in chunks of up to 16 characters or 50 ms,
 * giving way between chunks so a stop request gets in.
 */
export async function generateTransformerText(
  w: TransformerWeights,
  vocab: Vocabulary,
  options: GenerateOptions,
  onChunk: (text: string) => void = () => {},
  shouldStop: () => boolean = () => false,
): Promise<string> {
  const problems = validateGenerateOptions(options);
  if (problems.length) throw new Error(problems.join(' '));
  const prompt = Array.from(options.seedText).map((ch) => vocab.index.get(ch) ?? 0);
  const ids = generateIds(w, prompt.length ? prompt : [0], options.length, { ...options, useCache: true });
  let out = '';
  let chunk = '';
  let lastFlush = performance.now();
  const flush = () => {
    out += chunk;
    onChunk(chunk);
    chunk = '';
    lastFlush = performance.now();
  };
  try {
    for (const id of ids) {
      chunk += vocab.chars[id];
      if (chunk.length >= 16 || performance.now() - lastFlush > 50) {
        flush();
        await new Promise<void>((r) => setTimeout(r, 0));
        if (shouldStop()) break;
      }
    }
  } finally {
    ids.return(undefined); // disposes the cache when stopped early
  }
  if (chunk) flush();
  return out;
}
