import * as tf from '@tensorflow/tfjs';
import { ModelConfigError } from '../../models/summary';
import { type CharTransformerConfig, validateTransformerConfig, weightLayout } from '../../config/charTransformer';
import { causalMask, fusedAttention, fusedDense, fusedGelu, fusedLayerNorm } from './fused';

/**
 * Weights of a decoder-only Transformer by nanoGPT's names, as a view of the layer model that owns them (the
 * plain-ops functions below read it; the CharGpt layer's call runs them too).
 */
export interface TransformerWeights {
  config: CharTransformerConfig;
  vocab: number;
  vars: Map<string, tf.Variable>;
  /** The layer model that owns the variables (absent inside the layer's own call). */
  model?: tf.LayersModel;
}

/** Per layer cached keys and values, [heads, t, headSize] each, for one sequence. */
export interface KvCache {
  k: tf.Tensor3D[];
  v: tf.Tensor3D[];
  length: number;
}

/** Throws a ModelConfigError naming every bad setting. */
export function checkTransformerConfig(config: CharTransformerConfig, vocab: number): void {
  const problems = validateTransformerConfig(config);
  if (!(Number.isInteger(vocab) && vocab >= 2)) problems.push(`The vocabulary needs at least 2 characters, got ${vocab}.`);
  if (problems.length) throw new ModelConfigError(problems);
}

/** GPT-2 init, seeded: normal(0, 0.02), residual projections scaled by 1/sqrt(2N), zero biases, unit norm gains. */
export function initialWeights(config: CharTransformerConfig, vocab: number, seed: number): tf.Tensor[] {
  let s = seed;
  return weightLayout(config, vocab).map(([, shape, init]) =>
    init === 'ones' ? tf.ones(shape) : init === 'zeros' ? tf.zeros(shape) : tf.randomNormal(shape, 0, init.std, 'float32', s++),
  );
}

function get(w: TransformerWeights, name: string): tf.Variable {
  const v = w.vars.get(name);
  if (!v) throw new Error(`Transformer weight ${name} is missing.`);
  return v;
}

/** Layer norm: y = g * (x - mean) / sqrt(var + 1e-5) + b over the last axis. */
function layerNorm<T extends tf.Tensor>(x: T, g: tf.Tensor, b: tf.Tensor): T {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
}

/** GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
function gelu(x: tf.Tensor2D): tf.Tensor2D {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

function dense(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return tf.add(tf.matMul(x, w as tf.Tensor2D), b);
}

/**
 * Logits [T, V] for one sequence of ids (length T <= context), starting at position `start`.
 * With a cache, the new keys/values are appended and attention covers cached + new positions, so a new
 * character costs one position's work. `attention` (if given) receives each layer's weights [heads, T, start+T].
 */
export function transformerForward(w: TransformerWeights, ids: number[], cache?: KvCache, attention?: tf.Tensor3D[]): tf.Tensor2D {
  const { config } = w;
  const d = config.width;
  const h = config.heads;
  const hs = d / h;
  const start = cache ? cache.length : 0;
  const T = ids.length;
  if (start + T > config.context) throw new Error(`The model sees at most ${config.context} characters, got ${start + T}.`);
  const logits = tf.tidy(() => {
    const tok = tf.gather(get(w, 'wte'), tf.tensor1d(ids, 'int32'));
    const pos = tf.slice(get(w, 'wpe'), [start, 0], [T, d]);
    let x = tf.add(tok, pos) as tf.Tensor2D;
    // Causal mask: query i (absolute start+i) may see keys j <= start+i; -1e9 elsewhere before softmax.
    const total = start + T;
    const mask = tf.tidy(() => {
      const q = tf.add(tf.range(0, T, 1, 'int32'), start).reshape([T, 1]);
      const k = tf.range(0, total, 1, 'int32').reshape([1, total]);
      return tf.mul(tf.cast(tf.greater(k, q), 'float32'), -1e9);
    });
    for (let i = 0; i < config.layers; i++) {
      const a = layerNorm(x, get(w, `h${i}.ln1.g`), get(w, `h${i}.ln1.b`));
      const qkv = dense(a, get(w, `h${i}.attn.w`), get(w, `h${i}.attn.b`));
      const heads = (t: tf.Tensor2D) => tf.transpose(tf.reshape(t, [T, h, hs]), [1, 0, 2]) as tf.Tensor3D;
      const [q, kNew, vNew] = tf.split(qkv, 3, 1).map((t) => heads(t as tf.Tensor2D));
      let k = kNew;
      let v = vNew;
      if (cache) {
        if (cache.k[i]) {
          k = tf.concat([cache.k[i], kNew], 1);
          v = tf.concat([cache.v[i], vNew], 1);
          cache.k[i].dispose();
          cache.v[i].dispose();
        }
        cache.k[i] = tf.keep(k);
        cache.v[i] = tf.keep(v);
      }
      // Attention: softmax(q k^T / sqrt(hs) + mask) v, per head.
      const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(hs)), mask);
      const weights = tf.softmax(scores) as tf.Tensor3D;
      if (attention) attention.push(tf.keep(weights));
      const y = tf.reshape(tf.transpose(tf.matMul(weights, v), [1, 0, 2]), [T, d]) as tf.Tensor2D;
      x = tf.add(x, dense(y, get(w, `h${i}.proj.w`), get(w, `h${i}.proj.b`)));
      const m = layerNorm(x, get(w, `h${i}.ln2.g`), get(w, `h${i}.ln2.b`));
      x = tf.add(x, dense(gelu(dense(m, get(w, `h${i}.fc.w`), get(w, `h${i}.fc.b`))), get(w, `h${i}.fc2.w`), get(w, `h${i}.fc2.b`)));
    }
    x = layerNorm(x, get(w, 'lnf.g'), get(w, 'lnf.b'));
    const headW = config.tied ? tf.transpose(get(w, 'wte')) : get(w, 'head.w');
    return dense(x, headW, get(w, 'head.b'));
  });
  if (cache) cache.length = start + T;
  return logits;
}

/** Dropout for training: a seeded draw per call; the identity when `rate` is 0 or at eval (no `drop` given). */
export interface DropoutSource {
  rate: number;
  /** The next seed for tf.dropout's mask, from the run's seeded generator. */
  seed(): number;
}

function drop<T extends tf.Tensor>(x: T, d: DropoutSource | undefined): T {
  if (!d || d.rate <= 0) return x;
  return tf.dropout(x, d.rate, undefined, d.seed()) as T;
}

/**
 * Logits [B, T, V] for a batch of id windows [B, T] (int32, T <= context), all positions at once: attention is
 * matMul on [B, heads, T, T] with a causal mask. With `dropout` (training only) it drops where nanoGPT does: after
 * the embeddings, on the attention weights, and on each residual branch (attention projection and MLP output).
 * Built from fused pieces (fused.ts: dense, layer norm, GELU and attention, each one customGrad with its backward
 * written out); equal to `plainTransformerLogits` within float32 rounding, with the same dropout draws.
 */
export function transformerLogits(w: TransformerWeights, ids: tf.Tensor2D, dropout?: DropoutSource): tf.Tensor3D {
  const { config } = w;
  const d = config.width;
  const [B, T] = ids.shape;
  if (T > config.context) throw new Error(`The model sees at most ${config.context} characters, got ${T}.`);
  return tf.tidy(() => {
    const tok = tf.reshape(tf.gather(get(w, 'wte'), tf.reshape(ids, [B * T])), [B, T, d]);
    const pos = tf.slice(get(w, 'wpe'), [0, 0], [T, d]);
    let x = tf.reshape(drop(tf.add(tok, pos), dropout), [B * T, d]) as tf.Tensor2D;
    const mask = causalMask(T);
    const shape: [number, number, number] = [B * config.heads, T, T];
    const dropMask = dropout && dropout.rate > 0 ? () => drop(tf.ones(shape), dropout) : undefined; // tf.dropout's multiplier, same seed order
    for (let i = 0; i < config.layers; i++) {
      const a = fusedLayerNorm(x, get(w, `h${i}.ln1.g`), get(w, `h${i}.ln1.b`));
      const qkv = fusedDense(a, get(w, `h${i}.attn.w`), get(w, `h${i}.attn.b`));
      const y = fusedAttention(qkv, B, T, config.heads, mask, dropMask);
      x = tf.add(x, drop(fusedDense(y, get(w, `h${i}.proj.w`), get(w, `h${i}.proj.b`)), dropout));
      const m = fusedLayerNorm(x, get(w, `h${i}.ln2.g`), get(w, `h${i}.ln2.b`));
      const mlp = fusedDense(fusedGelu(fusedDense(m, get(w, `h${i}.fc.w`), get(w, `h${i}.fc.b`))), get(w, `h${i}.fc2.w`), get(w, `h${i}.fc2.b`));
      x = tf.add(x, drop(mlp, dropout));
    }
    x = fusedLayerNorm(x, get(w, 'lnf.g'), get(w, 'lnf.b'));
    const headW = config.tied ? tf.transpose(get(w, 'wte')) : get(w, 'head.w');
    return tf.reshape(fusedDense(x, headW, get(w, 'head.b')), [B, T, w.vocab]) as tf.Tensor3D;
  });
}

/**
 * The same logits from plain tfjs ops and autodiff (no customGrad): the reference the fused path is tested
 * against, and the baseline of `npm run bench -- --models transformer`.
 */
export function plainTransformerLogits(w: TransformerWeights, ids: tf.Tensor2D, dropout?: DropoutSource): tf.Tensor3D {
  const { config } = w;
  const d = config.width;
  const h = config.heads;
  const hs = d / h;
  const [B, T] = ids.shape;
  if (T > config.context) throw new Error(`The model sees at most ${config.context} characters, got ${T}.`);
  return tf.tidy(() => {
    const tok = tf.reshape(tf.gather(get(w, 'wte'), tf.reshape(ids, [B * T])), [B, T, d]);
    const pos = tf.slice(get(w, 'wpe'), [0, 0], [T, d]);
    // x stays [B*T, d] between blocks; only attention reshapes to [B, heads, T, hs].
    let x = tf.reshape(drop(tf.add(tok, pos), dropout), [B * T, d]) as tf.Tensor2D;
    const mask = tf.tidy(() => {
      const q = tf.range(0, T, 1, 'int32').reshape([T, 1]);
      const k = tf.range(0, T, 1, 'int32').reshape([1, T]);
      return tf.mul(tf.cast(tf.greater(k, q), 'float32'), -1e9); // [T, T], broadcast over batch and heads
    });
    const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, T, h, hs]), [0, 2, 1, 3]) as tf.Tensor4D;
    for (let i = 0; i < config.layers; i++) {
      const a = layerNorm(x, get(w, `h${i}.ln1.g`), get(w, `h${i}.ln1.b`));
      const qkv = dense(a, get(w, `h${i}.attn.w`), get(w, `h${i}.attn.b`));
      const [q, k, v] = tf.split(qkv, 3, 1).map(heads);
      const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(hs)), mask);
      const weights = drop(tf.softmax(scores), dropout);
      const y = tf.reshape(tf.transpose(tf.matMul(weights, v), [0, 2, 1, 3]), [B * T, d]) as tf.Tensor2D;
      x = tf.add(x, drop(dense(y, get(w, `h${i}.proj.w`), get(w, `h${i}.proj.b`)), dropout));
      const m = layerNorm(x, get(w, `h${i}.ln2.g`), get(w, `h${i}.ln2.b`));
      const mlp = dense(gelu(dense(m, get(w, `h${i}.fc.w`), get(w, `h${i}.fc.b`))), get(w, `h${i}.fc2.w`), get(w, `h${i}.fc2.b`));
      x = tf.add(x, drop(mlp, dropout));
    }
    x = layerNorm(x, get(w, 'lnf.g'), get(w, 'lnf.b'));
    const headW = config.tied ? tf.transpose(get(w, 'wte')) : get(w, 'head.w');
    return tf.reshape(dense(x, headW, get(w, 'head.b')), [B, T, w.vocab]) as tf.Tensor3D;
  });
}

export function disposeCache(cache: KvCache): void {
  for (const t of [...cache.k, ...cache.v]) t.dispose();
  cache.k = [];
  cache.v = [];
  cache.length = 0;
}
