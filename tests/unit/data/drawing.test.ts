import { describe, expect, it } from 'vitest';
import { drawingToMnist } from '../../../src/engine/config/drawing';

const SIDE = 280;

function rect(top: number, left: number, height: number, width: number, value = 1): Float32Array {
  const ink = new Float32Array(SIDE * SIDE);
  for (let y = top; y < top + height; y++) for (let x = left; x < left + width; x++) ink[y * SIDE + x] = value;
  return ink;
}

/** Bounding box and centre of mass (pixel centres at i + 0.5) of a 28x28 image. */
function measure(img: Float32Array) {
  let top = 28,
    left = 28,
    bottom = -1,
    right = -1,
    mass = 0,
    cy = 0,
    cx = 0;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const v = img[y * 28 + x];
      if (v > 0) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
      mass += v;
      cy += v * (y + 0.5);
      cx += v * (x + 0.5);
    }
  }
  return { height: bottom - top + 1, width: right - left + 1, cy: cy / mass, cx: cx / mass, mass };
}

describe('drawingToMnist', () => {
  it('an empty drawing gives 784 zeros', () => {
    const out = drawingToMnist(new Float32Array(SIDE * SIDE), SIDE);
    expect(out.length).toBe(784);
    expect(out.every((v) => v === 0)).toBe(true);
  });

  it('ink below the 0.05 threshold counts as empty', () => {
    const out = drawingToMnist(rect(10, 10, 50, 50, 0.04), SIDE);
    expect(out.every((v) => v === 0)).toBe(true);
  });

  it('an off-centre filled square is scaled to 20x20 and centred by mass', () => {
    // 100x100 square in the top-right corner of the canvas.
    const out = drawingToMnist(rect(20, 150, 100, 100), SIDE);
    const m = measure(out);
    expect(m.height).toBeLessThanOrEqual(20);
    expect(m.width).toBeLessThanOrEqual(20);
    expect(m.height).toBeGreaterThanOrEqual(19);
    expect(Math.abs(m.cy - 14)).toBeLessThanOrEqual(1);
    expect(Math.abs(m.cx - 14)).toBeLessThanOrEqual(1);
    // A solid square stays solid: 20*20 pixels of full ink.
    expect(m.mass).toBeCloseTo(400, 3);
    expect(out.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('a small square is enlarged to fill 20x20', () => {
    const m = measure(drawingToMnist(rect(200, 10, 7, 7), SIDE));
    expect(m.height).toBe(20);
    expect(m.width).toBe(20);
    expect(Math.abs(m.cy - 14)).toBeLessThanOrEqual(1);
    expect(Math.abs(m.cx - 14)).toBeLessThanOrEqual(1);
  });

  it('keeps the aspect ratio: a 100 tall, 40 wide bar becomes 20 x 8', () => {
    const m = measure(drawingToMnist(rect(100, 30, 100, 40), SIDE));
    expect(m.height).toBe(20);
    expect(m.width).toBe(Math.round((40 * 20) / 100));
    expect(Math.abs(m.cy - 14)).toBeLessThanOrEqual(1);
    expect(Math.abs(m.cx - 14)).toBeLessThanOrEqual(1);
  });

  it('centres by mass, not by bounding box: an L shape sits off its box centre', () => {
    // An L in a 200x200 box: a 20-wide vertical bar on the left and a 40-high foot along the bottom.
    // Scaled by 20/200 it is 20x20: bar cols 0-1, foot rows 16-19. Its centre of mass is below and left of
    // the box centre (9.5, 9.5): y = 1640/112 = 14.6, x = 776/112 = 6.9, so the box moves up and right.
    const ink = new Float32Array(SIDE * SIDE);
    for (let y = 40; y < 240; y++) for (let x = 40; x < 60; x++) ink[y * SIDE + x] = 1;
    for (let y = 200; y < 240; y++) for (let x = 40; x < 240; x++) ink[y * SIDE + x] = 1;
    const out = drawingToMnist(ink, SIDE);
    const m = measure(out);
    expect(Math.abs(m.cy - 14)).toBeLessThanOrEqual(1);
    expect(Math.abs(m.cx - 14)).toBeLessThanOrEqual(1);
    // Centring the box instead would put its top-left corner at (4, 4).
    let top = 28,
      left = 28;
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++)
        if (out[y * 28 + x] > 0) {
          top = Math.min(top, y);
          left = Math.min(left, x);
        }
    expect(top).toBeLessThan(4);
    expect(left).toBeGreaterThan(4);
  });

  it('works for other canvas sizes', () => {
    const side = 56;
    const ink = new Float32Array(side * side);
    for (let y = 5; y < 25; y++) for (let x = 5; x < 25; x++) ink[y * side + x] = 1;
    const m = measure(drawingToMnist(ink, side));
    expect([m.height, m.width]).toEqual([20, 20]);
  });
});
