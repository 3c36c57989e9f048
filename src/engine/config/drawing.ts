/**
 * Turns a drawn digit (ink 0..1 on a square grid, any size) into an MNIST-like 28x28 input:
 * crop to the ink's bounding box, scale it to fit 20x20 keeping its aspect, then shift so the
 * centre of mass sits at the centre of the 28x28 field, as LeCun's preprocessing did.
 */
export function drawingToMnist(ink: Float32Array, side: number): Float32Array {
  let top = side,
    left = side,
    bottom = -1,
    right = -1;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      if (ink[y * side + x] > 0.05) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  const out = new Float32Array(28 * 28);
  if (bottom < 0) return out; // nothing drawn
  const h = bottom - top + 1;
  const w = right - left + 1;
  const scale = 20 / Math.max(h, w);
  const sh = Math.max(1, Math.round(h * scale));
  const sw = Math.max(1, Math.round(w * scale));
  // Area-average resize of the bounding box to sw x sh.
  const small = new Float32Array(sw * sh);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const y0 = top + Math.floor((y * h) / sh),
        y1 = top + Math.max(Math.floor(((y + 1) * h) / sh), Math.floor((y * h) / sh) + 1);
      const x0 = left + Math.floor((x * w) / sw),
        x1 = left + Math.max(Math.floor(((x + 1) * w) / sw), Math.floor((x * w) / sw) + 1);
      let sum = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) sum += ink[yy * side + xx];
      small[y * sw + x] = Math.min(1, sum / ((y1 - y0) * (x1 - x0)));
    }
  }
  let mass = 0,
    cy = 0,
    cx = 0;
  for (let y = 0; y < sh; y++)
    for (let x = 0; x < sw; x++) {
      const v = small[y * sw + x];
      mass += v;
      cy += v * y;
      cx += v * x;
    }
  const offY = Math.round(14 - cy / mass - 0.5);
  const offX = Math.round(14 - cx / mass - 0.5);
  for (let y = 0; y < sh; y++)
    for (let x = 0; x < sw; x++) {
      const ty = y + offY,
        tx = x + offX;
      if (ty >= 0 && ty < 28 && tx >= 0 && tx < 28) out[ty * 28 + tx] = small[y * sw + x];
    }
  return out;
}
