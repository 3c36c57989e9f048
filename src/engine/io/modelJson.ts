/**
 * The schema of model.json, the TensorFlow.js layers format as this page writes and reads it: the topology's outline
 * (each layer's own settings are checked by topologySize.ts), the weights manifest and this page's metadata. Every
 * reader of a layers-format file (a model, a run's checkpoint) parses with it, so a malformed field is refused with
 * a message naming it, before tfjs sees the file.
 */
import * as v from 'valibot';
import type { CharLstmMetadata } from '../config/charModel';
import { validateCharConfig } from '../config/charModel';
import { type CharTransformerMetadata, validateTransformerConfig } from '../config/charTransformer';
import { validateCorpusOptions } from '../config/corpus';
import { parseOr, plainObject, wholeNumber } from '../config/schema';

/** What one element of a weight's dtype takes in the weights file; the quantized dtypes tfjs dequantizes. */
const DTYPE_BYTES = { float32: 4, int32: 4, bool: 1 } as const;
const QUANT_BYTES = { uint8: 1, uint16: 2, float16: 2 } as const;

const name = v.pipe(v.string(), v.minLength(1, 'a name of at least one character'));

const weightSpec = v.looseObject({
  name,
  shape: v.array(wholeNumber(0)),
  dtype: v.picklist(Object.keys(DTYPE_BYTES) as (keyof typeof DTYPE_BYTES)[]),
  quantization: v.optional(
    v.looseObject({
      dtype: v.picklist(Object.keys(QUANT_BYTES) as (keyof typeof QUANT_BYTES)[]),
      scale: v.optional(v.number()),
      min: v.optional(v.number()),
    }),
  ),
  /** 'optimizer': optimizer state saved beside the weights (tfjs's own convention; plain tfjs skips it). */
  group: v.optional(v.string()),
});

export type WeightSpec = v.InferOutput<typeof weightSpec>;

const layer = v.looseObject({ class_name: name, config: v.looseObject({ name: v.optional(v.string()) }) });

const layersOf = v.union(
  [v.array(layer), v.looseObject({ name: v.optional(v.string()), layers: v.array(layer) })],
  'an array of layers or an object with "layers"',
);

/** A Sequential or functional model's outline; tfjs also accepts Keras's {model_config: ...} wrapper. */
const topology = v.looseObject({ class_name: v.picklist(['Sequential', 'Model', 'Functional']), config: layersOf });

export type Topology = v.InferOutput<typeof topology>;

const manifestGroup = v.looseObject({
  paths: v.pipe(v.array(name), v.minLength(1, 'at least one file name')),
  weights: v.array(weightSpec),
});

const modelJson = v.looseObject({
  format: v.optional(v.literal('layers-model')),
  modelTopology: v.looseObject({}),
  weightsManifest: v.pipe(v.array(manifestGroup), v.minLength(1, 'at least one group of weights')),
  userDefinedMetadata: v.optional(plainObject),
});

export type ModelJson = v.InferOutput<typeof modelJson> & { modelTopology: Topology };

/** The bytes a weight takes in the weights file. */
export const specBytes = (s: WeightSpec) =>
  s.shape.reduce((a, b) => a * b, 1) * (s.quantization ? QUANT_BYTES[s.quantization.dtype] : DTYPE_BYTES[s.dtype]);

/** A topology's outline (Keras's {model_config: ...} wrapper taken off); `at`: where it sits in its file. */
export function parseTopology(raw: unknown, where: string, fail: (message: string) => Error, at = 'modelTopology'): Topology {
  const wrapped = (raw as { model_config?: unknown } | null)?.model_config;
  return wrapped ? parseOr(topology, wrapped, where, fail, `${at}.model_config`) : parseOr(topology, raw, where, fail, at);
}

/** model.json parsed and checked; `fail` makes the reader's error from a sentence. */
export function parseModelJson(input: unknown, fail: (message: string) => Error): ModelJson {
  const parsed = parseOr(modelJson, input, 'model.json', fail);
  return { ...parsed, modelTopology: parseTopology(parsed.modelTopology, 'model.json', fail) };
}

/** The layers of a topology, whichever of its two forms. */
export const layersOfTopology = (t: Topology) => (Array.isArray(t.config) ? t.config : t.config.layers);

const charMetadata = v.looseObject({
  kind: v.literal('charLstm'),
  vocab: v.pipe(v.array(v.string()), v.minLength(2, 'at least 2 characters')),
  options: v.looseObject({ lowercase: v.boolean(), maxVocab: wholeNumber(0, 65535) }),
  config: v.looseObject({
    kind: v.literal('charLstm'),
    embedding: wholeNumber(1),
    layers: wholeNumber(1),
    units: wholeNumber(1),
    dropout: v.number(),
    window: wholeNumber(1),
  }),
  corpus: v.string(),
});

const transformerMetadata = v.looseObject({
  kind: v.literal('charTransformer'),
  vocab: v.pipe(v.array(v.string()), v.minLength(2, 'at least 2 characters')),
  options: v.looseObject({ lowercase: v.boolean(), maxVocab: wholeNumber(0, 65535) }),
  config: v.looseObject({
    kind: v.literal('charTransformer'),
    layers: wholeNumber(1),
    heads: wholeNumber(1),
    width: wholeNumber(1),
    context: wholeNumber(2),
    dropout: v.number(),
    tied: v.boolean(),
  }),
  corpus: v.string(),
});

/** The char model metadata (char-LSTM or char-Transformer) of a model.json or .nnq, or `fail`'s error. */
export function parseCharMetadata(metadata: unknown, where: string, fail: (message: string) => Error): CharLstmMetadata | CharTransformerMetadata {
  const kind = (metadata as { kind?: unknown } | null)?.kind;
  if (kind === 'charTransformer') {
    const meta = parseOr(transformerMetadata, metadata, where, fail, 'userDefinedMetadata');
    const problems = [...validateTransformerConfig(meta.config), ...validateCorpusOptions(meta.options)];
    if (problems.length) throw fail(`${where}: userDefinedMetadata: ${problems[0]}`);
    return meta;
  }
  if (kind !== 'charLstm') {
    throw fail('This model carries no char-LSTM or char-Transformer vocabulary; choose a char model exported from the Text tab.');
  }
  const meta = parseOr(charMetadata, metadata, where, fail, 'userDefinedMetadata');
  const problems = [...validateCharConfig(meta.config), ...validateCorpusOptions(meta.options)];
  if (problems.length) throw fail(`${where}: userDefinedMetadata: ${problems[0]}`);
  return meta;
}
