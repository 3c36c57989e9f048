import { gzipSync } from 'fflate';
import { dequantize, describeSpec, quantize, weightError } from './quantize';
import { QuantSpec } from '../config/compress';
import { applyMask, magnitudeMasks, sparsityOf } from './prune';
import { countOf, isKernel, ModelSnapshot, WeightEntry } from './snapshot';
import { compactPayload, plainLayersFiles, quantOf } from '../io/compressedFiles';
import type { Histogram, LayerStat, MetricInfo, PruneOptions, VariantInfo, VariantKind } from '../config/compress';

/** Size of the weights as stored (raw) and gzipped. */
export function sizes(s: ModelSnapshot): { rawBytes: number; gzipBytes: number } {
  const payload = compactPayload(s);
  return { rawBytes: payload.length, gzipBytes: gzipSync(payload, { level: 9 }).length };
}

/** Which weights pruning zeroes (a family's `prunable`); rank 2 and up unless a family says otherwise. */
type Prunable = (e: { name: string; shape: number[] }) => boolean;

function prunedSparsity(s: ModelSnapshot, prunable: Prunable): number {
  const ks = s.entries.filter(prunable);
  const n = ks.reduce((a, e) => a + e.values.length, 0);
  const zeros = ks.reduce((a, e) => a + sparsityOf(e.values) * e.values.length, 0);
  return n ? zeros / n : 0;
}

/** Quantizes every kernel (rank >= 2) with the spec; biases stay float32. */
export function quantizeSnapshot(s: ModelSnapshot, spec: QuantSpec): ModelSnapshot {
  const entries = s.entries.map((e): WeightEntry => {
    if (!isKernel(e)) return { name: e.name, shape: e.shape, values: e.values };
    const quant = quantize(e.values, e.shape, spec);
    return { name: e.name, shape: e.shape, values: dequantize(quant), quant };
  });
  return { ...s, entries };
}

/**
 * Magnitude pruning of the prunable weights (and of the rank-1 ones, biases and norms, when asked): exactly
 * round(sparsity * n) smallest |w| become 0.
 */
export function pruneSnapshot(s: ModelSnapshot, o: PruneOptions, prunable: Prunable = isKernel): ModelSnapshot {
  const chosen = s.entries.map((e) => prunable(e) || (o.includeBiases && e.shape.length < 2));
  const targets = s.entries.filter((_, i) => chosen[i]).map((e) => e.values);
  const { masks } = magnitudeMasks(targets, o.sparsity, o.scope);
  let k = 0;
  const entries = s.entries.map((e, i) =>
    chosen[i] ? { name: e.name, shape: e.shape, values: applyMask(e.values, masks[k++]) } : { name: e.name, shape: e.shape, values: e.values },
  );
  return { ...s, entries };
}

function encodingOf(e: WeightEntry): string {
  return e.quant ? describeSpec(e.quant.spec) : 'float32';
}

function layerStats(s: ModelSnapshot, parent: ModelSnapshot | null): LayerStat[] {
  return s.entries.map((e, i) => {
    const p = parent?.entries[i];
    const err = p && p.values.length === e.values.length ? weightError(p.values, e.values) : { maxAbs: 0, meanAbs: 0 };
    return {
      name: e.name,
      shape: e.shape,
      maxAbsError: err.maxAbs,
      meanAbsError: err.meanAbs,
      sparsity: sparsityOf(e.values),
      encoding: encodingOf(e),
    };
  });
}

/** Counts of a weight tensor's values in equal bins over the original's range, before and after. */
export function histogram(before: WeightEntry, after: WeightEntry, bins = 41): Histogram {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of before.values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) hi = lo + 1;
  const width = (hi - lo) / bins;
  const count = (values: Float32Array) => {
    const out = new Array<number>(bins).fill(0);
    for (const v of values) out[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]++;
    return out;
  };
  return {
    name: before.name,
    edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * width),
    before: count(before.values),
    after: count(after.values),
  };
}

/**
 * The variants tried on one model: the float32 original first, then each quantized, pruned or distilled one with
 * its sizes, metric and per-layer figures. The metric comes from the caller (test accuracy, validation nats/char).
 */
export class VariantStore {
  private readonly items = new Map<number, { info: VariantInfo; snap: ModelSnapshot }>();
  private nextId = 0;

  constructor(
    readonly metric: MetricInfo,
    private readonly prunable: Prunable = isKernel,
  ) {}

  get size(): number {
    return this.items.size;
  }

  get(id: number): { info: VariantInfo; snap: ModelSnapshot } {
    const v = this.items.get(id);
    if (!v) throw new Error(`There is no variant #${id}; start again from the current model.`);
    return v;
  }

  list(): VariantInfo[] {
    return [...this.items.values()].map((v) => v.info);
  }

  add(snap: ModelSnapshot, parentId: number | null, label: string, kind: VariantKind, metric: number): VariantInfo {
    const parent = parentId === null ? null : this.get(parentId).snap;
    const sameShape =
      parent && parent.entries.length === snap.entries.length && parent.entries.every((e, i) => countOf(e.shape) === countOf(snap.entries[i].shape));
    const info: VariantInfo = {
      id: this.nextId++,
      parentId,
      label,
      kind,
      params: snap.entries.reduce((n, e) => n + e.values.length, 0),
      sparsity: prunedSparsity(snap, this.prunable),
      ...sizes(snap),
      metric,
      layers: layerStats(snap, sameShape ? parent : null),
      quant: quantOf(snap),
      stockBytes: plainLayersFiles(snap, 'model').weights.length,
    };
    this.items.set(info.id, { info, snap });
    return info;
  }
}
