import { describe, expect, it } from 'vitest';
import { initialState } from '../../../src/ui/store/store';
import { valueAt } from '../../../src/ui/url/codec';
import { URL_FIELDS } from '../../../src/ui/url/schema';
import { decodeSettings } from '../../../src/ui/url/urlState';

const decodeFor = (query: string) => decodeSettings(new URLSearchParams(query));

describe('the link schema rows', () => {
  it('name each key once, and each path a value of the row type in the default state', () => {
    expect(new Set(URL_FIELDS.map((f) => f.key)).size).toBe(URL_FIELDS.length);
    const s = initialState();
    const kinds = URL_FIELDS.map((f) => {
      const v = valueAt(s, f.path);
      if (f.type === 'choice') return f.choices.includes(v as string | number) ? 'ok' : `${f.key}: ${String(v)} is not a choice`;
      const expected = { number: 'number', flag: 'boolean', text: 'string', dense: 'object', conv: 'object', gpt: 'object' }[f.type];
      const list = f.type === 'dense' || f.type === 'conv'; // layer lists; 'gpt' is one settings object
      return typeof v === expected && (expected !== 'object' || Array.isArray(v) === list) ? 'ok' : `${f.key}: ${typeof v}`;
    });
    expect(kinds.filter((k) => k !== 'ok')).toEqual([]);
  });

  it('checks the compression ranges with the same sentence as before', () => {
    const { problems } = decodeFor('c.sparsity=0.995&tc.tune=2.5&c.temp=0&c.depochs=5');
    expect(problems).toEqual([
      `The link's target sparsity "0.995" was ignored: Target sparsity must be from 0 to 0.99, got 0.995. Using 0.9.`,
      `The link's fine-tuning length "2.5" was ignored: Fine-tuning length must be a whole number from 1 to 100, got 2.5. Using 2.`,
      `The link's distillation temperature "0" was ignored: Distillation temperature must be from 0.1 to 100, got 0. Using 4.`,
    ]);
  });
});
