import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/services/engine';
import { DEFAULT_TRAIN, TrainConfig } from '../../../src/engine/config/train';
import { DEFAULT_CORPUS_OPTIONS } from '../../../src/engine/config/corpus';
import { type CharTransformerConfig, transformerParamCount } from '../../../src/engine/config/charTransformer';
import { DEFAULT_TEXT_TRAIN, TextTrainConfig } from '../../../src/engine/config/textTrain';
import type { TrainEvent } from '../../../src/engine/config/events';
import { sotuBytes } from '../mnist';

const GPT: CharTransformerConfig = { kind: 'charTransformer', layers: 1, heads: 2, width: 16, context: 16, dropout: 0, tied: true };
// with dropout: the masks after a resume must be the ones an uninterrupted run draws
const DROPPY: CharTransformerConfig = { ...GPT, dropout: 0.1 };
const CONFIG: TrainConfig = { ...DEFAULT_TRAIN, optimizer: 'adam', learningRate: 0.01, batchSize: 8, epochs: 3, seed: 11, metricsEvery: 2 };
const TEXT: TextTrainConfig = { ...DEFAULT_TEXT_TRAIN, evalEvery: 4, sampleLength: 12, maxValWindows: 16 };

async function textSession(): Promise<Engine> {
  const session = new Engine();
  await session.init('cpu', () => {});
  await session.loadText({ name: 'jfk-1961.txt', bytes: sotuBytes() }, DEFAULT_CORPUS_OPTIONS);
  return session;
}

/** The char-Transformer through the worker's services, as the page drives the char-LSTM (Node, cpu). */
describe('char-Transformer through the text service', () => {
  it('trains with the LSTM events, records its family, exports, imports, generates, shows attention and continues', async () => {
    const session = await textSession();
    const summary = await session.describeCharModel(GPT);
    const vocab = (summary.layers.at(-1)!.outputShape.at(-1) ?? 0) as number;
    expect(summary.totalParams).toBe(transformerParamCount(GPT, vocab));
    expect(summary.layers.map((l) => l.name)).toEqual(['embeddings', 'block 0', 'final norm + head']);

    const events: TrainEvent[] = [];
    const result = await session.trainText(GPT, CONFIG, TEXT, (e) => events.push(e));
    expect(result.reason).toBe('finished');
    expect(result.steps).toBe(12);
    const epochs = events.flatMap((e) => (e.type === 'epoch' ? [e.point] : []));
    expect(epochs.map((p) => p.epoch)).toEqual([1, 2, 3]);
    expect(epochs.every((p) => Number.isFinite(p.valLoss) && p.valLoss > 0)).toBe(true);
    expect(epochs[2].valLoss).toBeLessThan(Math.log(vocab)); // better than uniform after 12 steps
    const samples = events.flatMap((e) => (e.type === 'sample' ? [e.text] : []));
    expect(samples).toHaveLength(3);
    expect(events.some((e) => e.type === 'steps')).toBe(true);

    const [run] = await session.listRuns();
    expect(run).toMatchObject({ task: 'text', modelKind: 'charTransformer', checkpointStep: 12, metric: { name: 'validation nats/char' } });
    expect(run.name).toContain('Transformer');

    const files = await session.exportModel('text');
    expect(files.weightsName).toMatch(/^char-gpt-/);
    expect(files.modelJson).toContain('"class_name":"CharGpt"');

    const fresh = await textSession();
    const info = await fresh.importCharModel([
      { name: 'model.json', bytes: new TextEncoder().encode(files.modelJson) },
      { name: files.weightsName, bytes: files.weights },
    ]);
    expect(info.config).toEqual(GPT);
    const options = { seedText: 'The ', length: 30, temperature: 0.8, topK: 5, seed: 3 };
    const a = await session.generate(options, () => {});
    const b = await fresh.generate(options, () => {});
    expect(a).toHaveLength(30);
    expect(b).toBe(a); // same weights, same seed: same text

    const view = await fresh.charAttention(10, null);
    expect(view.chars).toHaveLength(16);
    expect(view.position).toBe(10);
    expect(view.weights).toHaveLength(1);
    expect(view.weights[0]).toHaveLength(2);
    for (const row of view.weights[0]) {
      expect(row.slice(0, 11).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      expect(row.slice(11).every((v) => v === 0)).toBe(true);
    }
    expect(view.losses).toHaveLength(15);

    const more = await fresh.trainText(GPT, { ...CONFIG, epochs: 1 }, TEXT, () => {}, true);
    expect(more.reason).toBe('finished');
    const after = await fresh.exportModel('text');
    expect(Buffer.from(after.weights).equals(Buffer.from(files.weights))).toBe(false);
  }, 120_000);

  it('a run stopped after round 1 resumes (AdamW state checkpointed, dropout masks by step) to exactly the weights of an uninterrupted one', async () => {
    const reference = await textSession();
    expect((await reference.trainText(DROPPY, CONFIG, { ...TEXT, sampleLength: 0 }, () => {})).reason).toBe('finished');
    const expected = (await reference.exportModel('text')).weights;
    const first = await textSession();
    const stop = (e: TrainEvent) => {
      if (e.type === 'epoch' && e.point.epoch === 1) void first.stop();
    };
    expect((await first.trainText(DROPPY, { ...CONFIG }, { ...TEXT, sampleLength: 0 }, stop)).reason).toBe('stopped');
    const [run] = await first.listRuns();
    expect(run).toMatchObject({ modelKind: 'charTransformer', checkpointStep: 4 });
    const second = await textSession();
    const result = await second.resumeRun(run.id, () => {});
    expect(result.reason).toBe('finished');
    expect(result.steps).toBe(12);
    const resumed = await second.exportModel('text');
    expect(resumed.modelJson).toContain('"class_name":"CharGpt"');
    expect(Buffer.from(resumed.weights).equals(Buffer.from(expected))).toBe(true);
  }, 120_000);
});
