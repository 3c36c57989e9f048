import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../data/random';
import { UNKNOWN, Vocabulary } from '../../text/corpus';
import { type GenerateOptions, validateGenerateOptions } from '../../config/generate';

/**
 * Picks the next character id from logits. Temperature 0 is greedy (argmax); otherwise
 * p_i = softmax(logits_i / T) over the top k logits (k = 0: all), then one draw from `random`.
 */
export function sampleIndex(logits: ArrayLike<number>, temperature: number, topK: number, random: () => number): number {
  const n = logits.length;
  let best = 0;
  for (let i = 1; i < n; i++) if (logits[i] > logits[best]) best = i;
  if (temperature <= 0) return best;
  let candidates = Array.from({ length: n }, (_, i) => i);
  if (topK > 0 && topK < n) candidates = candidates.sort((a, b) => logits[b] - logits[a]).slice(0, topK);
  const max = logits[best];
  const weights = candidates.map((i) => Math.exp((logits[i] - max) / temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let r = random() * total;
  for (let j = 0; j < candidates.length; j++) {
    r -= weights[j];
    if (r < 0) return candidates[j];
  }
  return candidates[candidates.length - 1];
}

type Activation = (x: tf.Tensor) => tf.Tensor;

function activationByName(name: string): Activation {
  switch (name) {
    case 'sigmoid':
      return tf.sigmoid;
    case 'hardSigmoid':
    case 'hard_sigmoid':
      // Keras hard sigmoid: clip(0.2 x + 0.5, 0, 1)
      return (x) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1);
    case 'tanh':
      return tf.tanh;
    case 'relu':
      return tf.relu;
    case 'linear':
      return (x) => x;
    default:
      throw new Error(`Unsupported LSTM activation "${name}".`);
  }
}

interface LstmWeights {
  kernel: tf.Tensor2D;
  recurrent: tf.Tensor2D;
  bias: tf.Tensor1D;
  units: number;
  activation: Activation;
  recurrentActivation: Activation;
}

/**
 * Runs a trained char-LSTM one character at a time, carrying (h, c) between calls, so generating n characters
 * costs n steps (feeding the whole context each time would cost n^2). Uses the model's own weight tensors.
 */
export class CharStepper {
  private readonly embeddings: tf.Tensor2D;
  private readonly lstms: LstmWeights[] = [];
  private readonly dense: { kernel: tf.Tensor2D; bias: tf.Tensor1D };
  private state: { h: tf.Tensor2D; c: tf.Tensor2D }[] = [];

  constructor(model: tf.LayersModel) {
    let embeddings: tf.Tensor2D | null = null;
    let dense: { kernel: tf.Tensor2D; bias: tf.Tensor1D } | null = null;
    for (const layer of model.layers) {
      const cls = layer.getClassName();
      const w = layer.getWeights();
      if (cls === 'Embedding') embeddings = w[0] as tf.Tensor2D;
      else if (cls === 'LSTM') {
        const cfg = layer.getConfig() as { units: number; activation?: string; recurrentActivation?: string; useBias?: boolean };
        if (cfg.useBias === false) throw new Error('LSTM layers without bias are not supported for generation.');
        this.lstms.push({
          kernel: w[0] as tf.Tensor2D,
          recurrent: w[1] as tf.Tensor2D,
          bias: w[2] as tf.Tensor1D,
          units: cfg.units,
          activation: activationByName(String(cfg.activation ?? 'tanh')),
          recurrentActivation: activationByName(String(cfg.recurrentActivation ?? 'hardSigmoid')),
        });
      } else if (cls === 'Dense') dense = { kernel: w[0] as tf.Tensor2D, bias: w[1] as tf.Tensor1D };
    }
    if (!embeddings || !dense || this.lstms.length === 0)
      throw new Error('This model is not a char-LSTM (expected Embedding, LSTM and Dense layers).');
    this.embeddings = embeddings;
    this.dense = dense;
    this.reset();
  }

  reset(): void {
    tf.dispose(this.state.flatMap((s) => [s.h, s.c]));
    this.state = this.lstms.map((l) => ({ h: tf.zeros([1, l.units]) as tf.Tensor2D, c: tf.zeros([1, l.units]) as tf.Tensor2D }));
  }

  /** One character through every LSTM layer from `state` (call inside a tidy): the new states and the top h. */
  private advance(state: { h: tf.Tensor2D; c: tf.Tensor2D }[], id: number): { x: tf.Tensor2D; next: { h: tf.Tensor2D; c: tf.Tensor2D }[] } {
    let x = tf.gather(this.embeddings, tf.tensor1d([id], 'int32')) as tf.Tensor2D;
    const next = this.lstms.map((l, i) => {
      const { h, c } = state[i];
      // z = x W + h U + b, split into input, forget, cell and output gates (Keras order i, f, c, o)
      const z = tf.add(tf.add(tf.matMul(x, l.kernel), tf.matMul(h, l.recurrent)), l.bias);
      const [zi, zf, zc, zo] = tf.split(z, 4, 1);
      const c2 = tf.add(tf.mul(l.recurrentActivation(zf), c), tf.mul(l.recurrentActivation(zi), l.activation(zc))) as tf.Tensor2D;
      const h2 = tf.mul(l.recurrentActivation(zo), l.activation(c2)) as tf.Tensor2D;
      x = h2;
      return { h: h2, c: c2 };
    });
    return { x, next };
  }

  /**
   * Feeds `ids` one at a time from the current state and returns every LSTM layer's cell state c_t after each
   * character, [ids.length, units] per layer (what the char-RNN visualisations colour text by). The state moves on.
   */
  cellTrace(ids: ArrayLike<number>): tf.Tensor2D[] {
    if (ids.length === 0) throw new Error('Give at least one character to trace the cells on.');
    const { traces, state } = tf.tidy(() => {
      let now = this.state;
      const cs: tf.Tensor2D[][] = this.lstms.map(() => []);
      for (let t = 0; t < ids.length; t++) {
        now = this.advance(now, ids[t]).next;
        now.forEach((s, i) => cs[i].push(s.c));
      }
      return { traces: cs.map((c) => tf.concat(c, 0) as tf.Tensor2D), state: now };
    });
    tf.dispose(this.state.flatMap((s) => [s.h, s.c]));
    this.state = state;
    return traces;
  }

  /** Feeds one character id; returns the logits for the next character. */
  async feed(id: number): Promise<Float32Array> {
    const { logits, state } = tf.tidy(() => {
      const { x, next } = this.advance(this.state, id);
      return { logits: tf.add(tf.matMul(x, this.dense.kernel), this.dense.bias), state: next };
    });
    tf.dispose(this.state.flatMap((s) => [s.h, s.c]));
    this.state = state;
    const out = (await logits.data()) as Float32Array;
    logits.dispose();
    return out;
  }

  dispose(): void {
    tf.dispose(this.state.flatMap((s) => [s.h, s.c]));
    this.state = [];
  }
}

/**
 * Generates `length` characters after the seed text, calling onChunk with new text as it comes.
 * Seed characters outside the vocabulary are fed as the unknown symbol. Same options, same text.
 */
export async function generateText(
  model: tf.LayersModel,
  vocab: Vocabulary,
  options: GenerateOptions,
  onChunk: (text: string) => void = () => {},
  shouldStop: () => boolean = () => false,
): Promise<string> {
  const problems = validateGenerateOptions(options);
  if (problems.length) throw new Error(problems.join(' '));
  const stepper = new CharStepper(model);
  const random = mulberry32(options.seed);
  try {
    let logits: Float32Array | null = null;
    const seed = Array.from(options.seedText);
    for (const ch of seed.length ? seed : [UNKNOWN]) logits = await stepper.feed(vocab.index.get(ch) ?? 0);
    let out = '';
    let chunk = '';
    let lastFlush = performance.now();
    for (let i = 0; i < options.length && !shouldStop(); i++) {
      const id = sampleIndex(logits!, options.temperature, options.topK, random);
      chunk += vocab.chars[id];
      if (i + 1 < options.length) logits = await stepper.feed(id);
      if (chunk.length >= 16 || performance.now() - lastFlush > 50) {
        out += chunk;
        onChunk(chunk);
        chunk = '';
        lastFlush = performance.now();
        await new Promise<void>((r) => setTimeout(r, 0)); // lets a stop request in
      }
    }
    if (chunk) {
      out += chunk;
      onChunk(chunk);
    }
    return out;
  } finally {
    stepper.dispose();
  }
}
