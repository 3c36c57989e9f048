/** What the Inspect view receives from the worker: compact typed arrays, no tensors. */
export interface ImageWeightsView {
  /** First Dense layer's incoming weights, one row of `pixels` per unit, shared colour scale [-scale, scale]. */
  units: { values: Float32Array; units: number; pixels: number; scale: number } | null;
  /** L2 norm of each weighted layer's weights. */
  norms: { layer: string; norm: number }[];
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
}

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

/** Inside the image model for one drawn digit: where the guess looks, and what each convolution layer sees. */
export interface DigitView {
  /** The class the saliency explains: the model's guess. */
  classIndex: number;
  /** SmoothGrad d(score of classIndex)/d(pixel), 28 x 28 row-major. */
  saliency: Float32Array;
  /** Each Conv2D layer's output for the digit, [height, width, channels] channel-last; empty for an MLP. */
  maps: { layer: string; shape: [number, number, number]; values: Float32Array }[];
}
