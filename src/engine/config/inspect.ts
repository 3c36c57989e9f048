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
