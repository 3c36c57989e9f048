import type { Checkpoint } from '../io/checkpoint';
import { restoreWeights } from '../io/checkpoint';
import type { ExportFile } from '../config/results';
import type { RunRecord } from '../config/runs';
import { exportModel, safeFileName } from '../io/modelFiles';
import type { RunPlan } from './plan';

/** The file stem of a run's exports: its user-given name made safe, then its version. */
export const runFileStem = (record: Pick<RunRecord, 'name' | 'version'>) => `${safeFileName(record.name, 'run')}-v${record.version}`;

/**
 * A run as downloadable files: STEM.run.json (settings, dataset identity, curves, final figures) and, when it
 * has a checkpoint, its weights in the TensorFlow.js layers format (STEM.json + STEM.weights.bin).
 */
export async function runExportFiles(record: RunRecord, cp: Checkpoint | null, plan: RunPlan): Promise<ExportFile[]> {
  const stem = runFileStem(record);
  const encode = (o: unknown) => new TextEncoder().encode(JSON.stringify(o, null, 1));
  const files: ExportFile[] = [{ name: `${stem}.run.json`, bytes: encode({ format: 'nn-playground-run', formatVersion: 1, ...record }) }];
  if (!cp) return files;
  const model = await plan.makeModel();
  try {
    restoreWeights(model, cp);
    const m = await exportModel(model, stem, plan.exportMetadata(cp.step));
    files.push({ name: `${stem}.json`, bytes: new TextEncoder().encode(m.modelJson) }, { name: m.weightsName, bytes: m.weights });
  } finally {
    model.dispose();
  }
  return files;
}
