/**
 * A topology's size from its JSON alone, before tfjs allocates anything: each layer's settings are checked against
 * its class's schema and its parameters counted from the shapes flowing through the model. A model above the limit
 * is refused with its figures, as is a layer this page cannot size (it reads the layers it builds and their kin).
 */
import * as v from 'valibot';
import { parseOr, plainObject, wholeNumber } from '../config/schema';
import { weightLayout } from '../config/charTransformer';
import { layersOfTopology, type Topology } from './modelJson';

/** The most float32 weight bytes a model may have in a browser tab (1 GB: 250 million parameters). */
const MAX_MODEL_BYTES = 1e9;

type Shape = (number | null)[];
type Fail = (message: string) => Error;

/** '4.2 GB', '85.3 MB', '12 kB'. */
function formatBytes(n: number): string {
  const [value, unit] = n >= 1e9 ? [n / 1e9, 'GB'] : n >= 1e6 ? [n / 1e6, 'MB'] : [n / 1e3, 'kB'];
  return `${Number.isFinite(value) && value < 1e6 ? Number(value.toFixed(1)) : value.toExponential(1)} ${unit}`;
}

const count = (n: number) => (n >= 1e15 ? n.toExponential(2) : Math.round(n).toLocaleString('en-US'));

const pair = v.union([wholeNumber(1), v.tuple([wholeNumber(1), wholeNumber(1)])], 'a whole number or two');
const twice = (p: number | [number, number] | undefined, fallback: [number, number]): [number, number] =>
  p === undefined ? fallback : typeof p === 'number' ? [p, p] : p;
const dims = v.array(v.union([wholeNumber(0), v.null()], 'a whole number or null'));
const common = {
  batch_input_shape: v.optional(dims),
  input_shape: v.optional(dims),
  use_bias: v.optional(v.boolean()),
  dtype: v.optional(v.picklist(['float32', 'int32'])),
  trainable: v.optional(v.boolean()),
};
const dataFormat = v.optional(v.picklist(['channels_last', 'channels_first']));
const pooling = v.looseObject({
  ...common,
  pool_size: v.optional(pair),
  strides: v.optional(v.nullable(pair)),
  padding: v.optional(v.picklist(['valid', 'same'])),
  data_format: dataFormat,
});
const recurrent = v.looseObject({ ...common, units: wholeNumber(1), return_sequences: v.optional(v.boolean()) });

/** A weight a layer makes: its name after the layer's ('kernel', 'bias') and its shape. */
type LayerWeight = [string, number[]];

const withBias = (c: Record<string, unknown>, kernel: LayerWeight[], bias: number[]): LayerWeight[] =>
  c.use_bias === false ? kernel : [...kernel, ['bias', bias]];

/** One layer class: its settings' schema and what it does to a shape (the weights it makes, its output). */
interface LayerRule {
  config: v.GenericSchema<unknown, Record<string, unknown>>;
  size(c: Record<string, unknown>, input: Shape, at: string, fail: Fail): { weights: LayerWeight[]; output: Shape };
}

/** The last axis (channels_last) or the first after the batch (channels_first), which must be known. */
function known(n: number | null | undefined, what: string, at: string, fail: Fail): number {
  if (typeof n !== 'number') throw fail(`model.json: ${at}: its input's ${what} is not known; give the model an input shape.`);
  return n;
}

const same = (config: LayerRule['config']): LayerRule => ({ config, size: (_c, input) => ({ weights: [], output: input }) });

/** Output length of a window sliding over n: tfjs's convOutputLength. */
const slide = (n: number | null, k: number, stride: number, padding: string, dilation = 1) =>
  n === null ? null : padding === 'same' ? Math.ceil(n / stride) : Math.max(0, Math.ceil((n - (k - 1) * dilation) / stride));

function spatial(c: Record<string, unknown>, input: Shape, at: string, fail: Fail) {
  if (input.length !== 4) throw fail(`model.json: ${at}: takes images [batch, height, width, channels], got an input of rank ${input.length}.`);
  const first = c.data_format === 'channels_first';
  const [h, w] = first ? input.slice(2) : input.slice(1, 3);
  return { h, w, channels: first ? input[1] : input[3], first };
}

const pool: LayerRule = {
  config: pooling,
  size(c, input, at, fail) {
    const { h, w, channels, first } = spatial(c, input, at, fail);
    const [ph, pw] = twice(c.pool_size as never, [2, 2]);
    const [sh, sw] = twice((c.strides ?? undefined) as never, [ph, pw]);
    const pad = (c.padding as string) ?? 'valid';
    const [oh, ow] = [slide(h, ph, sh, pad), slide(w, pw, sw, pad)];
    return { weights: [], output: first ? [input[0], channels, oh, ow] : [input[0], oh, ow, channels] };
  },
};

const RULES: Record<string, LayerRule> = {
  InputLayer: same(v.looseObject(common)),
  Dropout: same(v.looseObject({ ...common, rate: v.optional(v.number()) })),
  Activation: same(v.looseObject(common)),
  Dense: {
    config: v.looseObject({ ...common, units: wholeNumber(1) }),
    size(c, input, at, fail) {
      const inputs = known(input.at(-1), 'last size', at, fail);
      const units = c.units as number;
      return { weights: withBias(c, [['kernel', [inputs, units]]], [units]), output: [...input.slice(0, -1), units] };
    },
  },
  Conv2D: {
    config: v.looseObject({
      ...common,
      filters: wholeNumber(1),
      kernel_size: pair,
      strides: v.optional(pair),
      dilation_rate: v.optional(pair),
      padding: v.optional(v.picklist(['valid', 'same', 'causal'])),
      data_format: dataFormat,
    }),
    size(c, input, at, fail) {
      const { h, w, channels, first } = spatial(c, input, at, fail);
      const inChannels = known(channels, 'channel count', at, fail);
      const [kh, kw] = twice(c.kernel_size as never, [1, 1]);
      const [sh, sw] = twice(c.strides as never, [1, 1]);
      const [dh, dw] = twice(c.dilation_rate as never, [1, 1]);
      const pad = (c.padding as string) ?? 'valid';
      const f = c.filters as number;
      const [oh, ow] = [slide(h, kh, sh, pad, dh), slide(w, kw, sw, pad, dw)];
      return { weights: withBias(c, [['kernel', [kh, kw, inChannels, f]]], [f]), output: first ? [input[0], f, oh, ow] : [input[0], oh, ow, f] };
    },
  },
  MaxPooling2D: pool,
  AveragePooling2D: pool,
  Flatten: {
    config: v.looseObject(common),
    size(_c, input, at, fail) {
      const rest = input.slice(1).map((n) => known(n, 'shape', at, fail));
      return { weights: [], output: [input[0], rest.reduce((a, b) => a * b, 1)] };
    },
  },
  Reshape: {
    config: v.looseObject({ ...common, target_shape: v.array(v.union([wholeNumber(1), v.literal(-1)], 'a whole number of at least 1, or -1')) }),
    size(c, input, at, fail) {
      const target = c.target_shape as number[];
      const total = input.slice(1).reduce<number>((a, n) => a * known(n, 'shape', at, fail), 1);
      const fixed = target.reduce((a, n) => (n === -1 ? a : a * n), 1);
      return { weights: [], output: [input[0], ...target.map((n) => (n === -1 ? total / fixed : n))] };
    },
  },
  BatchNormalization: {
    config: v.looseObject({ ...common, axis: v.optional(v.number()), center: v.optional(v.boolean()), scale: v.optional(v.boolean()) }),
    size(c, input, at, fail) {
      const n = [known(input.at(typeof c.axis === 'number' ? c.axis : -1), 'normalized axis', at, fail)];
      const names = [c.scale === false ? '' : 'gamma', c.center === false ? '' : 'beta', 'moving_mean', 'moving_variance'];
      return { weights: names.filter(Boolean).map((w): LayerWeight => [w, n]), output: input };
    },
  },
  Embedding: {
    config: v.looseObject({ ...common, input_dim: wholeNumber(1), output_dim: wholeNumber(1) }),
    size: (c, input) => ({ weights: [['embeddings', [c.input_dim as number, c.output_dim as number]]], output: [...input, c.output_dim as number] }),
  },
  LSTM: recurrentRule(4),
  // the char-Transformer's one layer (families/charTransformer/layer.ts): its weights are nanoGPT's, by name
  CharGpt: {
    config: v.looseObject({
      ...common,
      layers: wholeNumber(1, 12),
      heads: wholeNumber(1, 16),
      width: wholeNumber(1, 1024),
      context: wholeNumber(2, 1000),
      dropout: v.number(),
      tied: v.boolean(),
      vocab: wholeNumber(2),
    }),
    size(c, input) {
      const config = {
        kind: 'charTransformer' as const,
        ...(c as { layers: number; heads: number; width: number; context: number; dropout: number; tied: boolean }),
      };
      const vocab = c.vocab as number;
      return { weights: weightLayout(config, vocab).map(([n, shape]): LayerWeight => [n, shape]), output: [...input, vocab] };
    },
  },
  GRU: recurrentRule(3),
  SimpleRNN: recurrentRule(1),
};

function recurrentRule(gates: number): LayerRule {
  return {
    config: recurrent,
    size(c, input, at, fail) {
      if (input.length !== 3) throw fail(`model.json: ${at}: takes sequences [batch, time, features], got an input of rank ${input.length}.`);
      const inputs = known(input[2], 'feature count', at, fail);
      const u = c.units as number;
      const kernels: LayerWeight[] = [
        ['kernel', [inputs, gates * u]],
        ['recurrent_kernel', [u, gates * u]],
      ];
      return { weights: withBias(c, kernels, [gates * u]), output: c.return_sequences ? [input[0], input[1], u] : [input[0], u] };
    },
  };
}

/** Layers that join several inputs (functional models). */
const MERGE = new Set(['Add', 'Average', 'Multiply', 'Maximum', 'Minimum', 'Concatenate']);

/** The initialisers, regularisers and constraints tfjs knows, by the config key's ending: tfjs builds them from their names. */
const PARTS = {
  initializer: [
    'Zeros',
    'Ones',
    'Constant',
    'RandomUniform',
    'RandomNormal',
    'TruncatedNormal',
    'VarianceScaling',
    'GlorotUniform',
    'GlorotNormal',
    'HeNormal',
    'HeUniform',
    'LeCunNormal',
    'LeCunUniform',
    'Orthogonal',
    'Identity',
  ],
  regularizer: ['L1L2', 'L1', 'L2'],
  constraint: ['MaxNorm', 'UnitNorm', 'NonNeg', 'MinMaxNorm'],
} as const;
const PART_SCHEMAS = Object.fromEntries(
  Object.entries(PARTS).map(([kind, names]) => [kind, v.nullable(v.looseObject({ class_name: v.picklist(names), config: plainObject }))]),
);

/** Every `*_initializer`, `*_regularizer` and `*_constraint` of a layer's settings is null or one tfjs knows; activations are names. */
function checkParts(config: Record<string, unknown>, at: string, fail: Fail): void {
  for (const [key, value] of Object.entries(config)) {
    // tfjs would build an object given here (a whole model, even) as the activation
    if (/(^|_)activation$/.test(key)) parseOr(v.nullable(v.string()), value, 'model.json', fail, `${at}.config.${key}`);
    const kind = /_(initializer|regularizer|constraint)$/.exec(key)?.[1];
    if (kind) parseOr(PART_SCHEMAS[kind], value, 'model.json', fail, `${at}.config.${key}`);
  }
}

const functionalLayer = v.looseObject({
  name: v.string(),
  inbound_nodes: v.array(v.array(v.array(v.unknown()))),
});

type Layer = ReturnType<typeof layersOfTopology>[number];

/** The layer's input shapes: a Sequential's previous output, or a functional layer's inbound layers' outputs. */
function inputsOf(layer: Layer, previous: Shape | null, outputs: Map<string, Shape>, functional: boolean, at: string, fail: Fail): Shape[] {
  const own = (layer.config.batch_input_shape ?? (layer.config.input_shape ? [null, ...(layer.config.input_shape as Shape)] : null)) as Shape | null;
  if (!functional) {
    const input = previous ?? own;
    if (!input) throw fail(`model.json: ${at}: the first layer has no batch_input_shape; the model's input size is not known.`);
    return [input];
  }
  const f = parseOr(functionalLayer, layer, 'model.json', fail, at);
  if (f.inbound_nodes.length === 0) {
    if (!own) throw fail(`model.json: ${at}: an input layer without batch_input_shape.`);
    return [own];
  }
  return f.inbound_nodes[0].map((node, j) => {
    const from = outputs.get(String(node[0]));
    if (!from) throw fail(`model.json: ${at}.inbound_nodes[0][${j}]: names layer "${String(node[0])}", which does not come before it.`);
    return from;
  });
}

/** A weight the topology makes: its full name ('dense_Dense1/kernel') and shape. */
interface ExpectedWeight {
  name: string;
  shape: number[];
}

/** The weights a topology makes, in layer order, every layer's settings checked; `fail` makes the reader's error. */
function topologyWeights(topology: Topology, fail: Fail): ExpectedWeight[] {
  const layers = layersOfTopology(topology);
  const functional = !Array.isArray(topology.config) && topology.class_name !== 'Sequential';
  const base = Array.isArray(topology.config) ? 'modelTopology.config' : 'modelTopology.config.layers';
  const outputs = new Map<string, Shape>();
  const weights: ExpectedWeight[] = [];
  let previous: Shape | null = null;
  layers.forEach((layer, i) => {
    const at = `${base}[${i}]`;
    const inputs = inputsOf(layer, previous, outputs, functional, at, fail);
    const layerName = (layer as { name?: unknown }).name ?? layer.config.name;
    if (typeof layerName === 'string' && outputs.has(layerName))
      throw fail(`model.json: ${at}: a second layer named "${layerName}"; layer names must differ.`);
    let output: Shape;
    if (MERGE.has(layer.class_name)) {
      output = merged(layer.class_name, inputs);
    } else {
      const rule = RULES[layer.class_name];
      if (!rule) {
        throw fail(
          `model.json: ${at}: uses a layer this page does not know: ${layer.class_name} (it reads ${[...Object.keys(RULES), ...MERGE].join(', ')}).`,
        );
      }
      const config = parseOr(rule.config, layer.config, 'model.json', fail, `${at}.config`);
      checkParts(config, at, fail);
      const sized = rule.size(config, inputs[0], at, fail);
      if (sized.weights.length && typeof layerName !== 'string') {
        throw fail(`model.json: ${at}.config.name is missing; tfjs finds a layer's weights by its name.`);
      }
      for (const [suffix, shape] of sized.weights) weights.push({ name: `${layerName as string}/${suffix}`, shape });
      output = sized.output;
    }
    outputs.set(String(layerName ?? i), output);
    previous = output;
  });
  return weights;
}

/** A merge layer's output: Concatenate joins the last axis, the others keep their first input's shape. */
function merged(className: string, inputs: Shape[]): Shape {
  if (className !== 'Concatenate') return inputs[0];
  const last = inputs[0].length - 1;
  return inputs[0].map((n, k) =>
    k === last ? inputs.reduce<number | null>((a, s) => (a === null || s[k] == null ? null : a + (s[k] as number)), 0) : n,
  );
}

/** Parameter count and float32 bytes of a topology. */
export function topologySize(topology: Topology, fail: Fail): { parameters: number; bytes: number } {
  const parameters = topologyWeights(topology, fail).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  return { parameters, bytes: parameters * 4 };
}

const shapeText = (shape: number[]) => `[${shape.join(', ')}]`;

/** The manifest's weights against those the topology makes, by name (as tfjs loads them). */
function checkManifest(expected: ExpectedWeight[], specs: { name: string; shape: number[] }[], fail: Fail): void {
  const byName = new Map(specs.map((s) => [s.name, s]));
  if (byName.size !== specs.length) {
    throw fail(`model.json: the weights manifest names ${specs.find((s, i) => specs.findIndex((t) => t.name === s.name) !== i)!.name} twice.`);
  }
  expected.forEach((w) => {
    const spec = byName.get(w.name);
    if (!spec) throw fail(`model.json: the weights manifest has no ${w.name}, which the topology makes.`);
    if (shapeText(spec.shape) !== shapeText(w.shape)) {
      throw fail(
        `model.json: weight ${spec.name} is ${shapeText(spec.shape)} in the weights manifest, but the topology makes it ${shapeText(w.shape)}.`,
      );
    }
  });
  if (specs.length !== expected.length) {
    const extra = specs.find((s) => !expected.some((w) => w.name === s.name))?.name;
    throw fail(
      `model.json: the weights manifest lists ${specs.length} weights but the topology makes ${expected.length}${extra ? ` (${extra} belongs to no layer)` : ''}.`,
    );
  }
}

/**
 * The topology's size, checked before anything is allocated: above the limit it is `fail`'s error with the figures
 * ('this model needs 4.2 GB; the limit is 1 GB in a browser tab'), and the model's weights in the manifest (when
 * given) must be the ones the topology makes.
 */
export function checkTopology(
  topology: Topology,
  specs: { name: string; shape: number[] }[] | null,
  fail: Fail,
): { parameters: number; bytes: number } {
  const expected = topologyWeights(topology, fail);
  const parameters = expected.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  const bytes = parameters * 4;
  if (!(bytes <= MAX_MODEL_BYTES)) {
    throw fail(
      `This model has ${count(parameters)} parameters and needs ${formatBytes(bytes)} for its weights; the limit is ${formatBytes(MAX_MODEL_BYTES)} in a browser tab.`,
    );
  }
  if (specs) checkManifest(expected, specs, fail);
  return { parameters, bytes };
}
