import { useSyncExternalStore } from 'react';
import type { BackendName } from '../../engine/config/backends';
import type { DatasetInfo } from '../../engine/config/data';
import type { EvaluationResult, ModelSummary } from '../../engine/config/results';
import type { PreviewDigit, CharModelInfo, BackendTiming, ModelKind } from '../../engine/config/api';
import type { EpochPoint, Progress, StepPoint } from '../../engine/config/events';
import { CNN_PRESET, MLP_PRESET, ModelConfig } from '../../engine/config/imageModel';
import { DEFAULT_TRAIN, TrainConfig } from '../../engine/config/train';
import { type CorpusInfo, type CorpusOptions, DEFAULT_CORPUS_OPTIONS } from '../../engine/config/corpus';
import { type GenerateOptions, DEFAULT_GENERATE } from '../../engine/config/generate';
import { type TextTrainConfig, DEFAULT_TEXT_OPTIMIZER, DEFAULT_TEXT_TRAIN } from '../../engine/config/textTrain';
import { CharLstmConfig, CharPresetName, DEFAULT_CHAR_MODEL } from '../../engine/config/charModel';
import { type AttentionView, type CharTransformerConfig, TRANSFORMER_PRESETS, type TransformerPresetName } from '../../engine/config/charTransformer';
import {
  DEFAULT_DISTILL,
  type CompressState,
  type DistillOptions,
  type Histogram,
  type QuantSpec,
  type PruneScope,
} from '../../engine/config/compress';
import type { RunSummary, StorageStatus } from '../../engine/config/runs';
import type { ExportFile } from '../../engine/config/results';
import { PORTABLE_QUANT } from '../../engine/config/exportForms';

/** A run ticked 'compare': its validation curves drawn in the Runs panel and over its tab's live charts. */
export interface OverlayRun {
  id: string;
  label: string;
  task: Mode;
  /** Its validation points (each with the step it was measured at), as stored. */
  epochs: EpochPoint[];
}

interface RunsSlice {
  list: RunSummary[];
  storage: StorageStatus | null;
  /** An interrupted run the page offers to resume (found at start-up). */
  offer: RunSummary | null;
  overlay: OverlayRun[];
  /** The run whose name is being edited. */
  renaming: string | null;
  busy: string | null;
  error: string | null;
}

export interface CompressSlice {
  state: CompressState | null;
  /** What is running now (quantizing, pruning, ...), or null. */
  busy: string | null;
  progress: Progress | null;
  error: string | null;
  message: string | null;
  /** The variant the next operation starts from. */
  sourceId: number;
  /** The variant whose per-layer figures and histogram are shown. */
  selectedId: number | null;
  weightName: string | null;
  histogram: Histogram | null;
  sweep: { sparsity: number; metric: number }[];
  sweepScope: PruneScope;
  quant: QuantSpec;
  prune: { sparsity: number; scope: PruneScope; includeBiases: boolean; mode: 'oneShot' | 'gradual'; epochs: number; updates: number };
  distill: DistillOptions & { student: 'small' | 'builder'; epochs: number };
  /** The export dialog: the variant and the files made for it, or null when closed. */
  exporting: { variantId: number; files: ExportFile[]; loaderBytes: number | null } | null;
}

const initialCompress = (): CompressSlice => ({
  state: null,
  busy: null,
  progress: null,
  error: null,
  message: null,
  sourceId: 0,
  selectedId: null,
  weightName: null,
  histogram: null,
  sweep: [],
  sweepScope: 'global',
  quant: PORTABLE_QUANT,
  prune: { sparsity: 0.9, scope: 'global', includeBiases: false, mode: 'oneShot', epochs: 2, updates: 10 },
  distill: { student: 'small', ...DEFAULT_DISTILL, epochs: 3 },
  exporting: null,
});

export type Mode = 'images' | 'text';
/** Colour theme: 'system' follows prefers-color-scheme. */
export type Theme = 'system' | 'light' | 'dark';
export const THEMES: readonly Theme[] = ['system', 'light', 'dark'];

export interface FastestBackend {
  backend: BackendName;
  timings: BackendTiming[];
  date: string;
}

export type RunState = 'idle' | 'running' | 'paused' | 'finished' | 'stopped' | 'failed';

/** Everything several panels read. Panels never touch tfjs: they read this and call actions. */
export interface AppState {
  mode: Mode;
  theme: Theme;
  backend: {
    active: BackendName | null;
    failures: Partial<Record<BackendName, string>>;
    switching: boolean;
    error: string | null;
    /** Train each model kind on the backend measured fastest for it (off once the user picks one). */
    auto: boolean;
    /** What was measured, per model kind (cached in localStorage). */
    fastest: Partial<Record<ModelKind, FastestBackend>>;
    /** The model kind being timed on the other backends in the background, if any. */
    measuring: ModelKind | null;
    /** Why the engine started on `active` without being asked (the best guess). */
    guess: string | null;
  };
  data: {
    info: DatasetInfo | null;
    loading: { loaded: number; total: number } | null;
    error: string | null;
    preview: PreviewDigit[];
    validationSize: number;
  };
  model: { kind: 'mlp' | 'cnn'; configs: { mlp: ModelConfig; cnn: ModelConfig }; summary: ModelSummary | null; problems: string[] };
  /** The current (or last) run, whichever tab started it. */
  train: {
    task: Mode;
    config: TrainConfig;
    state: RunState;
    progress: Progress | null;
    steps: StepPoint[];
    epochs: EpochPoint[];
    message: string | null;
    seconds: number | null;
  };
  text: {
    info: CorpusInfo | null;
    options: CorpusOptions;
    loading: boolean;
    error: string | null;
    preset: CharPresetName | 'custom';
    model: CharLstmConfig;
    /** Which char family the next run trains: the char-LSTM above or the Transformer below. */
    family: 'charLstm' | 'charTransformer';
    gptPreset: TransformerPresetName | 'custom';
    gpt: CharTransformerConfig;
    summary: ModelSummary | null;
    problems: string[];
    config: TrainConfig;
    textConfig: TextTrainConfig;
    samples: { step: number; text: string }[];
    generate: GenerateOptions;
    output: string;
    generating: boolean;
    generateError: string | null;
    /** The model generation uses: trained here or loaded from files. */
    ready: CharModelInfo | null;
    /** The char-Transformer's attention view (worker numbers) and its error. */
    attention: AttentionView | null;
    attentionError: string | null;
    fileMessage: string | null;
    fileError: string | null;
  };
  /** Keep training the page's current model (trained or loaded) instead of a new one. */
  continueRun: Record<Mode, boolean>;
  compress: Record<Mode, CompressSlice>;
  evaluation: { result: EvaluationResult | null; running: boolean; error: string | null };
  /** pixels: the last digit classified (28 x 28), for Inspect; source: 'your drawing' or the test digit it is. */
  draw: { probabilities: number[] | null; error: string | null; pixels: Float32Array | null; source: string };
  /** count: how many times the same notice was raised (shown as "×3" instead of three copies). */
  notices: { id: number; level: 'error' | 'info'; message: string; count: number }[];
  runs: RunsSlice;
}

export const initialState = (): AppState => ({
  mode: 'images',
  theme: 'system',
  backend: { active: null, failures: {}, switching: false, error: null, auto: true, fastest: {}, measuring: null, guess: null },
  data: { info: null, loading: null, error: null, preview: [], validationSize: 5000 },
  model: { kind: 'mlp', configs: { mlp: MLP_PRESET, cnn: CNN_PRESET }, summary: null, problems: [] },
  train: { task: 'images', config: DEFAULT_TRAIN, state: 'idle', progress: null, steps: [], epochs: [], message: null, seconds: null },
  text: {
    info: null,
    options: DEFAULT_CORPUS_OPTIONS,
    loading: false,
    error: null,
    preset: 'small',
    model: DEFAULT_CHAR_MODEL,
    family: 'charLstm',
    gptPreset: 'tiny',
    gpt: TRANSFORMER_PRESETS.tiny,
    summary: null,
    problems: [],
    config: { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER },
    textConfig: DEFAULT_TEXT_TRAIN,
    samples: [],
    generate: DEFAULT_GENERATE,
    output: '',
    generating: false,
    generateError: null,
    ready: null,
    attention: null,
    attentionError: null,
    fileMessage: null,
    fileError: null,
  },
  continueRun: { images: false, text: false },
  compress: { images: initialCompress(), text: initialCompress() },
  evaluation: { result: null, running: false, error: null },
  draw: { probabilities: null, error: null, pixels: null, source: 'your drawing' },
  notices: [],
  runs: { list: [], storage: null, offer: null, overlay: [], renaming: null, busy: null, error: null },
});

type Listener = () => void;

class Store {
  private state: AppState = initialState();
  private listeners = new Set<Listener>();

  get = (): AppState => this.state;

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  /** Shallow-merges one slice; every update makes a new state object so React sees the change. */
  update<K extends keyof AppState>(key: K, patch: Partial<AppState[K]> | ((s: AppState[K]) => Partial<AppState[K]>)): void {
    const current = this.state[key];
    const p = typeof patch === 'function' ? patch(current) : patch;
    this.state = { ...this.state, [key]: Array.isArray(current) || typeof current !== 'object' ? p : { ...current, ...p } };
    this.listeners.forEach((l) => l());
  }

  set<K extends keyof AppState>(key: K, value: AppState[K]): void {
    this.state = { ...this.state, [key]: value };
    this.listeners.forEach((l) => l());
  }
}

export const store = new Store();

export function useStore<T>(select: (s: AppState) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store.get()));
}
