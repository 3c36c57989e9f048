import { unzipSync } from 'fflate';
import type { NamedBytes } from '../config/data';
import type { RunRecord } from '../config/runs';
import type { Checkpoint } from '../io/checkpoint';
import { ModelFileError, readModelFiles } from '../io/modelFiles';
import { parseTopology, specBytes, type WeightSpec } from '../io/modelJson';
import { checkTopology } from '../io/topologySize';
import { importedRecord, parseRunFile, RunFile, RunFileError } from './runFile';
import type { RunPlan } from './plan';

/** The most bytes a .zip of a run may unpack to (a checkpoint of the largest model with Adam's two moments fits). */
const MAX_UNZIPPED_BYTES = 3.5e9;

const isZip = (f: NamedBytes) => f.bytes.length >= 4 && f.bytes[0] === 0x50 && f.bytes[1] === 0x4b && f.bytes[2] === 0x03 && f.bytes[3] === 0x04;

/** The chosen files with every .zip among them replaced by the files inside it (folders dropped). */
function unzipped(files: NamedBytes[]): NamedBytes[] {
  return files.flatMap((f) => {
    if (!isZip(f)) return [f];
    let total = 0;
    try {
      const inside = unzipSync(f.bytes, {
        filter: (info) => {
          total += info.originalSize;
          if (total > MAX_UNZIPPED_BYTES)
            throw new RunFileError(`${f.name} unpacks to more than ${MAX_UNZIPPED_BYTES / 1e9} GB; a run is far smaller.`);
          return !info.name.endsWith('/');
        },
      });
      return Object.entries(inside).map(([name, bytes]) => ({ name: name.split('/').pop()!, bytes }));
    } catch (e) {
      if (e instanceof RunFileError) throw e;
      throw new RunFileError(`${f.name} is not a readable .zip (${(e as Error).message}).`);
    }
  });
}

/** The run's .run.json, parsed and checked. */
function runJsonOf(files: NamedBytes[]): { run: RunFile; name: string } {
  const found = files.filter((f) => f.name.toLowerCase().endsWith('.run.json'));
  if (found.length !== 1) {
    throw new RunFileError(
      found.length
        ? `Choose one run at a time: ${found.map((f) => f.name).join(', ')} are ${found.length} runs.`
        : "Choose the run's NAME-vN.run.json (with its NAME-vN.json and NAME-vN.weights.bin, or one .zip of the three).",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(found[0].bytes));
  } catch (e) {
    throw new RunFileError(`${found[0].name} is not valid JSON (${(e as Error).message}).`);
  }
  return { run: parseRunFile(json, found[0].name), name: found[0].name };
}

/** The weights file's tensors as checkpoint records (float32 or int32; a run's checkpoint is never quantized). */
function tensorRecords(specs: WeightSpec[], data: ArrayBuffer): Checkpoint['weights'] {
  let at = 0;
  return specs.map((s) => {
    const bytes = specBytes(s);
    if (s.quantization || s.dtype === 'bool')
      throw new RunFileError(
        `model.json: weight ${s.name} is ${s.quantization?.dtype ?? s.dtype}; a run's checkpoint holds float32 and int32 values.`,
      );
    const record = { name: s.name, shape: s.shape, dtype: s.dtype, data: data.slice(at, at + bytes) };
    at += bytes;
    return record;
  });
}

const shapeText = (shape: number[]) => `[${shape.join(', ')}]`;

/** Optimizer state as this page saves it: an iteration count, then per-weight slots (Adam: m, then v) in weight order. */
function optimizerProblem(optimizer: Checkpoint['optimizer'], weights: number[][]): string | null {
  if (optimizer.length === 0) return null;
  if (optimizer[0].shape.length !== 0)
    return `the optimizer state starts with ${optimizer[0].name} of shape ${shapeText(optimizer[0].shape)}, not the iteration count.`;
  const slots = optimizer.slice(1);
  if (slots.length % Math.max(weights.length, 1) !== 0 || slots.length > 3 * weights.length) {
    return `the optimizer state has ${slots.length} tensors after its iteration count; this model's ${weights.length} weights take a multiple of ${weights.length}.`;
  }
  const wrong = slots.findIndex((t, i) => shapeText(t.shape) !== shapeText(weights[i % weights.length]));
  return wrong < 0
    ? null
    : `optimizer tensor ${slots[wrong].name} is ${shapeText(slots[wrong].shape)}; its weight is ${shapeText(weights[wrong % weights.length])}.`;
}

/** The checkpoint beside a format-2 run.json: its weights must fit the model the run's settings build. */
async function checkpointOf(run: RunFile, files: NamedBytes[], plan: RunPlan): Promise<Checkpoint> {
  const json = files.find((f) => /\.json$/i.test(f.name) && !/\.run\.json$/i.test(f.name));
  if (!json) {
    throw new RunFileError(
      `The run has a checkpoint at step ${run.checkpointStep}: choose its model.json (NAME-vN.json) and NAME-vN.weights.bin with the .run.json, or one .zip of the three.`,
    );
  }
  let read;
  try {
    read = readModelFiles(
      new TextDecoder().decode(json.bytes),
      files.filter((f) => f !== json && !/\.json$/i.test(f.name)),
    );
  } catch (e) {
    throw e instanceof ModelFileError ? new RunFileError(e.message) : e;
  }
  const records = tensorRecords(read.specs, read.artifacts.weightData as ArrayBuffer);
  const weights = records.filter((_, i) => read.specs[i].group !== 'optimizer');
  const optimizer = records.filter((_, i) => read.specs[i].group === 'optimizer');
  const model = await plan.makeModel();
  const shapes = model.getWeights().map((w) => w.shape);
  model.dispose();
  if (shapes.length !== weights.length || shapes.some((s, i) => shapeText(s) !== shapeText(weights[i].shape))) {
    throw new RunFileError(
      `The checkpoint's weights (${weights.map((w) => shapeText(w.shape)).join(' ')}) do not fit the model the run's settings build (${shapes.map(shapeText).join(' ')}).`,
    );
  }
  const problem = optimizerProblem(optimizer, shapes);
  if (problem) throw new RunFileError(`${json.name}: ${problem}`);
  return { ...run.checkpoint!, weights, optimizer };
}

/**
 * A run exported by this page (its .run.json with its checkpoint files, or one .zip of them), read and checked
 * whole: the record to store under a new id and version, and its checkpoint. A format-1 export carries no
 * optimizer state, so only its settings and curves come in (note says so). Every problem is a RunFileError.
 */
export async function readRunImport(
  files: NamedBytes[],
  planOf: (record: RunRecord) => RunPlan,
  id: string,
  version: number,
): Promise<{ record: RunRecord; cp: Checkpoint | null; note: string | null }> {
  const all = unzipped(files);
  const { run, name } = runJsonOf(all);
  if (run.topology) {
    // the topology's checks speak of model.json's modelTopology: here it is the run file's topology
    const fail = (m: string) => new RunFileError(m.replace(/^model\.json: modelTopology/, `${name}: topology`));
    checkTopology(parseTopology(run.topology, name, fail, 'topology'), null, fail);
  }
  if (run.formatVersion === 1 || run.checkpointStep === null) {
    const note =
      run.checkpointStep === null
        ? null
        : 'Its settings and curves were imported; its checkpoint has no optimizer state (an export from before run format 2), so it cannot be resumed.';
    return { record: importedRecord(run, id, version, null), cp: null, note };
  }
  const record = importedRecord(run, id, version, run.checkpointStep);
  return { record, cp: await checkpointOf(run, all, planOf(record)), note: null };
}
