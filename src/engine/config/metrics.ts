export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** confusion[t][p] counts examples of true class t predicted as p. */
export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]][predicted[i]]++;
  return m;
}

/** precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2PR/(P+R); 0 where a denominator is 0. */
export function classScores(confusion: number[][]): ClassScores[] {
  return confusion.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predictedAs = confusion.reduce((s, r) => s + r[c], 0);
    const precision = predictedAs ? tp / predictedAs : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
}

/** Exponential moving average used for the smoothed training curves: s_t = a s_{t-1} + (1-a) x_t, debiased. */
export function smooth(values: number[], alpha = 0.9): number[] {
  const out: number[] = [];
  let s = 0;
  values.forEach((v, i) => {
    s = alpha * s + (1 - alpha) * v;
    out.push(s / (1 - alpha ** (i + 1)));
  });
  return out;
}
