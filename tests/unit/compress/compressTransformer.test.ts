import { describe, expect, it } from 'vitest';
import type { CharTransformerConfig } from '../../../src/engine/config/charTransformer';
import { DEFAULT_TEXT_TRAIN } from '../../../src/engine/config/textTrain';
import { DEFAULT_TRAIN } from '../../../src/engine/config/train';
import { Engine } from '../../../src/engine/services/engine';
import { sotuBytes } from '../mnist';

describe('compressing a char-Transformer (cpu)', () => {
  it('quantizes and prunes it, measures validation nats per character, exports a variant and loads it back', async () => {
    const session = new Engine();
    await session.init('cpu', () => {});
    await session.loadText({ name: 'jfk.txt', bytes: sotuBytes() }, { lowercase: false, maxVocab: 0 });
    const gpt: CharTransformerConfig = { kind: 'charTransformer', layers: 1, heads: 2, width: 32, context: 16, dropout: 0, tied: true };
    const textConfig = { ...DEFAULT_TEXT_TRAIN, evalEvery: 20, sampleLength: 0, maxValWindows: 32 };
    await session.trainText(gpt, { ...DEFAULT_TRAIN, learningRate: 0.01, epochs: 2, batchSize: 16 }, textConfig, () => {});
    const state = await session.compressStart('text');
    expect(state.metric).toEqual({ name: 'validation nats/char', higherIsBetter: false });
    const base = state.variants[0];
    expect(base.metric).toBeGreaterThan(1);
    expect(base.metric).toBeLessThan(Math.log(120));
    const int8 = await session.quantizeVariant('text', 0, { bits: 8, scheme: 'symmetric', granularity: 'channel' });
    expect(Math.abs(int8.metric - base.metric)).toBeLessThan(0.05);
    expect(int8.layers.map((l) => l.name).some((n) => /h0\.attn\.w/.test(n))).toBe(true);
    const pruned = await session.pruneVariant('text', 0, { sparsity: 0.9, scope: 'global', includeBiases: false }, null, DEFAULT_TRAIN, () => {});
    expect(pruned.sparsity).toBeGreaterThan(0.85);
    expect(pruned.metric).toBeGreaterThan(base.metric); // 90% of the weights gone costs loss
    const files = await session.exportVariant('text', int8.id);
    const nnq = files.find((f) => f.name.endsWith('.nnq'))!;
    expect(nnq.name).toMatch(/^char-gpt-/);
    const options = { seedText: 'We ', length: 30, temperature: 0.5, topK: 0, seed: 3 };
    const info = await session.importCharModel([nnq]);
    expect(info.config).toEqual(gpt);
    expect(await session.generate(options, () => {})).toHaveLength(30);
  }, 120_000);
});
