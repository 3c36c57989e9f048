import type { AppState } from '../store/store';
import type { ConvBlockSpec, DenseSpec } from '../../engine/models/config';
import { ACTIVATIONS } from '../../engine/models/config';

/** Which validator judges a value read from a link (one per settings group). */
export type Section = 'app' | 'mlp' | 'cnn' | 'train' | 'corpus' | 'char' | 'textTrain' | 'textOnly' | 'generate' | 'compress';

/** One setting as it appears in the query string: `key=text`. */
export interface UrlField {
  key: string;
  /** What the setting is called in notices. */
  label: string;
  section: Section;
  format(s: AppState): string;
  /** The state with this value, or null when the text is not of the right kind (not a number, unknown name). */
  parse(s: AppState, text: string): AppState | null;
}

/** Numbers as typed: an empty input (NaN) is left out of the link. */
const numberText = (v: number) => (Number.isNaN(v) ? '' : String(v));
const parseNumber = (t: string) => (t.trim() === '' ? NaN : Number(t));

export function numberField(
  key: string,
  label: string,
  section: Section,
  get: (s: AppState) => number,
  set: (s: AppState, v: number) => AppState,
): UrlField {
  return {
    key,
    label,
    section,
    format: (s) => numberText(get(s)),
    parse: (s, t) => {
      const v = parseNumber(t);
      return Number.isFinite(v) ? set(s, v) : null;
    },
  };
}

export function choiceField<T extends string | number>(
  key: string,
  label: string,
  section: Section,
  options: readonly T[],
  get: (s: AppState) => T,
  set: (s: AppState, v: T) => AppState,
): UrlField {
  return {
    key,
    label,
    section,
    format: (s) => String(get(s)),
    parse: (s, t) => {
      const v = options.find((o) => String(o) === t);
      return v === undefined ? null : set(s, v);
    },
  };
}

export function flagField(
  key: string,
  label: string,
  section: Section,
  get: (s: AppState) => boolean,
  set: (s: AppState, v: boolean) => AppState,
): UrlField {
  return choiceField(
    key,
    label,
    section,
    ['0', '1'] as const,
    (s) => (get(s) ? '1' : '0'),
    (s, v) => set(s, v === '1'),
  );
}

export function textField(
  key: string,
  label: string,
  section: Section,
  get: (s: AppState) => string,
  set: (s: AppState, v: string) => AppState,
): UrlField {
  return { key, label, section, format: get, parse: set };
}

// Layer lists in characters a query string keeps as they are: layers joined by '_', parts by '-'.
const NONE = 'none';

/** [{64, relu}, {32, tanh}] <-> "64-relu_32-tanh"; an empty list is "none". */
export const denseCodec = {
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
export const convCodec = {
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

export function listField<T>(
  key: string,
  label: string,
  section: Section,
  codec: { format: (v: T) => string; parse: (t: string) => T | null },
  get: (s: AppState) => T,
  set: (s: AppState, v: T) => AppState,
): UrlField {
  return {
    key,
    label,
    section,
    format: (s) => codec.format(get(s)),
    parse: (s, t) => {
      const v = codec.parse(t);
      return v === null ? null : set(s, v);
    },
  };
}
