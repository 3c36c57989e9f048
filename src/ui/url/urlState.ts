import { AppState, initialState } from '../store/store';
import { BACKEND_ORDER, parseBackendName } from '../../engine/config/backends';
import { CHAR_PRESETS, CharPresetName } from '../../engine/config/charModel';
import { TRANSFORMER_PRESETS, type TransformerPresetName } from '../../engine/config/charTransformer';
import { formatField, parseField } from './codec';
import { URL_FIELDS, VALIDATORS } from './schema';

const BACKEND_KEY = 'backend';
/** Read by boot() for the page itself (test hooks, runs kept or not), not settings of the experiment. */
const PAGE_KEYS = new Set(['testHooks', 'storage']);
const DEFAULTS = initialState();
const BY_KEY = new Map(URL_FIELDS.map((f) => [f.key, f]));

/** The query string for a state: only the settings that differ from the defaults, so links stay short. */
/** Each field's text for the defaults, worked out once (the address bar is re-encoded on every store update). */
let defaultTexts: string[] | null = null;

export function encodeSettings(s: AppState): URLSearchParams {
  const params = new URLSearchParams();
  defaultTexts ??= URL_FIELDS.map((f) => formatField(f, DEFAULTS));
  URL_FIELDS.forEach((f, i) => {
    const value = formatField(f, s);
    if (value !== '' && value !== defaultTexts![i]) params.set(f.key, value);
  });
  // a backend the user picked; the automatic per-model choice is not a setting of the experiment
  if (!s.backend.auto && s.backend.active) params.set(BACKEND_KEY, s.backend.active);
  return params;
}

export interface DecodedSettings {
  state: AppState;
  /** One user-facing sentence per value that was ignored. */
  problems: string[];
}

/** Applies a link's settings to `start`; a value that does not parse or fails its group's check keeps the default. */
export function decodeSettings(params: URLSearchParams, start: AppState = initialState()): DecodedSettings {
  let state = start;
  const problems: string[] = [];
  for (const [key, text] of params) {
    if (key === BACKEND_KEY) {
      if (!parseBackendName(text))
        problems.push(`The link asks for backend "${text}", which is not one of ${BACKEND_ORDER.join(', ')}; the fastest backend is chosen instead.`);
      continue; // boot() starts the engine on it
    }
    if (PAGE_KEYS.has(key)) continue;
    const field = BY_KEY.get(key);
    if (!field) {
      problems.push(`The link's setting "${key}" is unknown here (perhaps from an older version) and was ignored.`);
      continue;
    }
    const next = parseField(field, state, text);
    const kept = formatField(field, state) || 'empty';
    if (next === null) {
      problems.push(`The link's ${field.label} "${text}" is not valid; using ${kept}.`);
      continue;
    }
    const errors = VALIDATORS[field.section](next);
    if (errors.length) {
      problems.push(`The link's ${field.label} "${text}" was ignored: ${errors[0]} Using ${kept}.`);
      continue;
    }
    state = next;
  }
  return { state: { ...state, text: { ...state.text, preset: presetOf(state), gptPreset: gptPresetOf(state) } }, problems };
}

/** The preset whose configuration the char-LSTM matches, or 'custom'. */
function presetOf(s: AppState): CharPresetName | 'custom' {
  const same = (name: CharPresetName) => JSON.stringify(CHAR_PRESETS[name].config) === JSON.stringify(s.text.model);
  return (Object.keys(CHAR_PRESETS) as CharPresetName[]).find(same) ?? 'custom';
}

/** The preset whose configuration the char-Transformer matches, or 'custom'. */
function gptPresetOf(s: AppState): TransformerPresetName | 'custom' {
  const same = (name: TransformerPresetName) => JSON.stringify(TRANSFORMER_PRESETS[name]) === JSON.stringify(s.text.gpt);
  return (Object.keys(TRANSFORMER_PRESETS) as TransformerPresetName[]).find(same) ?? 'custom';
}
