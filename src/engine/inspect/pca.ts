/** A 2-D projection of row vectors: centred rows projected on the top two eigenvectors of their covariance. */
export interface Projection2d {
  /** [x0, y0, x1, y1, ...], one point per row. */
  points: Float32Array;
  /** The two eigenvalues (variances along each axis), largest first. */
  variances: [number, number];
}

/** PCA via covariance eigenvectors: C = (1/n) sum (x_i - mean)(x_i - mean)^T, top two by power iteration with deflation. */
export function pca2(data: Float32Array, rows: number, cols: number): Projection2d {
  if (rows < 2 || cols < 1 || data.length !== rows * cols) {
    throw new Error(`PCA needs at least 2 rows of ${cols} values (got ${data.length} values for ${rows} rows).`);
  }
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c] += data[r * cols + c] / rows;
  const cov = new Float64Array(cols * cols);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < cols; i++) {
      const di = data[r * cols + i] - mean[i];
      for (let j = 0; j < cols; j++) cov[i * cols + j] += (di * (data[r * cols + j] - mean[j])) / rows;
    }
  }
  const first = topEigen(cov, cols);
  // deflation: C' = C - lambda v v^T leaves the next eigenvector on top
  for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) cov[i * cols + j] -= first.value * first.vector[i] * first.vector[j];
  const second = topEigen(cov, cols);
  const points = new Float32Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    let x = 0;
    let y = 0;
    for (let c = 0; c < cols; c++) {
      const d = data[r * cols + c] - mean[c];
      x += d * first.vector[c];
      y += d * second.vector[c];
    }
    points[2 * r] = x;
    points[2 * r + 1] = y;
  }
  return { points, variances: [first.value, Math.max(0, second.value)] };
}

/** Power iteration: v <- C v / |C v|; lambda = v^T C v. Sign fixed so the largest component is positive. */
function topEigen(cov: Float64Array, n: number): { value: number; vector: Float64Array } {
  let v = new Float64Array(n).map((_, i) => 1 / Math.sqrt(n) + i * 1e-3);
  for (let iter = 0; iter < 500; iter++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) next[i] += cov[i * n + j] * v[j];
    const norm = Math.hypot(...next);
    if (norm < 1e-12) return { value: 0, vector: v };
    for (let i = 0; i < n; i++) next[i] /= norm;
    const delta = next.reduce((s, x, i) => s + Math.abs(x - v[i]), 0);
    v = next;
    if (delta < 1e-10) break;
  }
  let value = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) value += v[i] * cov[i * n + j] * v[j];
  let big = 0;
  for (let i = 1; i < n; i++) if (Math.abs(v[i]) > Math.abs(v[big])) big = i;
  if (v[big] < 0) v = v.map((x) => -x);
  return { value, vector: v };
}
