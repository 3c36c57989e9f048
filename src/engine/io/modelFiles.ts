import * as tf from '@tensorflow/tfjs';
import type { ModelFiles } from '../config/results';
import { type ModelJson, parseModelJson, specBytes, type WeightSpec } from './modelJson';
import { checkTopology } from './topologySize';

export class ModelFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFileError';
  }
}

/** Names Windows keeps for devices: "con.json" cannot be saved there. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/** Keeps ASCII letters, digits, dash and underscore (no dots, no slashes), so a user-given name is a safe file stem. */
export function safeFileName(name: string, fallback = 'model'): string {
  const s = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '') // the accents NFKD splits off: "é" -> "e", not "e-"
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  if (RESERVED.test(s)) return `${s}_`;
  return s || fallback;
}

/** Tensors saved after the model's weights in the same file, e.g. a run's optimizer state (`group: 'optimizer'`). */
export interface ExtraWeights {
  specs: tf.io.WeightsManifestEntry[];
  bytes: Uint8Array;
}

export async function exportModel(
  model: tf.LayersModel,
  baseName: string,
  metadata: Record<string, unknown>,
  extra?: ExtraWeights,
): Promise<ModelFiles> {
  const weightsName = `${safeFileName(baseName)}.weights.bin`;
  let files: ModelFiles | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const own = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
      const weights = extra ? new Uint8Array(own.length + extra.bytes.length) : own;
      if (extra) {
        weights.set(own);
        weights.set(extra.bytes, own.length);
      }
      const total = weights.length;
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [weightsName], weights: [...(artifacts.weightSpecs ?? []), ...(extra?.specs ?? [])] }],
        userDefinedMetadata: metadata,
      };
      files = { modelJson: JSON.stringify(json), weightsName, weights };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: total } };
    }),
  );
  return files!;
}

const modelFileError = (message: string) => new ModelFileError(message);

/** model.json's text as checked JSON (every field the readers use, the topology's size) or a ModelFileError. */
function parseModelFile(modelJson: string): ModelJson {
  let raw: unknown;
  try {
    raw = JSON.parse(modelJson);
  } catch (e) {
    throw new ModelFileError(`model.json is not valid JSON (${(e as Error).message}). Choose the model.json this page exported.`);
  }
  if (!raw || typeof raw !== 'object' || !('modelTopology' in raw) || !('weightsManifest' in raw)) {
    throw new ModelFileError('model.json has no modelTopology or weightsManifest; it is not a TensorFlow.js layers model.');
  }
  const parsed = parseModelJson(raw, modelFileError);
  const modelWeights = parsed.weightsManifest.flatMap((g) => g.weights).filter((w) => w.group !== 'optimizer');
  checkTopology(parsed.modelTopology, modelWeights, modelFileError);
  return parsed;
}

/** Parses model.json and checks the weight files against its manifest; each problem gets its own message. */
export function readModelFiles(
  modelJson: string,
  weightFiles: { name: string; bytes: Uint8Array }[],
): { artifacts: tf.io.ModelArtifacts; metadata: Record<string, unknown>; specs: WeightSpec[] } {
  const parsed = parseModelFile(modelJson);
  const groups = parsed.weightsManifest;
  const specs: WeightSpec[] = [];
  const parts: Uint8Array[] = [];
  for (const group of groups) {
    for (const path of group.paths) {
      const base = path.split('/').pop()!;
      const file =
        weightFiles.find((f) => f.name === base) ??
        (weightFiles.length === 1 && groups.length === 1 && group.paths.length === 1 ? weightFiles[0] : undefined);
      if (!file)
        throw new ModelFileError(`The weights file "${base}" named in model.json was not chosen. Select model.json and its weights file together.`);
      parts.push(file.bytes);
    }
    specs.push(...group.weights);
  }
  const expected = specs.reduce((n, s) => n + specBytes(s), 0);
  const total = parts.reduce((n, p) => n + p.length, 0);
  if (total !== expected) {
    throw new ModelFileError(
      `The weights are ${total.toLocaleString('en-US')} bytes but model.json describes ${expected.toLocaleString('en-US')}; the file is short, long or belongs to another model.`,
    );
  }
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    weightData.set(p, at);
    at += p.length;
  }
  return {
    artifacts: {
      modelTopology: parsed.modelTopology as unknown as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: specs as tf.io.WeightsManifestEntry[],
      weightData: weightData.buffer,
    },
    metadata: parsed.userDefinedMetadata ?? {},
    specs,
  };
}

/** Builds or first runs a model with tfjs; when that fails, the variables tfjs made meanwhile (nothing else holds them) go too. */
export async function disposingOnFailure<T>(load: () => Promise<T>): Promise<T> {
  const before = new Set(Object.keys(tf.engine().registeredVariables));
  try {
    return await load();
  } catch (e) {
    for (const [name, variable] of Object.entries(tf.engine().registeredVariables)) if (!before.has(name)) variable.dispose();
    throw e;
  }
}

/** Loads the model with plain tfjs; unknown layer classes and shape mismatches come back as ModelFileError. */
export async function importModel(
  modelJson: string,
  weightFiles: { name: string; bytes: Uint8Array }[],
): Promise<{ model: tf.LayersModel; metadata: Record<string, unknown> }> {
  const { artifacts, metadata } = readModelFiles(modelJson, weightFiles);
  try {
    const model = await disposingOnFailure(() => tf.loadLayersModel(tf.io.fromMemory(artifacts)));
    return { model, metadata };
  } catch (e) {
    const msg = (e as Error).message;
    if (/Unknown layer/i.test(msg)) throw new ModelFileError(`model.json uses a layer this page does not know: ${msg}`);
    throw new ModelFileError(`The model could not be built from these files: ${msg}`);
  }
}
