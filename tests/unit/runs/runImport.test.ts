import 'fake-indexeddb/auto';
import * as fc from 'fast-check';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { MLP_PRESET } from '../../../src/engine/config/imageModel';
import { DEFAULT_TRAIN, TrainConfig } from '../../../src/engine/config/train';
import type { TrainEvent } from '../../../src/engine/config/events';
import type { ExportFile } from '../../../src/engine/config/results';
import { Engine } from '../../../src/engine/services/engine';
import { MemoryKeyValue } from '../../../src/engine/runs/runStore';
import { RunFileError } from '../../../src/engine/runs/runFile';
import { mnistIdxPair } from '../mnist';
import { applyByteEdits, applyJsonEdits, byteEdits, jsonEdits, loadsOrRefuses, SEED } from '../fuzz';

const files = (start: number, end: number) => {
  const { images, labels } = mnistIdxPair(start, end);
  return [
    { name: 'images', bytes: images },
    { name: 'labels', bytes: labels },
  ];
};

// 700 digits: 550 train, 50 validation; batch 64 gives 8 steps per epoch
const CONFIG: TrainConfig = { ...DEFAULT_TRAIN, epochs: 3, batchSize: 64, seed: 7, metricsEvery: 4 };

/** A session with its own empty store: another browser, or this one with its storage cleared. */
async function freshBrowser(data = files(0, 700)): Promise<Engine> {
  const session = new Engine(() => new MemoryKeyValue());
  await session.init('cpu', () => {});
  await session.loadIdxFiles(data, 50);
  return session;
}

const weightsOf = async (session: Engine) => Buffer.from((await session.exportModel('images')).weights);

/** The exported run of a session stopped after its first epoch. */
async function stoppedRunFiles(): Promise<ExportFile[]> {
  const first = await freshBrowser();
  const stopAfterEpoch1 = (e: TrainEvent) => {
    if (e.type === 'epoch' && e.point.epoch === 1) void first.stop();
  };
  expect((await first.train(MLP_PRESET, CONFIG, stopAfterEpoch1)).reason).toBe('stopped');
  return first.exportRun((await first.listRuns())[0].id);
}

let exported: ExportFile[];
beforeAll(async () => {
  exported = await stoppedRunFiles();
});

describe('run import', () => {
  it('a run exported after epoch 1 and imported into a fresh browser resumes to exactly the weights of an uninterrupted run', async () => {
    const reference = await freshBrowser();
    await reference.train(MLP_PRESET, CONFIG, () => {});
    const expected = await weightsOf(reference);
    const referenceSteps = (await reference.getRun((await reference.listRuns())[0].id)).steps;

    expect(exported.map((f) => f.name.replace(/^.*-v1/, ''))).toEqual(['.run.json', '.json', '.weights.bin']);
    const second = await freshBrowser();
    // one run already here: the imported one becomes v2
    await second.train(MLP_PRESET, { ...CONFIG, epochs: 1 }, () => {});
    const { run, note } = await second.importRun(exported);
    expect(note).toBeNull();
    expect(run).toMatchObject({ version: 2, status: 'stopped', step: 8, checkpointStep: 8, totalSteps: 24, name: 'MLP on images' });
    const events: TrainEvent[] = [];
    expect((await second.resumeRun(run.id, (e) => events.push(e))).reason).toBe('finished');
    expect(events.flatMap((e) => (e.type === 'steps' ? e.points.map((p) => p.step) : []))[0]).toBe(9);
    expect((await weightsOf(second)).equals(expected)).toBe(true);
    const record = await second.getRun(run.id);
    expect(record.steps.map((p) => p.loss)).toEqual(referenceSteps.map((p) => p.loss));
    expect(record.status).toBe('finished');
  });

  it('takes one .zip of the three files as well, and refuses to resume on other data', async () => {
    const zip = zipSync(Object.fromEntries(exported.map((f) => [`run/${f.name}`, f.bytes])));
    const other = await freshBrowser(files(1000, 1700));
    const { run } = await other.importRun([{ name: 'run.zip', bytes: zip }]);
    expect(run.version).toBe(1);
    await expect(other.resumeRun(run.id, () => {})).rejects.toThrow('with other contents is loaded; load the same dataset');
    // opened, its checkpoint becomes the page's model all the same (to evaluate or train further)
    expect((await other.openRun(run.id)).epochs).toHaveLength(1);
  });

  it('says what is missing or wrong, as a RunFileError, and stores nothing', async () => {
    const session = await freshBrowser();
    const [runJson, modelJson, weights] = exported;
    // oxlint-disable-next-line typescript/no-explicit-any -- the tests edit arbitrary parts of an exported run
    const withRun = (edit: (j: Record<string, any>) => void) => {
      const j = JSON.parse(new TextDecoder().decode(runJson.bytes));
      edit(j);
      return [{ name: runJson.name, bytes: new TextEncoder().encode(JSON.stringify(j)) }, modelJson, weights];
    };
    const cases: [ExportFile[], string | RegExp][] = [
      [[modelJson, weights], "Choose the run's NAME-vN.run.json"],
      [[runJson], /The run has a checkpoint at step 8: choose its model\.json/],
      [[runJson, modelJson], /The weights file ".*" named in model\.json was not chosen/],
      [withRun((j) => (j.train.batchSize = '64')), /\.run\.json: train\.batchSize: expected a number, got "64"\.$/],
      [withRun((j) => (j.steps[3].loss = 'x')), /\.run\.json: steps\[3\]\.loss: expected a number, got "x"\.$/],
      [withRun((j) => delete j.dataset.fingerprint), /\.run\.json: dataset\.fingerprint is missing\.$/],
      [withRun((j) => (j.train.learningRate = 50)), /\.run\.json: Learning rate must be a number above 0 and at most 10, got 50\.$/],
      [withRun((j) => (j.checkpoint.randomCalls = 1e15)), /checkpoint\.randomCalls 1000000000000000 is more draws than this run can have made/],
      [
        withRun((j) => (j.model.hidden[0].units = 32)),
        /The checkpoint's weights \(\[784, 64\] \[64\] \[64, 10\] \[10\]\) do not fit the model the run's settings build \(\[784, 32\]/,
      ],
      [[{ name: 'a.zip', bytes: Uint8Array.from([0x50, 0x4b, 3, 4, 9, 9]) }], /^a\.zip is not a readable \.zip/],
    ];
    for (const [f, message] of cases) {
      const error = await session.importRun(f).catch((e: Error) => e);
      expect(error).toBeInstanceOf(RunFileError);
      expect((error as Error).message).toMatch(message);
    }
    expect(await session.listRuns()).toEqual([]);
  });

  it('a run exported before format 2 comes in with its settings and curves, without a checkpoint, and says so', async () => {
    const session = await freshBrowser();
    const j = JSON.parse(new TextDecoder().decode(exported[0].bytes));
    j.formatVersion = 1;
    delete j.checkpoint;
    const { run, note } = await session.importRun([{ name: exported[0].name, bytes: new TextEncoder().encode(JSON.stringify(j)) }]);
    expect(note).toMatch(/^Its settings and curves were imported; its checkpoint has no optimizer state \(an export from before run format 2\)/);
    expect(run).toMatchObject({ version: 1, checkpointStep: null, step: 8 });
    expect((await session.getRun(run.id)).steps).toHaveLength(8);
  });
});

describe('run files mutated at random (fast-check)', () => {
  it('an edited .run.json, or any of the three files with bytes flipped, cut or extended: imported or a RunFileError', async () => {
    const session = await freshBrowser();
    const pixels = new Float32Array(784).fill(0.3);
    await session.train(MLP_PRESET, { ...CONFIG, epochs: 1 }, () => {});
    const before = await session.predict(pixels);
    const [runJson, ...checkpoint] = exported;
    const doc = JSON.parse(new TextDecoder().decode(runJson.bytes));
    const attempt = async (f: ExportFile[]) => {
      const out = await loadsOrRefuses(() => session.importRun(f), RunFileError);
      // an import that passed is listed; dropped again, so the store stays at the one run trained here
      if (!(out instanceof Error)) {
        expect((await session.listRuns()).map((r) => r.id)).toContain(out.run.id);
        await session.deleteRun(out.run.id);
      }
    };
    await fc.assert(
      fc.asyncProperty(jsonEdits, async (edits) => {
        await attempt([{ name: runJson.name, bytes: new TextEncoder().encode(JSON.stringify(applyJsonEdits(doc, edits))) }, ...checkpoint]);
      }),
      { seed: SEED, numRuns: 1500 },
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(2), byteEdits, async (which, edits) => {
        await attempt(exported.map((f, i) => (i === which ? { name: f.name, bytes: applyByteEdits(f.bytes, edits) } : f)));
      }),
      { seed: SEED, numRuns: 1000 },
    );
    // nothing refused was stored; the page's own model never changed
    expect((await session.listRuns()).length).toBe(1);
    expect(await session.predict(pixels)).toEqual(before);
  });
});
