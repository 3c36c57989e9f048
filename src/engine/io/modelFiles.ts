import * as tf from '@tensorflow/tfjs';
import type { ModelFiles } from '../config/results';

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

export async function exportModel(model: tf.LayersModel, baseName: string, metadata: Record<string, unknown>): Promise<ModelFiles> {
  const weightsName = `${safeFileName(baseName)}.weights.bin`;
  let files: ModelFiles | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
      const total = weights.length;
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs }],
        userDefinedMetadata: metadata,
      };
      files = { modelJson: JSON.stringify(json), weightsName, weights };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: total } };
    }),
  );
  return files!;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2, uint8: 1, uint16: 2 };

interface Manifest {
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  userDefinedMetadata?: Record<string, unknown>;
}

/** Parses model.json and checks the weight files against its manifest; each problem gets its own message. */
function readModelFiles(
  modelJson: string,
  weightFiles: { name: string; bytes: Uint8Array }[],
): { artifacts: tf.io.ModelArtifacts; metadata: Record<string, unknown> } {
  let parsed: Manifest;
  try {
    parsed = JSON.parse(modelJson) as Manifest;
  } catch (e) {
    throw new ModelFileError(`model.json is not valid JSON (${(e as Error).message}). Choose the model.json this page exported.`);
  }
  if (!parsed || typeof parsed !== 'object' || !parsed.modelTopology || !Array.isArray(parsed.weightsManifest)) {
    throw new ModelFileError('model.json has no modelTopology or weightsManifest; it is not a TensorFlow.js layers model.');
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const group of parsed.weightsManifest) {
    for (const path of group.paths) {
      const base = path.split('/').pop()!;
      const file =
        weightFiles.find((f) => f.name === base) ??
        (weightFiles.length === 1 && parsed.weightsManifest.length === 1 && group.paths.length === 1 ? weightFiles[0] : undefined);
      if (!file)
        throw new ModelFileError(`The weights file "${base}" named in model.json was not chosen. Select model.json and its weights file together.`);
      parts.push(file.bytes);
    }
    specs.push(...group.weights);
  }
  const expected = specs.reduce((n, s) => {
    const per = s.quantization ? DTYPE_BYTES[s.quantization.dtype] : DTYPE_BYTES[s.dtype];
    return n + s.shape.reduce((a, b) => a * b, 1) * (per ?? 4);
  }, 0);
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
    artifacts: { modelTopology: parsed.modelTopology as tf.io.ModelArtifacts['modelTopology'], weightSpecs: specs, weightData: weightData.buffer },
    metadata: parsed.userDefinedMetadata ?? {},
  };
}

/** Loads the model with plain tfjs; unknown layer classes and shape mismatches come back as ModelFileError. */
export async function importModel(
  modelJson: string,
  weightFiles: { name: string; bytes: Uint8Array }[],
): Promise<{ model: tf.LayersModel; metadata: Record<string, unknown> }> {
  const { artifacts, metadata } = readModelFiles(modelJson, weightFiles);
  try {
    const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    return { model, metadata };
  } catch (e) {
    const msg = (e as Error).message;
    if (/Unknown layer/i.test(msg)) throw new ModelFileError(`model.json uses a layer this page does not know: ${msg}`);
    throw new ModelFileError(`The model could not be built from these files: ${msg}`);
  }
}
