import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialState } from '../../../src/ui/store/store';
import { URL_FIELDS, VALIDATORS } from '../../../src/ui/url/schema';
import { decodeSettings, encodeSettings } from '../../../src/ui/url/urlState';
import { SEED } from '../fuzz';

/** Texts a link might carry: valid-looking values of every row type, their near misses and arbitrary strings. */
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '1',
    '-1',
    '1e309',
    'NaN',
    'Infinity',
    '0x10',
    '2.5',
    'none',
    '64-relu',
    '64-relu_',
    '_',
    '6-5-same-relu-max',
    '6-5-same-relu-max_16-5-valid-tanh-avg',
    '3-2-48-32-0.1-untied',
    '2-3-64-64-0-tied',
    '2-4-64-64-1e-7-tied',
  ),
  fc.constantFrom(
    'mlp',
    'cnn',
    'images',
    'text',
    'adam',
    'cosine',
    'symmetric',
    'channel',
    'gradual',
    'charTransformer',
    '4',
    '8',
    '16',
    'wasm',
    'quantum',
  ),
  fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.constantFrom(...['relu', 'tanh', 'foo', 'selu'])).map(([n, a]) => `${n}-${a}`),
  fc.double({ noNaN: false }).map(String),
);

const key = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...URL_FIELDS.map((f) => f.key), 'backend') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);

describe('links with random settings (fast-check)', () => {
  it('any query string gives a state whose every settings group is valid, one notice per value not used, and a link that reopens it', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, text), { maxLength: 8 }), (pairs) => {
        const params = new URLSearchParams(pairs);
        const { state, problems } = decodeSettings(params);
        for (const check of Object.values(VALIDATORS)) expect(check(state)).toEqual([]);
        expect(problems.length).toBeLessThanOrEqual(pairs.length);
        for (const p of problems) expect(p).toMatch(/^The link/);
        // the state read from the link is a link of its own, which reads back to the same settings and no notice
        const again = decodeSettings(encodeSettings(state));
        expect(again.problems).toEqual([]);
        expect(encodeSettings(again.state).toString()).toBe(encodeSettings(state).toString());
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('a link of a valid state edited at one character is read or refused with a notice, never thrown', () => {
    const base =
      encodeSettings({ ...initialState(), mode: 'text' }).toString() + '&lr=0.01&mlp=128-tanh_32-relu&cnn.conv=8-3-same-elu-avg&t.units=48';
    fc.assert(
      fc.property(fc.nat(), fc.string({ minLength: 0, maxLength: 2 }), (at, insert) => {
        const i = at % (base.length + 1);
        const { state } = decodeSettings(new URLSearchParams(base.slice(0, i) + insert + base.slice(i + 1)));
        for (const check of Object.values(VALIDATORS)) expect(check(state)).toEqual([]);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
