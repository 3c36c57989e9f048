import type { AppState } from '../store/store';
import * as v from 'valibot';
import { type Activation, type ConvBlockSpec, type DenseSpec, ACTIVATIONS } from '../../engine/config/imageModel';
import type { CharTransformerConfig } from '../../engine/config/charTransformer';

/** Which validator judges a value read from a link (one per settings group). */
export type Section = 'app' | 'mlp' | 'cnn' | 'train' | 'corpus' | 'char' | 'gpt' | 'textTrain' | 'textOnly' | 'generate' | 'compress';

/** One setting as it appears in the query string, `key=text`: a data row read by the codec below. */
export type UrlField = {
  key: string;
  /** What the setting is called in notices. */
  label: string;
  section: Section;
  /** Where the value lives in the state, dot-separated: 'train.config.learningRate'. */
  path: string;
  /** Checked here, as the engine has no validator for it: from min to max, a whole number when `whole`. */
  range?: { min: number; max: number; whole?: boolean };
} & ({ type: 'number' | 'flag' | 'text' | 'dense' | 'conv' | 'gpt' } | { type: 'choice'; choices: readonly (string | number)[] });

/** A value <-> its text in the link: `format` writes it, `read` (a valibot schema from the text) reads it back. */
interface ValueCodec {
  format(v: unknown): string;
  read: v.GenericSchema<string, unknown>;
}

// Layer lists in characters a query string keeps as they are: layers joined by '_', parts by '-'.
const NONE = 'none';
const activation = `(${ACTIVATIONS.join('|')})`;
const denseLayer = `(\\d+)-${activation}`;
const convBlock = `(\\d+)-(\\d+)-(same|valid)-${activation}-(max|avg|none)`;
const listOf = (part: string) => new RegExp(`^${part}(_${part})*$`);

/** A layer list: "none" for no layers, else parts matching `part` joined by '_', each made into a layer by `make`. */
function layerList<T>(part: string, make: (fields: string[]) => T): v.GenericSchema<string, T[]> {
  const one = new RegExp(`^${part}$`);
  return v.union([
    v.pipe(
      v.literal(NONE),
      v.transform((): T[] => []),
    ),
    v.pipe(
      v.string(),
      v.regex(listOf(part)),
      v.transform((t) => t.split('_').map((layer) => make(one.exec(layer)!.slice(1)))),
    ),
  ]);
}

/** [{64, relu}, {32, tanh}] <-> "64-relu_32-tanh"; an empty list is "none". */
const denseCodec: ValueCodec = {
  format: (layers) => ((layers as DenseSpec[]).length ? (layers as DenseSpec[]).map((l) => `${l.units}-${l.activation}`).join('_') : NONE),
  read: layerList(denseLayer, ([units, a]): DenseSpec => ({ units: Number(units), activation: a as Activation })),
};

/** Conv blocks as filters-kernel-padding-activation-pool, e.g. "6-5-same-relu-max_16-5-valid-relu-max". */
const convCodec: ValueCodec = {
  format: (blocks) =>
    (blocks as ConvBlockSpec[]).length
      ? (blocks as ConvBlockSpec[]).map((b) => [b.filters, b.kernelSize, b.padding, b.activation, b.pool].join('-')).join('_')
      : NONE,
  read: layerList(convBlock, ([filters, kernel, padding, a, pool]): ConvBlockSpec => ({
    filters: Number(filters),
    kernelSize: Number(kernel),
    padding: padding as ConvBlockSpec['padding'],
    activation: a as Activation,
    pool: pool as ConvBlockSpec['pool'],
  })),
};

/**
 * The char-Transformer's settings as one value, layers-heads-width-context-dropout-(tied|untied), e.g.
 * "2-4-64-64-0.1-tied": one value because heads and width are checked together (width a multiple of heads).
 */
const GPT_SETTINGS = /^(\d+)-(\d+)-(\d+)-(\d+)-(\d+(?:\.\d+)?(?:e-\d+)?)-(tied|untied)$/;
const gptCodec: ValueCodec = {
  format: (c) => {
    const { layers, heads, width, context, dropout, tied } = c as CharTransformerConfig;
    const numbers = [layers, heads, width, context, dropout];
    return numbers.some((n) => !Number.isFinite(n)) ? '' : `${numbers.join('-')}-${tied ? 'tied' : 'untied'}`; // a half-typed field: left out
  },
  read: v.pipe(
    v.string(),
    v.regex(GPT_SETTINGS),
    v.transform((t): CharTransformerConfig => {
      const [layers, heads, width, context, dropout] = GPT_SETTINGS.exec(t)!.slice(1, 6).map(Number);
      return { kind: 'charTransformer', layers, heads, width, context, dropout, tied: t.endsWith('-tied') };
    }),
  ),
};

const CODECS: Record<Exclude<UrlField['type'], 'choice'>, ValueCodec> = {
  // numbers as typed: an empty input (NaN) is left out of the link
  number: {
    format: (n) => (Number.isNaN(n) ? '' : String(n)),
    read: v.pipe(v.string(), v.trim(), v.nonEmpty(), v.transform(Number), v.finite()),
  },
  flag: {
    format: (f) => (f ? '1' : '0'),
    read: v.pipe(
      v.picklist(['0', '1']),
      v.transform((t) => t === '1'),
    ),
  },
  text: { format: (t) => t as string, read: v.string() },
  dense: denseCodec,
  conv: convCodec,
  gpt: gptCodec,
};

const choiceCodec = (choices: readonly (string | number)[]): ValueCodec => ({
  format: String,
  read: v.union(
    choices.map((c) =>
      v.pipe(
        v.literal(String(c)),
        v.transform(() => c),
      ),
    ),
  ),
});

const codecOf = (f: UrlField): ValueCodec => (f.type === 'choice' ? choiceCodec(f.choices) : CODECS[f.type]);

/** The value at `path` in the state. */
export const valueAt = (s: AppState, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], s);

/** A copy of `o` with `value` at `keys`, every object on the way copied: the state it was tried on stays untouched. */
function withValue(o: unknown, keys: string[], value: unknown): unknown {
  if (!keys.length) return value;
  const [k, ...rest] = keys;
  const obj = o as Record<string, unknown>;
  return { ...obj, [k]: withValue(obj[k], rest, value) };
}

/** The setting's text in the link. */
export const formatField = (f: UrlField, s: AppState): string => codecOf(f).format(valueAt(s, f.path));

/** The state with the link's value, or null when the text is not of the right kind. */
export function parseField(f: UrlField, s: AppState, text: string): AppState | null {
  const read = v.safeParse(codecOf(f).read, text);
  return read.success ? (withValue(s, f.path.split('.'), read.output) as AppState) : null;
}

/** The row's range as a schema: 'Target sparsity must be from 0 to 0.99, got 1.5.' when the value is outside it. */
const rangeSchema = (f: UrlField & { range: NonNullable<UrlField['range']> }) => {
  const { min, max, whole = false } = f.range;
  const what = f.label[0].toUpperCase() + f.label.slice(1);
  return v.pipe(
    v.number(),
    v.check(
      (n) => (whole ? Number.isInteger(n) : Number.isFinite(n)) && n >= min && n <= max,
      (issue) => `${what} must be ${whole ? 'a whole number ' : ''}from ${min} to ${max}, got ${String(issue.input)}.`,
    ),
  );
};

/** The row's own range check, in the state: one sentence when the value is outside it. */
export function rangeProblems(f: UrlField, s: AppState): string[] {
  if (!f.range) return [];
  const checked = v.safeParse(rangeSchema(f as UrlField & { range: NonNullable<UrlField['range']> }), valueAt(s, f.path));
  return checked.success ? [] : [checked.issues[0].message];
}
