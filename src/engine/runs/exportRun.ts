import type { Checkpoint } from '../io/checkpoint';
import { restoreWeights } from '../io/checkpoint';
import type { ExportFile } from '../config/results';
import type { RunRecord } from '../config/runs';
import { exportModel, type ExtraWeights, safeFileName } from '../io/modelFiles';
import { RUN_FORMAT, RUN_FORMAT_VERSION } from './runFile';
import type { RunPlan } from './plan';

/** The file stem of a run's exports: its user-given name made safe, then its version. */
export const runFileStem = (record: Pick<RunRecord, 'name' | 'version'>) => `${safeFileName(record.name, 'run')}-v${record.version}`;

/** The checkpoint's optimizer state as weights of tfjs's "optimizer" group (plain tfjs loads the model and skips them). */
function optimizerWeights(cp: Checkpoint): ExtraWeights {
  const specs = cp.optimizer.map((r) => ({ name: r.name, shape: r.shape, dtype: r.dtype, group: 'optimizer' as const }));
  const bytes = new Uint8Array(cp.optimizer.reduce((n, r) => n + r.data.byteLength, 0));
  let at = 0;
  for (const r of cp.optimizer) {
    bytes.set(new Uint8Array(r.data), at);
    at += r.data.byteLength;
  }
  return { specs, bytes };
}

/**
 * A run as downloadable files: STEM.run.json (settings, dataset identity, curves, final figures and where its
 * checkpoint stood) and, when it has a checkpoint, its weights and optimizer state in the TensorFlow.js layers format
 * (STEM.json + STEM.weights.bin). The Runs panel imports the three back (runs/importRun.ts).
 */
export async function runExportFiles(record: RunRecord, cp: Checkpoint | null, plan: RunPlan): Promise<ExportFile[]> {
  const stem = runFileStem(record);
  const encode = (o: unknown) => new TextEncoder().encode(JSON.stringify(o, null, 1));
  const checkpoint = cp && { step: cp.step, epoch: cp.epoch, seconds: cp.seconds, randomCalls: cp.randomCalls, dropoutCalls: cp.dropoutCalls };
  const files: ExportFile[] = [
    { name: `${stem}.run.json`, bytes: encode({ format: RUN_FORMAT, formatVersion: RUN_FORMAT_VERSION, ...record, checkpoint }) },
  ];
  if (!cp) return files;
  const model = await plan.makeModel();
  try {
    restoreWeights(model, cp);
    const m = await exportModel(model, stem, plan.exportMetadata(cp.step), optimizerWeights(cp));
    files.push({ name: `${stem}.json`, bytes: new TextEncoder().encode(m.modelJson) }, { name: m.weightsName, bytes: m.weights });
  } finally {
    model.dispose();
  }
  return files;
}
