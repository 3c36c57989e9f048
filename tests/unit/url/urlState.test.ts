import { describe, expect, it } from 'vitest';
import { initialState, type AppState } from '../../../src/ui/store/store';
import { decodeSettings, encodeSettings } from '../../../src/ui/url/urlState';
import { CNN_PRESET } from '../../../src/engine/config/imageModel';

const decode = (query: string) => decodeSettings(new URLSearchParams(query));

function customised(): AppState {
  const s = initialState();
  return {
    ...s,
    mode: 'text',
    backend: { ...s.backend, auto: false, active: 'wasm' },
    model: {
      ...s.model,
      kind: 'cnn',
      configs: {
        mlp: {
          kind: 'mlp',
          hidden: [
            { units: 128, activation: 'tanh' },
            { units: 32, activation: 'relu' },
          ],
          dropout: 0,
        },
        cnn: { ...CNN_PRESET, blocks: [{ filters: 8, kernelSize: 3, padding: 'same', activation: 'elu', pool: 'avg' }], dropout: 0.5 },
      },
    },
    train: { ...s.train, config: { ...s.train.config, learningRate: 0.0003, batchSize: 128, lrSchedule: 'cosine', trainLimit: 5000 } },
    text: {
      ...s.text,
      model: { ...s.text.model, units: 48 },
      options: { lowercase: true, maxVocab: 60 },
      generate: { ...s.text.generate, seedText: 'Hello & good_bye? ', temperature: 0.5 },
    },
    compress: {
      ...s.compress,
      images: {
        ...s.compress.images,
        quant: { bits: 4, scheme: 'symmetric', granularity: 'tensor' },
        prune: { ...s.compress.images.prune, sparsity: 0.75, mode: 'gradual' },
      },
    },
  };
}

describe('settings in the link', () => {
  it('writes nothing for the defaults, and only the changed settings otherwise', () => {
    expect(encodeSettings(initialState()).toString()).toBe('');
    const params = encodeSettings(customised());
    expect(params.get('lr')).toBe('0.0003');
    expect(params.get('mlp')).toBe('128-tanh_32-relu');
    expect(params.get('cnn.conv')).toBe('8-3-same-elu-avg');
    expect(params.get('backend')).toBe('wasm');
    expect(params.has('epochs')).toBe(false); // still the default 15
  });

  it('reopens the same experiment from its link: every setting comes back', () => {
    const original = customised();
    const { state, problems } = decode(encodeSettings(original).toString());
    expect(problems).toEqual([]);
    expect(state.mode).toBe('text');
    expect(state.model).toEqual({ ...original.model });
    expect(state.train.config).toEqual(original.train.config);
    expect(state.text.model).toEqual(original.text.model);
    expect(state.text.preset).toBe('custom');
    expect(state.text.options).toEqual(original.text.options);
    expect(state.text.generate.seedText).toBe('Hello & good_bye? ');
    expect(state.compress.images.quant).toEqual(original.compress.images.quant);
    expect(state.compress.images.prune.sparsity).toBe(0.75);
    expect(encodeSettings({ ...state, backend: original.backend }).toString()).toBe(encodeSettings(original).toString());
  });

  it('keeps the default, with a notice naming the value and the fallback, for each value it cannot use', () => {
    const { state, problems } = decode(
      'lr=abc&epochs=0&mlp=64-foo&cnn.conv=6-30-valid-relu-max&tab=charts&backend=quantum&zoom=2&testHooks=1&storage=off&batch=32',
    ); // (testHooks and storage: the page's own, no notice)
    expect(state.train.config.learningRate).toBe(0.001);
    expect(state.train.config.epochs).toBe(15);
    expect(state.train.config.batchSize).toBe(32); // a good value beside bad ones is still used
    expect(state.model.configs.mlp).toEqual(initialState().model.configs.mlp);
    expect(state.model.configs.cnn).toEqual(CNN_PRESET);
    expect(state.mode).toBe('images');
    expect(problems).toEqual([
      `The link's learning rate "abc" is not valid; using 0.001.`,
      `The link's epochs "0" was ignored: Epochs must be a whole number from 1 to 1000, got 0. Using 15.`,
      `The link's MLP hidden layers "64-foo" is not valid; using 64-relu.`,
      `The link's CNN conv blocks "6-30-valid-relu-max" was ignored: Conv block 1: kernel size must be a whole number from 1 to 28, got 30. Using 6-5-same-relu-max_16-5-valid-relu-max.`,
      `The link's tab "charts" is not valid; using images.`,
      'The link asks for backend "quantum", which is not one of webgpu, webgl, wasm, cpu; the fastest backend is chosen instead.',
      `The link's setting "zoom" is unknown here (perhaps from an older version) and was ignored.`,
    ]);
  });

  it('recognises a char-LSTM preset from its settings', () => {
    expect(decode('t.emb=64&t.layers=2&t.units=256&t.dropout=0.1&t.window=100').state.text.preset).toBe('medium');
    expect(decode('t.units=100').state.text.preset).toBe('custom');
    expect(decode('').state.text.preset).toBe('small');
  });

  it('carries the char model picked and the Transformer settings (preset or custom numbers), checked by the engine', () => {
    const s = initialState();
    const custom: AppState = {
      ...s,
      text: {
        ...s.text,
        family: 'charTransformer',
        gptPreset: 'custom',
        gpt: { ...s.text.gpt, layers: 3, heads: 2, width: 48, dropout: 0.1, tied: false },
      },
    };
    const link = encodeSettings(custom);
    expect(Object.fromEntries(link)).toEqual({ 't.family': 'charTransformer', 't.gpt': '3-2-48-64-0.1-untied' });
    const back = decode(link.toString());
    expect(back.problems).toEqual([]);
    expect(back.state.text.family).toBe('charTransformer');
    expect(back.state.text.gpt).toEqual(custom.text.gpt);
    expect(back.state.text.gptPreset).toBe('custom');
    expect(decode('t.family=charTransformer&t.gpt=4-4-128-128-0-tied').state.text.gptPreset).toBe('small');
    expect(decode('t.family=charTransformer').state.text.gptPreset).toBe('tiny');

    const bad = decode('t.family=rnn&t.gpt=2-3-64-64-0-tied&t.gpt=2-4-64&t.gpt=2-4-64-64-1-tied');
    expect(bad.state.text.family).toBe('charLstm');
    expect(bad.state.text.gpt).toEqual(s.text.gpt);
    expect(bad.problems).toEqual([
      `The link's char model "rnn" is not valid; using charLstm.`,
      `The link's Transformer settings "2-3-64-64-0-tied" was ignored: Width must be a multiple of the number of heads (3), got 64. Using 2-4-64-64-0-tied.`,
      `The link's Transformer settings "2-4-64" is not valid; using 2-4-64-64-0-tied.`,
      `The link's Transformer settings "2-4-64-64-1-tied" was ignored: Dropout must be from 0 up to (not including) 1, got 1. Using 2-4-64-64-0-tied.`,
    ]);
  });

  it('carries the colour theme: only a chosen one, and an unknown one keeps "system"', () => {
    expect(encodeSettings(initialState()).has('theme')).toBe(false);
    expect(encodeSettings({ ...initialState(), theme: 'dark' }).get('theme')).toBe('dark');
    expect(decode('theme=light').state.theme).toBe('light');
    const bad = decode('theme=purple');
    expect(bad.state.theme).toBe('system');
    expect(bad.problems).toHaveLength(1);
  });
});
