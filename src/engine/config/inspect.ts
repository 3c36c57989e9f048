/** What the Inspect view receives from the worker: compact typed arrays, no tensors. */
export interface ImageWeightsView {
  /** First Dense layer's incoming weights, one row of `pixels` per unit, shared colour scale [-scale, scale]. */
  units: { values: Float32Array; units: number; pixels: number; scale: number } | null;
  /** The first Dense layer's outgoing weights: the next Dense kernel [units, next] (next = the classes when toClasses). */
  outgoing: { values: Float32Array; units: number; next: number; toClasses: boolean } | null;
  /** Every Conv2D layer's filters (empty for an MLP). */
  filters: ConvFilters[];
  /** L2 norm of each weighted layer's weights. */
  norms: { layer: string; norm: number }[];
}

/** One Conv2D layer's kernel: values[((y * kw + x) * inputs + i) * filters + f], diverging scale [-scale, scale]. */
export interface ConvFilters {
  layer: string;
  kh: number;
  kw: number;
  inputs: number;
  filters: number;
  values: Float32Array;
  scale: number;
}

export interface TextSurpriseView {
  /** The passage's characters; surprise[i] (nats) is of chars[i + 1] given chars[0..i]. */
  chars: string[];
  nats: Float32Array;
  /** Top-k next characters per position with their probabilities. */
  top: string[];
  topProb: Float32Array;
  k: number;
  /** Mean surprise: the model's cross-entropy on the passage. */
  meanNats: number;
  /** 2-D PCA of the character embeddings, one point per vocabulary entry, labelled by `labels`. */
  embedding: { points: Float32Array; labels: string[] };
  /** How the passage was read: null for all at once (the LSTM's state carries it), else in context windows. */
  window: PassageWindow | null;
}

/**
 * A model with a fixed context (the Transformer) reads a longer passage in windows of `context` characters that
 * slide by `stride`: the first window scores all its characters, each later one only those after the previous
 * window's end, so every character after the first `context` is predicted from `context - stride + 1` to
 * `context` characters before it. `windows` is 1 when the passage fits the context.
 */
export interface PassageWindow {
  context: number;
  stride: number;
  windows: number;
}

/** The longest passage the text Inspect view reads (one coloured span per character). */
export const MAX_INSPECT_PASSAGE = 2000;

/** What the cell view says when the text model has no cells. */
export const NO_CELLS_TRANSFORMER = "Cell activations are an LSTM view; the Transformer's attention is shown in the Attention panel.";

const ROWS = ['top', 'middle', 'bottom'];
const COLS = ['left', 'centre', 'right'];

/** Name of the third of a side x third of a side region with the largest sum of `sign`-signed weights. */
function strongestRegion(values: ArrayLike<number>, offset: number, side: number, sign: 1 | -1): { name: string; sum: number } {
  const sums = new Float64Array(9);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = sign * values[offset + y * side + x];
      if (v > 0) sums[Math.min(2, Math.floor((3 * y) / side)) * 3 + Math.min(2, Math.floor((3 * x) / side))] += v;
    }
  }
  let best = 0;
  for (let r = 1; r < 9; r++) if (sums[r] > sums[best]) best = r;
  const row = ROWS[Math.floor(best / 3)];
  const col = COLS[best % 3];
  const name =
    row === 'middle' && col === 'centre' ? 'the centre' : row === 'middle' ? `the middle ${col}` : `the ${row} ${col === 'centre' ? 'centre' : col}`;
  return { name, sum: sums[best] };
}

/**
 * A text alternative for one unit's incoming-weight image (side x side pixels at values[offset...]): where ink raises
 * the unit most (largest positive weight sum over a 3 x 3 grid of regions) and where ink lowers it most.
 */
export function describeUnit(unit: number, values: ArrayLike<number>, offset: number, side: number): string {
  const up = strongestRegion(values, offset, side, 1);
  const down = strongestRegion(values, offset, side, -1);
  const parts = [`unit ${unit} responds most to strokes at ${up.sum > 0 ? up.name : 'no region'}`];
  if (down.sum > 0) parts.push(`strokes at ${down.name} hold it back`);
  return parts.join('; ');
}

export type SaliencyMethod = 'gradient' | 'smoothgrad' | 'integrated';
export const SALIENCY_METHODS: { id: SaliencyMethod; label: string }[] = [
  { id: 'gradient', label: 'gradient' },
  { id: 'smoothgrad', label: 'SmoothGrad' },
  { id: 'integrated', label: 'integrated gradients' },
];

/** A saliency map's text alternative: the region (of a 3 x 3 grid) whose pixels move the class score the most. */
export function describeSaliency(classIndex: number, saliency: ArrayLike<number>, side: number): string {
  const magnitude = Array.from(saliency, Math.abs);
  const { name, sum } = strongestRegion(magnitude, 0, side, 1);
  return sum > 0 ? `the score of ${classIndex} depends most on the pixels at ${name}` : `no pixel moves the score of ${classIndex}`;
}

/** Inside the image model for one drawn digit: where the guess looks, and what each convolution layer sees. */
export interface DigitView {
  /** The class the saliency explains: the model's guess, and its probability. */
  classIndex: number;
  probability: number;
  method: SaliencyMethod;
  /** d(score of classIndex)/d(pixel) by `method`, 28 x 28 row-major. */
  saliency: Float32Array;
  /** Each Conv2D layer's output for the digit, [height, width, channels] channel-last; empty for an MLP. */
  maps: { layer: string; shape: [number, number, number]; values: Float32Array }[];
}

/** Weight histograms of every weighted layer at one moment of a run. */
export interface HealthCheckpoint {
  /** 'start', 'epoch 3', 'asked at step 120', ... */
  label: string;
  step: number;
  histograms: { layer: string; min: number; max: number; counts: Uint32Array }[];
}

/** Training health of the last run of one family, recorded in the worker while it trains. */
export interface TrainingHealthView {
  /** The layers with trainable weights, in model order. */
  layers: string[];
  /** The probed steps. */
  steps: Float64Array;
  /** [steps, layers] row-major: ||W||_2 of each layer after the probed step. */
  weightNorms: Float32Array;
  /** [steps, layers] row-major: ||W_after - W_before||_2 / ||W_before||_2 of the probed step. */
  updateRatios: Float32Array;
  checkpoints: HealthCheckpoint[];
}

/** A layer's latest update ratio in words: too high, healthy, too low or none at all (no gradient reaches it). */
export function describeRatio(layer: string, ratio: number): string {
  // Karpathy's rule of thumb (CS231n): updates of about 1e-3 of the weights per step are healthy
  const r = ratio.toExponential(1);
  if (!Number.isFinite(ratio)) return `${layer}: the weights are no longer finite`;
  if (ratio === 0) return `${layer}: no update at all (ratio 0): no gradient reaches it (a dead ReLU layer, or a layer below one)`;
  if (ratio > 1e-1) return `${layer}: update/weight ratio ${r}, far above 1e-3: the learning rate is likely too high`;
  if (ratio < 1e-5) return `${layer}: update/weight ratio ${r}, far below 1e-3: this layer hardly learns`;
  return `${layer}: update/weight ratio ${r}, in the usual range around 1e-3`;
}

/** What a cell can be picked by: its index, or the highest |correlation| with one property of the text. */
export type CellFeature = 'quote' | 'newline' | 'space' | 'linePosition';
export const CELL_FEATURES: { id: CellFeature; label: string }[] = [
  { id: 'quote', label: 'inside quotes' },
  { id: 'newline', label: 'newlines' },
  { id: 'space', label: 'spaces' },
  { id: 'linePosition', label: 'position in the line' },
];
export type CellChoice = { unit: number; layer?: number } | { feature: CellFeature; layer?: number };

/** One LSTM cell's state along a passage. */
export interface CellView {
  chars: string[];
  /** Which LSTM layer (0 = the first) and unit, of `layers` layers with `units` units each. */
  layer: number;
  layers: number;
  unit: number;
  units: number;
  /** c_t of the unit after each character. */
  values: Float32Array;
  /** With a feature choice: that feature along the passage and every unit's Pearson correlation with it. */
  feature: { id: CellFeature; series: Float32Array; correlations: Float32Array } | null;
}
