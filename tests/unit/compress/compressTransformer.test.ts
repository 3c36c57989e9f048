import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { CharTransformerConfig } from '../../../src/engine/config/charTransformer';
import type { TrainEvent } from '../../../src/engine/config/events';
import { DEFAULT_TEXT_TRAIN } from '../../../src/engine/config/textTrain';
import { DEFAULT_TRAIN } from '../../../src/engine/config/train';
import { Engine } from '../../../src/engine/services/engine';
import { sotuBytes } from '../mnist';

describe('compressing a char-Transformer (cpu)', () => {
  it("quantizes and prunes it (one-shot and while fine-tuning, the blocks' matrices only), measures validation nats per character, exports a variant and loads it back", async () => {
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
    expect(pruned.sparsity).toBeCloseTo(0.9, 3);
    // measured again on the pruned weights (two rounds in, the model is near the unigram loss either way)
    expect(pruned.metric).not.toBe(base.metric);
    expect(pruned.metric).toBeLessThan(Math.log(120));
    // the family's prunable matrices: the blocks' four, never the embeddings (wte is the tied head too)
    const sparsityOf = (v: typeof pruned, weight: string) => v.layers.find((l) => l.name.endsWith(`/${weight}`))!.sparsity;
    expect(sparsityOf(pruned, 'wte')).toBe(0);
    expect(sparsityOf(pruned, 'wpe')).toBe(0);

    // gradual: 60% per matrix, reached while fine-tuning one round (20 steps, masks at steps 0 and 10)
    const events: TrainEvent[] = [];
    const tensorsBefore = tf.memory().numTensors;
    const gradual = { sparsity: 0.6, scope: 'layer' as const, includeBiases: false };
    const tuned = await session.pruneVariant(
      'text',
      0,
      gradual,
      { ...gradual, epochs: 1, updates: 2 },
      { ...DEFAULT_TRAIN, learningRate: 0.01, batchSize: 8 },
      (e) => events.push(e),
    );
    expect(tf.memory().numTensors).toBe(tensorsBefore); // the fine-tuning model, masks and AdamW's moments are freed
    expect(tuned.label).toBe('pruned 60% layer (gradual, 1 rounds)');
    // round(0.6 n) of each matrix's n weights: 32x96, 32x32, 32x128, 128x32
    for (const [m, n] of [
      ['h0.attn.w', 3072],
      ['h0.proj.w', 1024],
      ['h0.fc.w', 4096],
      ['h0.fc2.w', 4096],
    ] as const)
      expect(sparsityOf(tuned, m)).toBe(Math.round(0.6 * n) / n);
    expect(sparsityOf(tuned, 'wte')).toBe(0);
    expect(tuned.sparsity).toBeCloseTo(0.6, 3);
    const rounds = events.flatMap((e) => (e.type === 'epoch' ? [e.point] : []));
    expect(rounds).toHaveLength(1);
    expect(rounds[0].valLoss).toBeGreaterThan(1); // validation nats/char of the fine-tuned, pruned model
    expect(rounds[0].valLoss).toBeLessThan(Math.log(120));
    expect(tuned.metric).toBeGreaterThan(1);
    expect(tuned.metric).toBeLessThan(Math.log(120));
    const files = await session.exportVariant('text', int8.id);
    const nnq = files.find((f) => f.name.endsWith('.nnq'))!;
    expect(nnq.name).toMatch(/^char-gpt-/);
    const options = { seedText: 'We ', length: 30, temperature: 0.5, topK: 0, seed: 3 };
    const info = await session.importCharModel([nnq]);
    expect(info.config).toEqual(gpt);
    expect(await session.generate(options, () => {})).toHaveLength(30);
  }, 120_000);
});
