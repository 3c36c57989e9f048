import type { AppState } from '../store/store';
import { type ConvBlockSpec, type DenseSpec, ACTIVATIONS } from '../../engine/config/imageModel';

/** Which validator judges a value read from a link (one per settings group). */
export type Section = 'app' | 'mlp' | 'cnn' | 'train' | 'corpus' | 'char' | 'textTrain' | 'textOnly' | 'generate' | 'compress';

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
} & ({ type: 'number' | 'flag' | 'text' | 'dense' | 'conv' } | { type: 'choice'; choices: readonly (string | number)[] });

/** A value <-> its text in the link; null when the text is not of the right kind (not a number, unknown name). */
interface ValueCodec {
  format(v: unknown): string;
  parse(text: string): unknown;
}

// Layer lists in characters a query string keeps as they are: layers joined by '_', parts by '-'.
const NONE = 'none';

/** [{64, relu}, {32, tanh}] <-> "64-relu_32-tanh"; an empty list is "none". */
const denseCodec = {
  format: (layers: DenseSpec[]) => (layers.length ? layers.map((l) => `${l.units}-${l.activation}`).join('_') : NONE),
  parse(text: string): DenseSpec[] | null {
    if (text === NONE) return [];
    const layers = text.split('_').map((part) => {
      const [units, activation, ...rest] = part.split('-');
      const a = ACTIVATIONS.find((x) => x === activation);
      return rest.length === 0 && /^\d+$/.test(units) && a ? { units: Number(units), activation: a } : null;
    });
    return layers.every((l) => l !== null) ? (layers as DenseSpec[]) : null;
  },
};

/** Conv blocks as filters-kernel-padding-activation-pool, e.g. "6-5-same-relu-max_16-5-valid-relu-max". */
const convCodec = {
  format: (blocks: ConvBlockSpec[]) =>
    blocks.length ? blocks.map((b) => [b.filters, b.kernelSize, b.padding, b.activation, b.pool].join('-')).join('_') : NONE,
  parse(text: string): ConvBlockSpec[] | null {
    if (text === NONE) return [];
    const blocks = text.split('_').map((part): ConvBlockSpec | null => {
      const [filters, kernel, padding, activation, pool, ...rest] = part.split('-');
      const a = ACTIVATIONS.find((x) => x === activation);
      if (rest.length || !/^\d+$/.test(filters ?? '') || !/^\d+$/.test(kernel ?? '') || !a) return null;
      if ((padding !== 'same' && padding !== 'valid') || (pool !== 'max' && pool !== 'avg' && pool !== 'none')) return null;
      return { filters: Number(filters), kernelSize: Number(kernel), padding, activation: a, pool };
    });
    return blocks.every((b) => b !== null) ? (blocks as ConvBlockSpec[]) : null;
  },
};

const CODECS: Record<Exclude<UrlField['type'], 'choice'>, ValueCodec> = {
  // numbers as typed: an empty input (NaN) is left out of the link
  number: {
    format: (v) => (Number.isNaN(v) ? '' : String(v)),
    parse(t) {
      const v = t.trim() === '' ? NaN : Number(t);
      return Number.isFinite(v) ? v : null;
    },
  },
  flag: { format: (v) => (v ? '1' : '0'), parse: (t) => (t === '1' ? true : t === '0' ? false : null) },
  text: { format: (v) => v as string, parse: (t) => t },
  dense: { format: (v) => denseCodec.format(v as DenseSpec[]), parse: denseCodec.parse },
  conv: { format: (v) => convCodec.format(v as ConvBlockSpec[]), parse: convCodec.parse },
};

const codecOf = (f: UrlField): ValueCodec =>
  f.type === 'choice' ? { format: String, parse: (t) => f.choices.find((o) => String(o) === t) ?? null } : CODECS[f.type];

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
  const v = codecOf(f).parse(text);
  return v === null ? null : (withValue(s, f.path.split('.'), v) as AppState);
}

/** The row's own range check: 'Target sparsity must be from 0 to 0.99, got 1.5.' */
export function rangeProblems(f: UrlField, s: AppState): string[] {
  if (!f.range) return [];
  const v = valueAt(s, f.path) as number;
  const { min, max, whole = false } = f.range;
  const what = f.label[0].toUpperCase() + f.label.slice(1);
  return (whole ? Number.isInteger(v) : Number.isFinite(v)) && v >= min && v <= max
    ? []
    : [`${what} must be ${whole ? 'a whole number ' : ''}from ${min} to ${max}, got ${v}.`];
}
