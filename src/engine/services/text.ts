import { type CharLstmConfig, type CharLstmMetadata, validateCharConfig } from '../config/charModel';
import type { AttentionView, CharTransformerConfig, CharTransformerMetadata } from '../config/charTransformer';
import type { CorpusInfo, CorpusOptions } from '../config/corpus';
import type { NamedBytes } from '../config/data';
import type { TrainEvent, TrainResult } from '../config/events';
import type { GenerateOptions } from '../config/generate';
import type { ModelSummary } from '../config/results';
import type { TextTrainConfig } from '../config/textTrain';
import type { TrainConfig } from '../config/train';
import { fetchBytes } from '../data/fetchBytes';
import { maybeGunzip } from '../data/idx';
import { checkCharLstmMemory } from '../families/charLstm/footprint';
import { buildCharLstm } from '../families/charLstm/model';
import { generateText } from '../families/charLstm/sampler';
import { textTask } from '../families/charLstm/task';
import { buildCharTransformerModel, transformerWeights } from '../families/charTransformer/layer';
import { attentionReport } from '../families/charTransformer/attention';
import { transformerSummary } from '../families/charTransformer/summary';
import { splitPoint } from '../families/charLstm/task';
import { charTransformerTask } from '../families/charTransformer/task';
import { generateTransformerText } from '../families/charTransformer/train';
import type { TrainTask } from '../train/trainer';
import type * as tf from '@tensorflow/tfjs';
import { summarize } from '../models/summary';
import { textIdentity } from '../runs/identity';
import type { RunRecorder } from '../runs/recorder';
import { buildCorpus, decodeText, TextError } from '../text/corpus';
import { Trainer } from '../train/trainer';
import type { Workspace } from './workspace';

const NO_TEXT = 'No text is loaded yet; wait for the default corpus or choose a text file.';

/** The text family's page calls: the corpus, the char-LSTM's summary, training and generation. */
export class TextService {
  constructor(private readonly ws: Workspace) {}

  /** A user's text file: on any problem the current corpus stays and the error says what to do. */
  async loadText(file: NamedBytes, options: CorpusOptions): Promise<CorpusInfo> {
    return this.ws.exclusive('loading a text', async () => this.use(decodeText(file.bytes, file.name), file.name, file.bytes.length, options), {
      whileTraining: 'Stop training before loading another text.',
      error: TextError,
      hold: false,
    });
  }

  /** The bundled default corpus (gzip, from our own origin). */
  async loadDefaultText(url: string, name: string, options: CorpusOptions): Promise<CorpusInfo> {
    const gz = await fetchBytes(url, () => {});
    const bytes = await maybeGunzip(gz, name); // a server may already have decoded it (Content-Encoding: gzip)
    return this.use(decodeText(bytes, name), name, bytes.length, options);
  }

  /** Re-reads the current text with other options (lowercase, vocabulary cap). */
  async setTextOptions(options: CorpusOptions): Promise<CorpusInfo> {
    const text = this.ws.text;
    if (!text) throw new TextError('Load a text first.');
    return this.ws.exclusive('changing the text options', async () => this.use(text.raw, text.name, text.bytes, options), {
      whileTraining: 'Stop training before changing the text options.',
      error: TextError,
      hold: false,
    });
  }

  private use(raw: string, name: string, bytes: number, options: CorpusOptions): CorpusInfo {
    const corpus = buildCorpus(raw, name, bytes, options); // throws before anything is replaced
    this.ws.useText({ raw, name, bytes, corpus });
    return corpus.info;
  }

  async describeCharModel(config: CharLstmConfig | CharTransformerConfig): Promise<ModelSummary> {
    const vocab = this.ws.text?.corpus.info.vocabSize ?? 100;
    if (config.kind === 'charTransformer') return transformerSummary(config, vocab);
    const model = buildCharLstm(config, vocab, 0);
    try {
      return summarize(model, 'charLstm');
    } finally {
      model.dispose();
    }
  }

  async trainText(
    modelConfig: CharLstmConfig | CharTransformerConfig,
    config: TrainConfig,
    textConfig: TextTrainConfig,
    onEvent: (e: TrainEvent) => void,
    fromCurrent = false,
  ): Promise<TrainResult> {
    return this.ws.exclusive(
      'training',
      async () => {
        if (!this.ws.text) throw new TextError(NO_TEXT);
        return fromCurrent ? this.continueText(config, textConfig, onEvent) : this.start(modelConfig, config, textConfig, onEvent);
      },
      { whileTraining: 'Training is already running; stop it first.', whileGenerating: 'Stop generating text before training.', hold: false },
    );
  }

  private start(
    modelConfig: CharLstmConfig | CharTransformerConfig,
    config: TrainConfig,
    textConfig: TextTrainConfig,
    onEvent: (e: TrainEvent) => void,
  ) {
    const { ws } = this;
    const { corpus, name } = ws.text!;
    // before anything is allocated (a config the builder refuses gets its own message there)
    if (modelConfig.kind === 'charLstm' && !validateCharConfig(modelConfig).length)
      checkCharLstmMemory(modelConfig, corpus.info.vocabSize, config.batchSize);
    const data = ws.textData();
    ws.textTrain = textConfig;
    const model =
      modelConfig.kind === 'charTransformer'
        ? buildCharTransformerModel(modelConfig, corpus.info.vocabSize, config.seed)
        : buildCharLstm(modelConfig, corpus.info.vocabSize, config.seed);
    let trainer: Trainer;
    let recorder: RunRecorder;
    try {
      const task = this.task(model, modelConfig, config, textConfig);
      recorder = this.newRun(modelConfig, config, textConfig, task.stepsPerEpoch);
      trainer = new Trainer(task, config, recorder.listen(onEvent), recorder.hooks(model, null));
    } catch (e) {
      model.dispose();
      throw e;
    }
    ws.charModel?.model.dispose();
    ws.charModel = {
      model,
      vocab: data.vocab,
      meta: { kind: modelConfig.kind, vocab: corpus.vocab, options: corpus.info.options, config: modelConfig, corpus: name } as
        CharLstmMetadata | CharTransformerMetadata,
    };
    return ws.runTrainer(trainer, ws.keeper.activeRun(recorder, model, config, onEvent));
  }

  /** The training task of either char family on the loaded text. */
  private task(
    model: tf.LayersModel,
    modelConfig: CharLstmConfig | CharTransformerConfig,
    config: TrainConfig,
    textConfig: TextTrainConfig,
  ): TrainTask {
    const data = this.ws.textData();
    return modelConfig.kind === 'charTransformer'
      ? charTransformerTask(transformerWeights(model), data, config, textConfig)
      : textTask(model, data, modelConfig.window, config, textConfig);
  }

  /** A char model's run record: its settings and family (modelKind), the vocabulary its ids mean and the text it reads. */
  private newRun(
    modelConfig: CharLstmConfig | CharTransformerConfig,
    config: TrainConfig,
    textConfig: TextTrainConfig,
    stepsPerRound: number,
  ): RunRecorder {
    const { corpus } = this.ws.text!;
    return this.ws.keeper.newRun({
      task: 'text',
      modelKind: modelConfig.kind,
      model: modelConfig,
      topology: null,
      train: config,
      text: textConfig,
      vocab: { chars: corpus.vocab, options: corpus.info.options },
      dataset: textIdentity(corpus),
      totalSteps: stepsPerRound * config.epochs,
    });
  }

  /** More training for the current char-LSTM (trained here or loaded) on the current text, same vocabulary. */
  private continueText(config: TrainConfig, textConfig: TextTrainConfig, onEvent: (e: TrainEvent) => void): Promise<TrainResult> {
    const { ws } = this;
    const current = ws.charModel;
    if (!current) throw new Error('There is no trained or loaded char model to continue; start a new run instead.');
    if (current.meta.kind === 'charLstm') checkCharLstmMemory(current.meta.config, current.meta.vocab.length, config.batchSize);
    const { corpus } = ws.text!;
    if (current.meta.vocab.length !== corpus.vocab.length || current.meta.vocab.some((c, i) => c !== corpus.vocab[i])) {
      throw new TextError(
        `The current model's vocabulary (${current.meta.vocab.length} characters, from ${current.meta.corpus}) differs from this text's; load that text with the same options, or start a new run.`,
      );
    }
    const task = this.task(current.model, current.meta.config, config, textConfig);
    const recorder = this.newRun(current.meta.config, config, textConfig, task.stepsPerEpoch);
    const trainer = new Trainer(task, config, recorder.listen(onEvent), recorder.hooks(current.model, null));
    ws.textTrain = textConfig;
    return ws.runTrainer(trainer, ws.keeper.activeRun(recorder, current.model, config, onEvent));
  }

  async generate(options: GenerateOptions, onChunk: (text: string) => void): Promise<string> {
    const { ws } = this;
    const current = ws.charModel;
    if (!current) throw new Error('Train or load a char model first; then generate.');
    return ws.exclusive(
      'generating',
      async () => {
        ws.generating = true;
        ws.stopGeneration = false;
        try {
          const stop = () => ws.stopGeneration;
          return current.meta.kind === 'charTransformer'
            ? await generateTransformerText(transformerWeights(current.model), current.vocab, options, onChunk, stop)
            : await generateText(current.model, current.vocab, options, onChunk, stop);
        } finally {
          ws.generating = false;
        }
      },
      {
        whileTraining: 'Wait for training to finish (or stop it) before generating.',
        whileGenerating: 'Text is already being generated; stop it first.',
        hold: false,
      },
    );
  }

  /**
   * Each head's attention at `position` over a passage (the given text, else the start of the validation part),
   * cut to the model's context, with the per-character loss along it.
   */
  async attention(position: number, passage: string | null): Promise<AttentionView> {
    const current = this.ws.charModel;
    if (current?.meta.kind !== 'charTransformer') throw new Error('Train or load a char-Transformer first; the attention view shows its heads.');
    const context = current.meta.config.context;
    let ids: number[];
    if (passage) ids = Array.from(passage).map((ch) => current.vocab.index.get(ch) ?? 0);
    else {
      const text = this.ws.text;
      if (!text) throw new TextError(NO_TEXT);
      const from = splitPoint(text.corpus.ids.length, this.ws.textTrain.valFraction);
      ids = Array.from(text.corpus.ids.subarray(from, from + context));
    }
    ids = ids.slice(0, context);
    if (ids.length < 2) throw new TextError('The passage needs at least 2 characters.');
    const at = Math.min(Math.max(0, Math.round(position)), ids.length - 1);
    const report = attentionReport(transformerWeights(current.model), ids, at);
    return { chars: ids.map((id) => current.vocab.chars[id]), position: at, ...report };
  }

  async stopGenerating(): Promise<void> {
    this.ws.stopGeneration = true;
  }
}
