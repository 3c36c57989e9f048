import { type CharLstmConfig, CHAR_PRESETS, CharPresetName, validateCharConfig } from '../../engine/config/charModel';
import {
  type CharTransformerConfig,
  TRANSFORMER_PRESETS,
  type TransformerPresetName,
  validateTransformerConfig,
} from '../../engine/config/charTransformer';
import { type CorpusOptions, validateCorpusOptions } from '../../engine/config/corpus';
import { type GenerateOptions, validateGenerateOptions } from '../../engine/config/generate';
import { type TextTrainConfig, validateTextTrainConfig } from '../../engine/config/textTrain';
import { TrainConfig, validateTrainConfig } from '../../engine/config/train';
import { callback } from '../../worker/client';
import { switchToFastestBackend } from './backendActions';
import { engine } from './engine';
import { dataUrl, downloadModelFiles, readFiles } from './files';
import { message, notify } from './notices';
import { store } from './store';
import { beginRun, runTraining } from './training';

const DEFAULT_CORPUS_NAME = 'State of the Union addresses (1981-2021)';

export async function loadDefaultText(): Promise<void> {
  store.update('text', { loading: true, error: null });
  try {
    const info = await engine.loadDefaultText(dataUrl('sotu.txt.gz'), DEFAULT_CORPUS_NAME, store.get().text.options);
    store.update('text', { info, loading: false });
    void refreshCharSummary();
  } catch (e) {
    store.update('text', { loading: false, error: message(e) });
  }
}

export async function loadTextFile(file: File): Promise<void> {
  store.update('text', { error: null });
  try {
    const info = await engine.loadText({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) }, store.get().text.options);
    store.update('text', { info });
    notify('info', `Loaded ${info.name}: ${info.chars.toLocaleString('en-US')} characters, vocabulary ${info.vocabSize}.`);
    void refreshCharSummary();
  } catch (e) {
    store.update('text', { error: message(e) });
  }
}

/** New options apply to the loaded text; if they are refused, the previous ones stay in force. */
export async function setCorpusOptions(patch: Partial<CorpusOptions>): Promise<void> {
  const options = { ...store.get().text.options, ...patch };
  const problems = validateCorpusOptions(options);
  if (problems.length) {
    store.update('text', { error: problems.join(' ') });
    return;
  }
  try {
    const info = await engine.setTextOptions(options);
    store.update('text', { info, options, error: null });
    void refreshCharSummary();
  } catch (e) {
    store.update('text', { error: message(e) });
  }
}

/** The settings of the family the next text run trains. */
function chosenCharModel(): CharLstmConfig | CharTransformerConfig {
  const t = store.get().text;
  return t.family === 'charTransformer' ? t.gpt : t.model;
}

const charProblems = (c: CharLstmConfig | CharTransformerConfig) =>
  c.kind === 'charTransformer' ? validateTransformerConfig(c) : validateCharConfig(c);

async function refreshCharSummary(): Promise<void> {
  const model = chosenCharModel();
  const problems = charProblems(model);
  if (problems.length) {
    store.update('text', { problems, summary: null });
    return;
  }
  store.update('text', { problems: [] });
  const current = () => chosenCharModel() === model; // a slow reply for an older configuration is dropped
  try {
    const summary = await engine.describeCharModel(model);
    if (current()) store.update('text', { problems: [], summary });
  } catch (e) {
    if (current()) store.update('text', { problems: [message(e)], summary: null });
  }
}

export function setCharModel(patch: Partial<CharLstmConfig>): void {
  store.update('text', (t) => ({ model: { ...t.model, ...patch }, preset: 'custom' as const }));
  void refreshCharSummary();
}

export function setCharFamily(family: 'charLstm' | 'charTransformer'): void {
  store.update('text', { family });
  void refreshCharSummary();
}

export function setTransformerModel(patch: Partial<CharTransformerConfig>): void {
  store.update('text', (t) => ({ gpt: { ...t.gpt, ...patch }, gptPreset: 'custom' as const }));
  void refreshCharSummary();
}

export function applyTransformerPreset(name: TransformerPresetName): void {
  store.update('text', { gpt: TRANSFORMER_PRESETS[name], gptPreset: name });
  void refreshCharSummary();
}

export function applyCharPreset(name: CharPresetName): void {
  store.update('text', { model: CHAR_PRESETS[name].config, preset: name });
  void refreshCharSummary();
}

export function setTextTrainConfig(patch: Partial<TrainConfig>): void {
  store.update('text', (t) => ({ config: { ...t.config, ...patch } }));
}

export function setTextOnlyConfig(patch: Partial<TextTrainConfig>): void {
  store.update('text', (t) => ({ textConfig: { ...t.textConfig, ...patch } }));
}

export async function startTextTraining(): Promise<void> {
  const { text } = store.get();
  const model = chosenCharModel();
  const problems = [...charProblems(model), ...validateTrainConfig(text.config), ...validateTextTrainConfig(text.textConfig)];
  store.update('train', { task: 'text' });
  if (problems.length) {
    store.update('train', { state: 'failed', message: problems.join(' ') });
    return;
  }
  if (!text.info) {
    store.update('train', { message: 'The text is still loading; start again once it is ready.' });
    return;
  }
  if (!store.get().continueRun.text) await switchToFastestBackend(model.kind);
  beginRun('text');
  store.update('text', { samples: [], output: '', generateError: null });
  const fromCurrent = store.get().continueRun.text;
  const ready = { source: text.info.name, vocabSize: text.info.vocabSize, config: model, options: text.options };
  await runTraining(
    (onEvent) => engine.trainText(model, text.config, text.textConfig, onEvent, fromCurrent),
    (result) => {
      if (result.reason !== 'failed' && !fromCurrent) store.update('text', { ready });
    },
  );
}

export function setGenerateOptions(patch: Partial<GenerateOptions>): void {
  store.update('text', (t) => ({ generate: { ...t.generate, ...patch } }));
}

export async function generate(): Promise<void> {
  const options = store.get().text.generate;
  const problems = validateGenerateOptions(options);
  if (problems.length) {
    store.update('text', { generateError: problems.join(' ') });
    return;
  }
  store.update('text', { output: options.seedText, generating: true, generateError: null });
  try {
    await engine.generate(
      options,
      callback((chunk: string) => store.update('text', (t) => ({ output: t.output + chunk }))),
    );
  } catch (e) {
    store.update('text', { generateError: message(e) });
  } finally {
    store.update('text', { generating: false });
  }
}

export const stopGenerating = () => engine.stopGenerating();

export async function exportCharModel(): Promise<void> {
  try {
    const files = await engine.exportModel('text');
    downloadModelFiles(files);
    store.update('text', {
      fileMessage: `Exported ${files.weightsName.replace(/\.weights\.bin$/, '')}.json and ${files.weightsName} (${files.weights.length.toLocaleString('en-US')} bytes of weights).`,
      fileError: null,
    });
  } catch (e) {
    store.update('text', { fileError: message(e), fileMessage: null });
  }
}

/** model.json and its weights file chosen together, or one .nnq file. The model in the page stays on any error. */
export async function importCharModel(files: File[]): Promise<void> {
  try {
    const info = await engine.importCharModel(await readFiles(files));
    store.update('text', {
      ready: info,
      output: '',
      fileMessage: `Loaded a ${info.config.kind === 'charTransformer' ? 'char-Transformer' : 'char-LSTM'} trained on ${info.source} (vocabulary ${info.vocabSize}).`,
      fileError: null,
    });
  } catch (e) {
    store.update('text', { fileError: message(e), fileMessage: null });
  }
}

/** Each head's attention at `position` over the generated text (if any) or the start of the validation text. */
export async function showAttention(position: number): Promise<void> {
  const { output } = store.get().text;
  try {
    const attention = await engine.charAttention(position, output.length >= 2 ? output : null);
    store.update('text', { attention, attentionError: null });
  } catch (e) {
    store.update('text', { attentionError: message(e) });
  }
}
