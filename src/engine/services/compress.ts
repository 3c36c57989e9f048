import * as tf from '@tensorflow/tfjs';
import type { Which } from '../config/api';
import type {
  CompressState,
  DistillOptions,
  GradualOptions,
  Histogram,
  PruneOptions,
  QuantSpec,
  VariantInfo,
  VariantOutputs,
} from '../config/compress';
import { validateDistill } from '../config/compress';
import type { TrainEvent, TrainResult } from '../config/events';
import type { ModelConfig } from '../config/imageModel';
import type { ExportFile } from '../config/results';
import type { TrainConfig } from '../config/train';
import { validateModelConfig } from '../config/validateImageModel';
import { distillTask } from '../compress/distill';
import { GradualPruning, prunableVariables, prunedTask } from '../compress/prune';
import { describeSpec } from '../compress/quantize';
import { loadSnapshot, type ModelSnapshot, snapshot } from '../compress/snapshot';
import { histogram, pruneSnapshot, quantizeSnapshot, VariantStore } from '../compress/variants';
import { familyOf } from '../families';
import type { ModelFamily } from '../families/family';
import { imagesFamily } from '../families/images/family';
import { compactFile, plainIsCompact, plainLayersFiles } from '../io/compressedFiles';
import { buildModel } from '../families/images/model';
import { Trainer } from '../train/trainer';
import type { Workspace } from './workspace';

/** FNV-1a (32-bit) over the float32 bit patterns, one 32-bit word at a time. */
function fnv1a(values: Float32Array): number {
  let h = 0x811c9dc5;
  for (const w of new Uint32Array(values.buffer, values.byteOffset, values.length)) h = Math.imul(h ^ w, 0x01000193) >>> 0;
  return h;
}

const pct = (sparsity: number) => `${Math.round(sparsity * 1000) / 10}%`;

/** Variants of the current model of a family: quantized, pruned (one-shot or gradual), distilled; each measured by its family's metric. */
export class CompressService {
  constructor(private readonly ws: Workspace) {}

  private store(family: ModelFamily): VariantStore {
    const store = this.ws.variants[family.id];
    if (!store) throw new Error('Start compressing from the current model first.');
    return store;
  }

  /** Snapshots the page's current model as the float32 original that every variant is compared with. */
  async compressStart(which: Which): Promise<CompressState> {
    const family = familyOf(which, this.ws);
    return this.ws.exclusive('measuring the model', async () => {
      const model = family.current(this.ws, 'compress');
      family.checkMeasurable(this.ws);
      const snap = await snapshot(model, family.metadata(this.ws));
      const store = new VariantStore(family.metric, family.prunable);
      store.add(snap, null, 'float32 (original)', 'float32', await family.measure(this.ws, snap));
      this.ws.variants[which] = store;
      return { metric: family.metric, variants: store.list() };
    });
  }

  async compressState(which: Which): Promise<CompressState | null> {
    const store = this.ws.variants[which];
    return store ? { metric: store.metric, variants: store.list() } : null;
  }

  /** Post-training quantization of a variant's kernels (biases stay float32). */
  async quantizeVariant(which: Which, sourceId: number, spec: QuantSpec): Promise<VariantInfo> {
    const family = familyOf(which, this.ws);
    return this.ws.exclusive('quantizing', async () => {
      const store = this.store(family);
      const source = store.get(sourceId);
      if (source.snap.entries.some((e) => e.quant))
        throw new Error(`"${source.info.label}" is already quantized; quantize the float32 original or a pruned or distilled variant.`);
      const snap = quantizeSnapshot(source.snap, spec);
      const label = sourceId === 0 ? describeSpec(spec) : `${source.info.label} + ${describeSpec(spec)}`;
      return store.add(snap, sourceId, label, 'quantized', await family.measure(this.ws, snap));
    });
  }

  /** One-shot magnitude pruning, or gradual pruning while fine-tuning (masks re-applied after every update). */
  async pruneVariant(
    which: Which,
    sourceId: number,
    options: PruneOptions,
    gradual: GradualOptions | null,
    config: TrainConfig,
    onEvent: (e: TrainEvent) => void,
  ): Promise<VariantInfo> {
    const family = familyOf(which, this.ws);
    return this.ws.exclusive('pruning', async () => {
      if (!(options.sparsity >= 0 && options.sparsity < 1))
        throw new Error(`Target sparsity must be from 0% to below 100%, got ${options.sparsity * 100}%.`);
      const store = this.store(family);
      const source = store.get(sourceId);
      if (source.snap.entries.some((e) => e.quant)) throw new Error(`"${source.info.label}" is quantized; prune first, then quantize.`);
      if (gradual && !(Number.isInteger(gradual.epochs) && gradual.epochs >= 1 && gradual.epochs <= 100)) {
        throw new Error(`Fine-tuning ${family.epochWord} must be a whole number from 1 to 100, got ${gradual.epochs}.`);
      }
      const prefix = sourceId === 0 ? '' : `${source.info.label} + `;
      const label = `${prefix}pruned ${pct(options.sparsity)} ${options.scope}`;
      if (!gradual) {
        const snap = pruneSnapshot(source.snap, options, family.prunable);
        return store.add(snap, sourceId, `${label} (one-shot)`, 'pruned', await family.measure(this.ws, snap));
      }
      const snap = await this.pruneGradually(family, source.snap, options, gradual, config, onEvent);
      return store.add(snap, sourceId, `${label} (gradual, ${gradual.epochs} ${family.epochWord})`, 'pruned', await family.measure(this.ws, snap));
    });
  }

  /** Fine-tunes the variant's model while its sparsity rises on the polynomial schedule; the pruned snapshot. */
  private async pruneGradually(
    family: ModelFamily,
    source: ModelSnapshot,
    options: PruneOptions,
    gradual: GradualOptions,
    config: TrainConfig,
    onEvent: (e: TrainEvent) => void,
  ) {
    const model = await loadSnapshot(source);
    try {
      const variables = prunableVariables(model, family.prunable, options.includeBiases);
      const tuneConfig = { ...config, epochs: gradual.epochs };
      const inner = family.fineTuneTask(model, this.ws, tuneConfig);
      const schedule: GradualPruning = { finalSparsity: options.sparsity, initialSparsity: 0, scope: options.scope, updates: gradual.updates };
      const task = prunedTask(inner, variables, inner.stepsPerEpoch * gradual.epochs, schedule);
      const trainer = new Trainer(task, tuneConfig, onEvent);
      let result: TrainResult;
      try {
        result = await this.ws.runTrainer(trainer);
      } finally {
        task.dispose();
      }
      if (result.reason !== 'finished')
        throw new Error(result.error ?? 'Pruning was stopped before the schedule finished; the variant was not kept.');
      return await snapshot(model, source.metadata);
    } finally {
      model.dispose();
    }
  }

  /** One-shot pruning of a variant at each sparsity: the metric against sparsity (nothing is kept). */
  async pruneSweep(
    which: Which,
    sourceId: number,
    sparsities: number[],
    scope: PruneOptions['scope'],
  ): Promise<{ sparsity: number; metric: number }[]> {
    const family = familyOf(which, this.ws);
    return this.ws.exclusive('pruning', async () => {
      const source = this.store(family).get(sourceId);
      const out: { sparsity: number; metric: number }[] = [];
      for (const sparsity of sparsities) {
        const snap = pruneSnapshot(source.snap, { sparsity, scope, includeBiases: false }, family.prunable);
        out.push({ sparsity, metric: await family.measure(this.ws, snap) });
      }
      return out;
    });
  }

  /** Trains a smaller student on the variant's softened outputs mixed with the true labels (images only). */
  async distillVariant(
    sourceId: number,
    student: ModelConfig,
    options: DistillOptions,
    config: TrainConfig,
    onEvent: (e: TrainEvent) => void,
  ): Promise<VariantInfo> {
    return this.ws.exclusive('distilling', async () => {
      const problems = [...validateModelConfig(student), ...validateDistill(options)];
      if (problems.length) throw new Error(problems.join(' '));
      const store = this.store(imagesFamily);
      const source = store.get(sourceId);
      const data = this.ws.imageData();
      const model = buildModel(student, config.seed);
      const teacher = await loadSnapshot(source.snap).catch((e) => {
        model.dispose();
        throw e;
      });
      try {
        const trainer = new Trainer(distillTask(model, teacher, data.train, data.validation, config, options), config, onEvent);
        const result = await this.ws.runTrainer(trainer);
        if (result.reason !== 'finished') throw new Error(result.error ?? 'Distillation was stopped; the student was not kept.');
        const snap = await snapshot(model, { ...imagesFamily.metadata(this.ws), distilledFrom: source.info.label });
        const label = `student ${student.kind.toUpperCase()} (T=${options.temperature}, alpha=${options.alpha}) from ${source.info.label}`;
        return store.add(snap, sourceId, label, 'distilled', await imagesFamily.measure(this.ws, snap));
      } finally {
        teacher.dispose();
        model.dispose();
      }
    });
  }

  async variantHistogram(which: Which, id: number, weightName: string): Promise<Histogram> {
    const store = this.store(familyOf(which, this.ws));
    const v = store.get(id);
    const parentId = v.info.parentId ?? id;
    const after = v.snap.entries.find((e) => e.name === weightName);
    const before = store.get(parentId).snap.entries.find((e) => e.name === weightName) ?? after;
    if (!after || !before || before.values.length !== after.values.length) throw new Error(`Variant #${id} has no weight named ${weightName}.`);
    return histogram(before, after);
  }

  /**
   * The variant's dequantized model run on `input` (of `shape`) on the active backend, and an FNV-1a hash of each
   * weight's float32 bits: what any of its exports must load into (the end-to-end tests compare stock tfjs and nnq-loader.js with it).
   */
  async variantOutputs(which: Which, id: number, input: number[], shape: number[]): Promise<VariantOutputs> {
    const { snap } = this.store(familyOf(which, this.ws)).get(id);
    const model = await loadSnapshot(snap);
    try {
      const outputs = tf.tidy(() => Array.from((model.predict(tf.tensor(input, shape, model.inputs[0].dtype)) as tf.Tensor).dataSync()));
      return { outputs, weightHashes: snap.entries.map((e) => fnv1a(e.values)) };
    } finally {
      model.dispose();
    }
  }

  /** The variant in the TensorFlow.js layers format (quantization in the manifest where it can say it), plus our compact file when it cannot. */
  async exportVariant(which: Which, id: number): Promise<ExportFile[]> {
    const family = familyOf(which, this.ws);
    const { info, snap } = this.store(family).get(id);
    const stem = `${family.filePrefix}-${info.label}`;
    const plain = plainLayersFiles(snap, stem);
    const files: ExportFile[] = [
      { name: `${plain.weightsName.replace(/\.weights\.bin$/, '')}.json`, bytes: new TextEncoder().encode(plain.modelJson) },
      { name: plain.weightsName, bytes: plain.weights },
    ];
    if (!plainIsCompact(snap)) files.push(compactFile(snap, stem));
    return files;
  }
}
