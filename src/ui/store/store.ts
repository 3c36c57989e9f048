import { useSyncExternalStore } from 'react';
import type { BackendName, DatasetInfo, EvaluationResult, ModelSummary, PreviewDigit } from '../../worker/api';
import type { EpochPoint, Progress, StepPoint } from '../../engine/train/trainer';
import { CNN_PRESET, MLP_PRESET, ModelConfig } from '../../engine/models/config';
import { DEFAULT_TRAIN, TrainConfig } from '../../engine/train/config';

export type RunState = 'idle' | 'running' | 'paused' | 'finished' | 'stopped' | 'failed';

/** Everything several panels read. Panels never touch tfjs: they read this and call actions. */
export interface AppState {
  backend: { active: BackendName | null; failures: Partial<Record<BackendName, string>>; switching: boolean; error: string | null };
  data: { info: DatasetInfo | null; loading: { loaded: number; total: number } | null; error: string | null; preview: PreviewDigit[]; validationSize: number };
  model: { kind: 'mlp' | 'cnn'; configs: { mlp: ModelConfig; cnn: ModelConfig }; summary: ModelSummary | null; problems: string[] };
  train: { config: TrainConfig; state: RunState; progress: Progress | null; steps: StepPoint[]; epochs: EpochPoint[]; message: string | null; seconds: number | null };
  evaluation: { result: EvaluationResult | null; running: boolean; error: string | null };
  draw: { probabilities: number[] | null; error: string | null };
  notices: { id: number; level: 'error' | 'info'; message: string }[];
}

export const initialState = (): AppState => ({
  backend: { active: null, failures: {}, switching: false, error: null },
  data: { info: null, loading: null, error: null, preview: [], validationSize: 5000 },
  model: { kind: 'mlp', configs: { mlp: MLP_PRESET, cnn: CNN_PRESET }, summary: null, problems: [] },
  train: { config: DEFAULT_TRAIN, state: 'idle', progress: null, steps: [], epochs: [], message: null, seconds: null },
  evaluation: { result: null, running: false, error: null },
  draw: { probabilities: null, error: null },
  notices: [],
});

type Listener = () => void;

export class Store {
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
    this.state = { ...this.state, [key]: Array.isArray(current) ? p : { ...current, ...p } };
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
