import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { convFeatureMaps, firstLayerUnits, histogram, layerNorms } from '../../../src/engine/inspect/weights';
import { describeUnit } from '../../../src/engine/config/inspect';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const seeded = (seed: number) => tf.initializers.glorotNormal({ seed });

describe('weights and feature maps', () => {
  it('first-layer unit images are the kernel columns, on one shared scale', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [6], units: 3, kernelInitializer: seeded(1) })] });
    const k = model.layers[0].getWeights()[0].arraySync() as number[][];
    const img = firstLayerUnits(model);
    expect([img.units, img.pixels]).toEqual([3, 6]);
    expect(img.values[2 * 6 + 4]).toBeCloseTo(k[4][2], 6);
    expect(img.scale).toBeCloseTo(Math.max(...k.flat().map(Math.abs)), 6);
    model.dispose();
  });

  it('conv feature maps equal relu(conv2d(x, W) + b) computed by hand, with no tensor left behind', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [6, 6, 1],
          filters: 2,
          kernelSize: 3,
          activation: 'relu',
          kernelInitializer: seeded(2),
          biasInitializer: 'ones',
        }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, kernelInitializer: seeded(3) }),
      ],
    });
    const x = tf.randomUniform([1, 6, 6, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const maps = convFeatureMaps(model, x);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 0);
    const [w, b] = model.layers[0].getWeights();
    const expected = tf.tidy(() => tf.relu(tf.add(tf.conv2d(x, w as tf.Tensor4D, 1, 'valid'), b)).dataSync());
    expect(maps[0].shape).toEqual([4, 4, 2]);
    expect(
      Array.from(maps[0].values)
        .map((v, i) => Math.abs(v - expected[i]))
        .reduce((a, c) => Math.max(a, c)),
    ).toBeLessThan(1e-5);
    x.dispose();
    model.dispose();
  });

  it("every conv layer's feature maps equal model.predict of a tf.model truncated at that layer", () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: seeded(4) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 2, kernelSize: 2, activation: 'relu', kernelInitializer: seeded(6) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4, kernelInitializer: seeded(7) }),
      ],
    });
    const x = tf.randomUniform([1, 8, 8, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
    const maps = convFeatureMaps(model, x);
    expect(maps.map((m) => m.shape)).toEqual([
      [6, 6, 3],
      [2, 2, 2],
    ]);
    for (const [i, layer] of [model.layers[0], model.layers[2]].entries()) {
      const truncated = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
      const expected = tf.tidy(() => (truncated.predict(x) as tf.Tensor).dataSync());
      expect(maps[i].layer).toBe(layer.name);
      expect(maps[i].values).toHaveLength(expected.length);
      expect(Array.from(maps[i].values).every((v, j) => Math.abs(v - expected[j]) < 1e-6)).toBe(true);
    }
    x.dispose();
    model.dispose();
  });

  it('layer norms are sqrt of the summed squares; histogram counts every value', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
    expect(layerNorms(model)[0].norm).toBeCloseTo(Math.SQRT2, 6);
    const h = histogram([0, 1, 2, 3, 4], 2);
    expect(Array.from(h.counts)).toEqual([2, 3]);
    expect(() => convFeatureMaps(model, tf.zeros([1, 1, 1, 1]) as tf.Tensor4D)).toThrow('no convolution layers');
    model.dispose();
  });
});

describe('unit text alternative', () => {
  it('names the region where ink raises the unit most and where it holds it back', () => {
    const side = 6;
    const img = new Float32Array(side * side);
    img[0] = 1; // top left
    img[5 * side + 5] = -1; // bottom right
    expect(describeUnit(12, img, 0, side)).toBe('unit 12 responds most to strokes at the top left; strokes at the bottom right hold it back');
    const centre = new Float32Array(side * side);
    centre[2 * side + 3] = 0.5;
    expect(describeUnit(0, centre, 0, side)).toBe('unit 0 responds most to strokes at the centre');
  });
});
