import * as tf from '@tensorflow/tfjs';
import * as fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../../src/engine/families/images/model';
import { buildCharLstm } from '../../../src/engine/families/charLstm/model';
import { CNN_PRESET, MLP_PRESET } from '../../../src/engine/config/imageModel';
import { exportModel, importModel, ModelFileError } from '../../../src/engine/io/modelFiles';
import { parseModelJson } from '../../../src/engine/io/modelJson';
import { topologySize } from '../../../src/engine/io/topologySize';
import { applyByteEdits, applyJsonEdits, byteEdits, jsonEdits, loadsOrRefuses, SEED } from '../fuzz';

type Files = { json: string; weights: Uint8Array; name: string };

async function exported(model: tf.LayersModel): Promise<Files> {
  const f = await exportModel(model, 'm', { kind: 'images', dataset: 'mnist' });
  model.dispose();
  return { json: f.modelJson, weights: f.weights, name: f.weightsName };
}

const load = (json: string, weights: Uint8Array, name = 'm.weights.bin') => importModel(json, [{ name, bytes: weights }]);

// oxlint-disable-next-line typescript/no-explicit-any -- the tests edit arbitrary parts of an exported model.json
type Edit = (j: Record<string, any>) => void;

/** model.json with one edit made to its parsed form. */
const edited = (f: Files, edit: Edit) => {
  const j = JSON.parse(f.json);
  edit(j);
  return JSON.stringify(j);
};

let mlp: Files;
let cnn: Files;
let lstm: Files;

beforeAll(async () => {
  await tf.setBackend('cpu');
  mlp = await exported(buildModel({ kind: 'mlp', hidden: [{ units: 8, activation: 'relu' }], dropout: 0.2 }, 1));
  cnn = await exported(
    buildModel({ ...CNN_PRESET, blocks: [{ filters: 2, kernelSize: 3, padding: 'valid', activation: 'relu', pool: 'max' }], dense: [] }, 1),
  );
  lstm = await exported(buildCharLstm({ kind: 'charLstm', embedding: 4, layers: 2, units: 6, dropout: 0.1, window: 8 }, 12, 1));
});

describe('model.json is checked against its schema before tfjs sees it', () => {
  it('each damage reported from the field says which field and what was expected, as a ModelFileError', async () => {
    const cases: [Edit, string][] = [
      [(j) => delete j.weightsManifest[0].paths, 'model.json: weightsManifest[0].paths is missing.'],
      [(j) => (j.weightsManifest[0].weights = null), 'model.json: weightsManifest[0].weights: expected an array, got null.'],
      [(j) => (j.weightsManifest[0].weights[0].shape = 784), 'model.json: weightsManifest[0].weights[0].shape: expected an array, got 784.'],
      [(j) => (j.weightsManifest[0].paths[0] = 7), 'model.json: weightsManifest[0].paths[0]: expected a string, got 7.'],
      [(j) => (j.weightsManifest[0].weights[1] = null), 'model.json: weightsManifest[0].weights[1]: expected an object, got null.'],
      [(j) => (j.weightsManifest = [null]), 'model.json: weightsManifest[0]: expected an object, got null.'],
      [
        (j) => (j.weightsManifest[0].weights[0].dtype = 'float64'),
        'model.json: weightsManifest[0].weights[0].dtype: expected one of "float32", "int32", "bool", got "float64".',
      ],
      [
        (j) => (j.weightsManifest[0].weights[0].shape[1] = -8),
        'model.json: weightsManifest[0].weights[0].shape[1]: expected a whole number of at least 0, got -8.',
      ],
      [
        (j) => (j.modelTopology.config.layers[1].config.units = 2.5),
        'model.json: modelTopology.config.layers[1].config.units: expected a whole number, got 2.5.',
      ],
      [
        (j) => (j.modelTopology.config.layers = 'all'),
        'model.json: modelTopology.config: expected an array of layers or an object with "layers", got Object.',
      ],
      [(j) => (j.userDefinedMetadata = []), 'model.json: userDefinedMetadata: expected an object, got Array.'],
    ];
    for (const [edit, message] of cases) {
      const error = await load(edited(mlp, edit), mlp.weights).catch((e: Error) => e);
      expect(error).toBeInstanceOf(ModelFileError);
      expect((error as Error).message).toBe(message);
    }
  });

  it('counts parameters from the JSON alone exactly as tfjs does, for every model the page builds', async () => {
    const models = [
      buildModel(MLP_PRESET, 1),
      buildModel(CNN_PRESET, 1),
      buildModel({ ...CNN_PRESET, blocks: [{ filters: 4, kernelSize: 3, padding: 'same', activation: 'elu', pool: 'avg' }] }, 1),
      buildCharLstm({ kind: 'charLstm', embedding: 16, layers: 3, units: 20, dropout: 0.2, window: 8 }, 40, 1),
    ];
    for (const m of models) {
      const { modelTopology } = parseModelJson(JSON.parse((await exportModel(m, 'm', {})).modelJson), (s) => new ModelFileError(s));
      expect(topologySize(modelTopology, (s) => new ModelFileError(s))).toEqual({ parameters: m.countParams(), bytes: 4 * m.countParams() });
      m.dispose();
    }
  });

  it('refuses a topology above the limit with its figures, before tfjs allocates anything', async () => {
    const before = tf.memory();
    const huge = edited(mlp, (j) => (j.modelTopology.config.layers[1].config.units = 1_000_000));
    await expect(load(huge, mlp.weights)).rejects.toThrow(
      new ModelFileError('This model has 795,000,010 parameters and needs 3.2 GB for its weights; the limit is 1 GB in a browser tab.'),
    );
    const embedding = edited(lstm, (j) => (j.modelTopology.config.layers[0].config.input_dim = 2 ** 40));
    await expect(load(embedding, lstm.weights)).rejects.toThrow(/^This model has 4,398,046,511,764 parameters and needs 17592\.2 GB/);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it('names a layer it cannot size, and a layer whose input size is unknown', async () => {
    await expect(
      load(
        edited(cnn, (j) => (j.modelTopology.config.layers[0].class_name = 'Conv3D')),
        cnn.weights,
      ),
    ).rejects.toThrow(/^model\.json: modelTopology\.config\.layers\[0\]: uses a layer this page does not know: Conv3D \(it reads InputLayer, /);
    await expect(
      load(
        edited(mlp, (j) => delete j.modelTopology.config.layers[0].config.batch_input_shape),
        mlp.weights,
      ),
    ).rejects.toThrow("model.json: modelTopology.config.layers[0]: the first layer has no batch_input_shape; the model's input size is not known.");
  });
});

describe('model.json and weights, mutated at random (fast-check)', () => {
  const property = (files: () => Files) =>
    fc.asyncProperty(jsonEdits, fc.option(byteEdits, { nil: undefined }), async (edits, weightEdits) => {
      const f = files();
      const json = JSON.stringify(applyJsonEdits(JSON.parse(f.json), edits));
      const weights = weightEdits ? applyByteEdits(f.weights, weightEdits) : f.weights;
      const out = await loadsOrRefuses(() => load(json, weights, f.name), ModelFileError);
      if (!(out instanceof Error)) out.model.dispose();
    });

  it('JSON values replaced by other types and keys dropped: each load either works or is a ModelFileError', async () => {
    const tensors = tf.memory().numTensors;
    await fc.assert(
      property(() => mlp),
      { seed: SEED, numRuns: 1500 },
    );
    await fc.assert(
      property(() => cnn),
      { seed: SEED, numRuns: 700 },
    );
    await fc.assert(
      property(() => lstm),
      { seed: SEED, numRuns: 700 },
    );
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('model.json bytes flipped, cut and extended: a ModelFileError or a load, never another error', async () => {
    const tensors = tf.memory().numTensors;
    await fc.assert(
      fc.asyncProperty(byteEdits, async (edits) => {
        const bytes = applyByteEdits(new TextEncoder().encode(mlp.json), edits, 400);
        const out = await loadsOrRefuses(() => load(new TextDecoder().decode(bytes), mlp.weights), ModelFileError);
        if (!(out instanceof Error)) out.model.dispose();
      }),
      { seed: SEED, numRuns: 1000 },
    );
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
