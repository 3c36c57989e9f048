import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCharLstm } from '../../../src/engine/families/charLstm/model';
import { CharStepper } from '../../../src/engine/families/charLstm/sampler';
import { featureSeries, mostCorrelated, pearson } from '../../../src/engine/inspect/cells';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('LSTM cell view', () => {
  it('follows each cell as the model’s own LSTM layers compute it (final c of every prefix)', () => {
    const model = buildCharLstm({ kind: 'charLstm', embedding: 4, layers: 2, units: 5, dropout: 0, window: 8 }, 6, 7);
    const ids = [1, 2, 3, 4, 5, 0, 2];
    const stepper = new CharStepper(model);
    const before = tf.memory().numTensors;
    const traces = stepper.cellTrace(ids);
    // the two traces are all it leaves: its steps' tensors are freed, the state it moved on replaces the old one
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(traces.map((t) => t.shape)).toEqual([
      [7, 5],
      [7, 5],
    ]);
    const lstms = model.layers.filter((l) => l.getClassName() === 'LSTM');
    lstms.forEach((layer, i) => {
      // the reference: tfjs's own LSTM with this layer's weights and returnState, run on every prefix
      const below = model.layers[model.layers.indexOf(layer) - 1];
      const inputs = tf.model({ inputs: model.inputs, outputs: below.output as tf.SymbolicTensor });
      const reference = tf.layers.lstm({ units: 5, returnSequences: true, returnState: true, activation: 'tanh', recurrentActivation: 'sigmoid' });
      reference.apply(inputs.predict(tf.tensor2d([ids.slice(0, 1)])) as tf.Tensor3D); // builds its weights
      reference.setWeights(layer.getWeights());
      const got = traces[i].arraySync();
      for (let t = 1; t <= ids.length; t++) {
        const [, , c] = reference.apply(inputs.predict(tf.tensor2d([ids.slice(0, t)])) as tf.Tensor3D) as tf.Tensor[];
        (c.arraySync() as number[][])[0].forEach((v, u) => expect(got[t - 1][u]).toBeCloseTo(v, 5));
      }
    });
    tf.dispose(traces);
    stepper.dispose();
    expect(() => new CharStepper(model).cellTrace([])).toThrow('at least one character');
    model.dispose();
  });

  it('marks quotes, newlines, spaces and the position in the line', () => {
    const chars = Array.from('a "bc" d\ne');
    expect(Array.from(featureSeries(chars, 'quote'))).toEqual([0, 0, 1, 1, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(featureSeries(chars, 'space'))).toEqual([0, 1, 0, 0, 0, 0, 1, 0, 0, 0]);
    expect(Array.from(featureSeries(chars, 'newline'))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect(Array.from(featureSeries(chars, 'linePosition'))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 0]);
  });

  it('picks the cell with the largest |correlation|, a negative one included', () => {
    // r = 3 / sqrt(2 * 42/9) by hand for x = 1, 2, 3 and y = 1, 2, 4
    expect(pearson([1, 2, 3], [1, 2, 4])).toBeCloseTo(3 / Math.sqrt((2 * 42) / 9), 10);
    expect(pearson([1, 1, 1], [1, 2, 4])).toBe(0);
    const series = new Float32Array([0, 1, 1, 0, 1, 0]);
    // [T = 6, units = 3]: unit 0 loosely follows, unit 1 is the series upside down plus a little noise, unit 2 is noise
    const columns = [
      [0.1, 0.5, 0.2, 0.3, 0.6, 0.0],
      [0.9, -1.0, -0.95, 1.05, -1.1, 1.0],
      [0.3, -0.2, 0.4, 0.1, -0.3, 0.2],
    ];
    const cells = new Float32Array(18);
    for (let t = 0; t < 6; t++) for (let u = 0; u < 3; u++) cells[t * 3 + u] = columns[u][t];
    const { unit, correlations } = mostCorrelated(cells, 3, series);
    expect(unit).toBe(1);
    expect(correlations[1]).toBeLessThan(-0.99);
    correlations.forEach((r, u) => expect(r).toBeCloseTo(pearson(columns[u], series), 5));
    expect(() => mostCorrelated(cells, 4, series)).toThrow('Expected 6 x 4 cell values, got 18.');
  });
});
