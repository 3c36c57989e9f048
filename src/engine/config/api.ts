/** The one typed contract between the page and the engine (the worker exposes it through comlink). */
import type { BackendName, BackendState } from './backends';
import type { CellChoice, CellView, DigitView, ImageWeightsView, SaliencyMethod, TextSurpriseView, TrainingHealthView } from './inspect';
import type { DatasetInfo, NamedBytes } from './data';
import type { ModelConfig } from './imageModel';
import type { TrainConfig } from './train';
import type { TrainEvent, TrainResult } from './events';
import type { CorpusInfo, CorpusOptions } from './corpus';
import type { CharLstmConfig } from './charModel';
import type { AttentionView, CharTransformerConfig } from './charTransformer';
import type { TextTrainConfig } from './textTrain';
import type { GenerateOptions } from './generate';
import type { EvaluationResult, ExportFile, ModelFiles, ModelSummary } from './results';
import type { CompressState, DistillOptions, GradualOptions, Histogram, PruneOptions, QuantSpec, VariantInfo, VariantOutputs } from './compress';
import type {
  AdamCheck,
  ApplyModelCheck,
  BenchEnvironment,
  ImageSpeed,
  LstmCheck,
  TransformerCheck,
  MatMulCheck,
  MatmulRates,
  PatchConvCheck,
  SpeedResult,
  TimeToAccuracy,
} from './diagnostics';
import type { ImportedRun, RunRecord, RunSummary, StorageStatus } from './runs';

/** The two model families the page trains; API calls that act on "the current model" say which. */
export type Which = 'images' | 'text';

export type ModelKind = 'mlp' | 'cnn' | 'charLstm' | 'charTransformer';

/** What the page asks of the engine at start: test hooks (?testHooks=1) and whether runs are kept (?storage=off). */
export interface SessionOptions {
  testHooks?: boolean;
  keepRuns?: boolean;
}

/** One backend's training speed for a model kind (items: samples, or predicted characters), or why it failed. */
export interface BackendTiming {
  backend: BackendName;
  itemsPerSec?: number;
  error?: string;
}

/** A background measurement: `interrupted` when another job stopped it before every candidate was timed. */
export interface BackendMeasure {
  timings: BackendTiming[];
  interrupted: boolean;
}

export interface ImportedModelInfo {
  name: string;
  summary: ModelSummary;
  accuracy: number;
}

export interface CharModelInfo {
  source: string;
  vocabSize: number;
  config: CharLstmConfig | CharTransformerConfig;
  options: CorpusOptions;
}

export interface MnistUrls {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

export interface LoadProgress {
  loadedBytes: number;
  totalBytes: number;
}

export interface PreviewDigit {
  pixels: Uint8Array; // 28*28, 0..255
  label: number;
}

/** Something the page should tell the user that no call returned (e.g. the GPU device was lost). */
export interface Notice {
  level: 'error' | 'info';
  message: string;
}

export interface MemoryInfo {
  numTensors: number;
  numBytes: number;
}

export interface PlaygroundApi {
  /** Starts a backend (the preferred one, else the first that works) and registers the notice channel. */
  init(preferred: BackendName | undefined, onNotice: (n: Notice) => void, options?: SessionOptions): Promise<BackendState>;
  setBackend(name: BackendName): Promise<BackendState>;
  /** Times the candidates while idle, giving way to any other call; the active backend is unchanged afterwards. */
  measureBackends(kind: ModelKind, config: ModelConfig | CharLstmConfig | CharTransformerConfig, candidates: BackendName[]): Promise<BackendMeasure>;
  loadMnist(urls: MnistUrls, validationSize: number, onProgress: (p: LoadProgress) => void): Promise<DatasetInfo>;
  /** User IDX files; on any error the current dataset stays and the error message says what to do. */
  loadIdxFiles(files: NamedBytes[], validationSize: number): Promise<DatasetInfo>;
  preview(count: number): Promise<PreviewDigit[]>;
  describeModel(config: ModelConfig): Promise<ModelSummary>;
  /** fromCurrent: keep training the page's current model (trained or loaded) instead of a new one. */
  train(model: ModelConfig, config: TrainConfig, onEvent: (e: TrainEvent) => void, fromCurrent?: boolean): Promise<TrainResult>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  evaluate(): Promise<EvaluationResult>;
  predict(pixels: Float32Array): Promise<number[]>;
  /** Inspect: the image model's first-layer unit images and per-layer weight norms. */
  inspectImageWeights(): Promise<ImageWeightsView>;
  /** Inspect: per-character surprise, top-5 and the embeddings' PCA of the text model on a passage. */
  inspectText(passage: string): Promise<TextSurpriseView>;
  /** Inspect: SmoothGrad saliency of the guess and the conv feature maps for one drawn digit (784 pixels). */
  inspectDigit(pixels: Float32Array, method?: SaliencyMethod): Promise<DigitView>;
  /** Inspect: per-layer weight norms and update ratios over the last run's steps, weight histograms (snapshot: take one now). */
  inspectHealth(which: Which, snapshot?: boolean): Promise<TrainingHealthView>;
  /** Inspect: one LSTM cell's state along a passage (a unit, or the one most correlated with quotes, newlines, ...). */
  inspectCells(passage: string, choice: CellChoice): Promise<CellView>;
  memory(): Promise<MemoryInfo>;

  // Runs: every training run is kept (IndexedDB, else this tab's memory) with its curves and last checkpoint
  storageStatus(): Promise<StorageStatus>;
  listRuns(): Promise<RunSummary[]>;
  /** Settles once no tab of this browser trains the run (a run listed 'elsewhere' ended or its tab closed). */
  whenRunFree(id: string): Promise<void>;
  /** A stored run's settings and curves (no weights). */
  getRun(id: string): Promise<RunRecord>;
  /** The run's settings and curves; its checkpoint's weights become the page's current model. */
  openRun(id: string): Promise<RunRecord>;
  renameRun(id: string, name: string): Promise<RunSummary>;
  deleteRun(id: string): Promise<void>;
  exportRun(id: string): Promise<ExportFile[]>;
  /** Continues an interrupted run from its last checkpoint (weights, optimizer state, step, curves). */
  resumeRun(id: string, onEvent: (e: TrainEvent) => void): Promise<TrainResult>;
  /** An exported run (NAME-vN.run.json with its checkpoint files, or one .zip of them) added as this browser's next version. */
  importRun(files: NamedBytes[]): Promise<ImportedRun>;
  /** Test hook (?testHooks=1): an error escapes the worker after this call returns, as a crash would. */
  crash(): Promise<void>;
  /** Test hook (only with ?testHooks=1): destroys the WebGPU device mid-run. */
  loseDevice(): Promise<boolean>;

  // Text: char-LSTM
  loadText(file: NamedBytes, options: CorpusOptions): Promise<CorpusInfo>;
  loadDefaultText(url: string, name: string, options: CorpusOptions): Promise<CorpusInfo>;
  setTextOptions(options: CorpusOptions): Promise<CorpusInfo>;
  describeCharModel(config: CharLstmConfig | CharTransformerConfig): Promise<ModelSummary>;
  trainText(
    model: CharLstmConfig | CharTransformerConfig,
    config: TrainConfig,
    text: TextTrainConfig,
    onEvent: (e: TrainEvent) => void,
    fromCurrent?: boolean,
  ): Promise<TrainResult>;
  /** Streams text through onChunk as it is sampled; resolves with all of it. */
  generate(options: GenerateOptions, onChunk: (text: string) => void): Promise<string>;
  stopGenerating(): Promise<void>;
  /** The char-Transformer's attention at a position of a passage (null: the start of the validation text). */
  charAttention(position: number, passage: string | null): Promise<AttentionView>;
  exportModel(which: Which): Promise<ModelFiles>;
  importCharModel(files: NamedBytes[]): Promise<CharModelInfo>;

  // Compression (variants of the current images model or char-LSTM)
  compressStart(which: Which): Promise<CompressState>;
  compressState(which: Which): Promise<CompressState | null>;
  quantizeVariant(which: Which, sourceId: number, spec: QuantSpec): Promise<VariantInfo>;
  pruneVariant(
    which: Which,
    sourceId: number,
    options: PruneOptions,
    gradual: GradualOptions | null,
    config: TrainConfig,
    onEvent: (e: TrainEvent) => void,
  ): Promise<VariantInfo>;
  pruneSweep(which: Which, sourceId: number, sparsities: number[], scope: PruneOptions['scope']): Promise<{ sparsity: number; metric: number }[]>;
  distillVariant(
    sourceId: number,
    student: ModelConfig,
    options: DistillOptions,
    config: TrainConfig,
    onEvent: (e: TrainEvent) => void,
  ): Promise<VariantInfo>;
  variantHistogram(which: Which, id: number, weightName: string): Promise<Histogram>;
  exportVariant(which: Which, id: number): Promise<ExportFile[]>;
  /** The variant's dequantized model on an input, and its weights' hashes: what a model loaded from its export must match (e2e tests). */
  variantOutputs(which: Which, id: number, input: number[], shape: number[]): Promise<VariantOutputs>;
  importImageModel(files: NamedBytes[]): Promise<ImportedModelInfo>;

  // npm run bench
  /** ours, our step with the other LSTM path, tfjs's LSTM layers on the same task (model.fit), the last-character example */
  benchTextSpeed(which: 'ours' | 'other' | 'fit' | 'lastChar', steps: number, warmup?: number): Promise<SpeedResult>;
  /** A char-Transformer preset's training step: ours (fused pieces) or the plain-ops + autodiff baseline. */
  benchTransformerSpeed(preset: 'tiny' | 'small', which: 'ours' | 'plain', steps: number, warmup?: number, lr?: number): Promise<SpeedResult>;
  /** The backend's best matmul rate over several shapes (tfjs's kernel and ours where registered). */
  benchMatmul(): Promise<MatmulRates>;
  benchEnvironment(): Promise<BenchEnvironment>;
  /** Our WebGPU matmul kernel against tfjs's (webgpu only), with the speed measurement that chose between them. */
  checkGpuMatMul(): Promise<MatMulCheck & { models: ApplyModelCheck[] }>;
  /** The fused LSTM path against tfjs's LSTM layers on the active backend (the e2e suite runs it on WebGL and WebGPU). */
  checkFusedLstm(odd?: boolean): Promise<LstmCheck>;
  /** The fused char-Transformer step (our kernels where the backend has them) against plain ops and autodiff, dropout 0 and 0.2. */
  checkFusedTransformer(): Promise<TransformerCheck[]>;
  /** Our Adam kernel (FusedAdam) against tfjs's Adam on the active backend (the e2e suite runs it on WebGL and WebGPU). */
  checkFusedAdam(): Promise<AdamCheck>;
  /** Our convolution over image patches against tf.conv2d (both paddings), and the default MLP and CNN through applyModel against their layers, on the active backend. */
  checkPatchConv(): Promise<{ conv: PatchConvCheck[]; models: ApplyModelCheck[] }>;
  /** ours, model.fit with tfjs's default yielding (the baseline), model.fit awaiting tf.nextFrame() after every batch */
  benchImageSpeed(kind: 'mlp' | 'cnn', which: 'ours' | 'fit' | 'paced', steps: number, warmup?: number): Promise<ImageSpeed>;
  benchTimeToLoss(
    target: number,
    maxSeconds: number,
  ): Promise<{ reached: boolean; seconds: number; steps: number; valLoss: number; backend: string }>;
  /** Wall time for the default MLP or CNN to reach a validation accuracy; the test set evaluated once, at the end. */
  benchTimeToAccuracy(
    kind: 'mlp' | 'cnn',
    target: number,
    maxSeconds: number,
    change?: { train?: Partial<TrainConfig>; model?: Partial<ModelConfig>; untilEnd?: boolean },
  ): Promise<TimeToAccuracy>;
}
