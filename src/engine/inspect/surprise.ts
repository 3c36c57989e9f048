/** Per-character surprise of a passage and the model's top predictions, from next-character probabilities. */
export interface Surprise {
  /** Surprise of each target character in nats: -ln p(target). */
  nats: Float32Array;
  /** Top-k predicted next characters per position: indices, k per position. */
  topIndex: Int32Array;
  /** Their probabilities, k per position. */
  topProb: Float32Array;
  k: number;
}

/** probs: [positions, vocab] row-major next-character distributions; targets: the characters that came next. */
export function surpriseOf(probs: Float32Array, vocab: number, targets: ArrayLike<number>, k = 5): Surprise {
  const positions = targets.length;
  if (probs.length !== positions * vocab) {
    throw new Error(`Surprise needs ${positions} x ${vocab} probabilities, got ${probs.length}.`);
  }
  const kk = Math.min(k, vocab);
  const nats = new Float32Array(positions);
  const topIndex = new Int32Array(positions * kk);
  const topProb = new Float32Array(positions * kk);
  for (let p = 0; p < positions; p++) {
    const row = probs.subarray(p * vocab, (p + 1) * vocab);
    const t = targets[p];
    if (!(t >= 0 && t < vocab)) throw new Error(`Target ${t} at position ${p} is outside the vocabulary of ${vocab}.`);
    // -ln p, floored at the float32 tiny value so a zero probability reads as a large finite surprise
    nats[p] = -Math.log(Math.max(row[t], 1e-38));
    const order = Array.from(row.keys()).sort((a, b) => row[b] - row[a]);
    for (let j = 0; j < kk; j++) {
      topIndex[p * kk + j] = order[j];
      topProb[p * kk + j] = row[order[j]];
    }
  }
  return { nats, topIndex, topProb, k: kk };
}

/** Mean surprise in nats: the model's cross-entropy loss on the passage. */
export const meanNats = (s: Surprise): number => s.nats.reduce((a, b) => a + b, 0) / Math.max(1, s.nats.length);
