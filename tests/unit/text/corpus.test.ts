import { describe, expect, it } from 'vitest';
import {
  buildCorpus,
  buildVocabulary,
  decode,
  decodeText,
  encode,
  MIN_TEXT_CHARS,
  TextError,
  UNKNOWN,
  vocabularyFrom,
} from '../../../src/engine/text/corpus';
import { MAX_TEXT_BYTES } from '../../../src/engine/config/corpus';
import { evenStarts, splitPoint, windowIndices } from '../../../src/engine/families/charLstm/task';
import { sotuBytes } from '../mnist';

const utf8 = (s: string) => new TextEncoder().encode(s);
const messageOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TextError);
    return (e as Error).message;
  }
  throw new Error('expected a TextError');
};

describe('decoding a text file', () => {
  it('decodes UTF-8 and splits into code points: an emoji (surrogate pair) is one character', () => {
    const text = decodeText(utf8('naïve 中文 😀!'), 'a.txt');
    const corpus = buildCorpus(text.repeat(60), 'a.txt', 0, { lowercase: false, maxVocab: 0 });
    expect(corpus.info.chars).toBe(11 * 60);
    expect(corpus.vocab).toContain('😀');
    expect(corpus.vocab).toContain('中');
    expect(corpus.vocab).toContain('ï');
    expect(corpus.vocab.every((c) => [...c].length === 1)).toBe(true);
    expect(decode(corpus.ids, corpus.vocab)).toBe(text.repeat(60));
  });

  it('refuses an empty file', () => {
    expect(messageOf(() => decodeText(new Uint8Array(0), 'empty.txt'))).toBe('empty.txt is empty. Choose a plain-text file with some text in it.');
  });

  it('refuses binary files: NUL bytes, and bytes that are not UTF-8', () => {
    expect(messageOf(() => decodeText(new Uint8Array([72, 105, 0, 33]), 'x.bin'))).toContain('looks binary (it contains NUL bytes)');
    expect(messageOf(() => decodeText(new Uint8Array([0x48, 0xff, 0xfe, 0x41]), 'latin.txt'))).toContain('is not valid UTF-8 text');
  });

  it('refuses a file over the stated limit, and a 50 MB file loads', () => {
    expect(MAX_TEXT_BYTES).toBeGreaterThanOrEqual(50 * 1024 * 1024);
    const big = new Uint8Array(MAX_TEXT_BYTES + 1).fill(97);
    expect(messageOf(() => decodeText(big, 'big.txt'))).toBe(`big.txt is 67.1 MB; the limit is 64 MB. Use a smaller part of it.`);
    const fifty = new Uint8Array(50 * 1024 * 1024);
    for (let i = 0; i < fifty.length; i++) fifty[i] = 97 + (i % 7);
    const corpus = buildCorpus(decodeText(fifty, 'fifty.txt'), 'fifty.txt', fifty.length, { lowercase: false, maxVocab: 0 });
    expect(corpus.info.chars).toBe(50 * 1024 * 1024);
    expect(corpus.info.vocabSize).toBe(8);
  });

  it('refuses fewer than 2 distinct characters, and text shorter than a few windows', () => {
    expect(messageOf(() => buildCorpus('a'.repeat(5000), 'a.txt', 5000, { lowercase: false, maxVocab: 0 }))).toContain('has 1 distinct character;');
    expect(messageOf(() => buildCorpus('ab'.repeat(10), 'ab.txt', 20, { lowercase: false, maxVocab: 0 }))).toBe(
      `ab.txt has only 20 characters; at least ${MIN_TEXT_CHARS} are needed for training and validation windows. Choose a longer text.`,
    );
  });
});

describe('vocabulary', () => {
  it('puts the unknown symbol first, then characters by falling frequency, ties by code point', () => {
    const counts = new Map([
      ['b', 3],
      ['a', 3],
      ['c', 5],
      ['d', 1],
    ]);
    expect(buildVocabulary(counts, 0)).toEqual([UNKNOWN, 'c', 'a', 'b', 'd']);
    expect(buildVocabulary(counts, 2)).toEqual([UNKNOWN, 'c', 'a']);
  });

  it('caps to the N most frequent characters and maps the rest to the unknown symbol', () => {
    const text = decodeText(sotuBytes(), 'jfk.txt');
    const full = buildCorpus(text, 'jfk', 0, { lowercase: false, maxVocab: 0 });
    const capped = buildCorpus(text, 'jfk', 0, { lowercase: false, maxVocab: 20 });
    expect(capped.info.vocabSize).toBe(21);
    expect(capped.vocab.slice(1)).toEqual(full.vocab.slice(1, 21));
    const rare = new Set(full.vocab.slice(21));
    const expectedUnknown = [...text].filter((c) => rare.has(c)).length;
    expect(expectedUnknown).toBeGreaterThan(0);
    expect(capped.info.unknownCount).toBe(expectedUnknown);
    expect(capped.info.chars).toBe(full.info.chars);
    expect(Math.max(...capped.ids)).toBe(20);
  });

  it('lowercases when asked, shrinking the vocabulary', () => {
    const text = decodeText(sotuBytes(), 'jfk.txt');
    const full = buildCorpus(text, 'jfk', 0, { lowercase: false, maxVocab: 0 });
    const lower = buildCorpus(text, 'jfk', 0, { lowercase: true, maxVocab: 0 });
    expect(lower.vocab.some((c) => /[A-Z]/.test(c))).toBe(false);
    expect(lower.info.vocabSize).toBeLessThan(full.info.vocabSize);
    expect(lower.info.top[0]).toEqual({ char: ' ', count: [...text].filter((c) => c === ' ').length });
  });

  it('encodes characters outside the vocabulary as 0 and decodes 0 as the unknown symbol', () => {
    const vocab = vocabularyFrom([UNKNOWN, 'a', 'b']);
    expect(Array.from(encode('abz😀a', vocab))).toEqual([1, 2, 0, 0, 1]);
    expect(decode([1, 0, 2], vocab.chars)).toBe(`a${UNKNOWN}b`);
  });
});

describe('windows', () => {
  it('the validation part is the last share of the text by position', () => {
    expect(splitPoint(1000, 0.1)).toBe(900);
    expect(splitPoint(1005, 0.1)).toBe(905);
  });

  it('window rows are consecutive positions; the target is the input shifted by one', () => {
    const ids = Int32Array.from({ length: 50 }, (_, i) => 100 + i);
    const span = 6; // window 5 + 1
    const idx = windowIndices([0, 10, 44], span);
    const rows = [0, 1, 2].map((r) => Array.from(idx.subarray(r * span, (r + 1) * span), (i) => ids[i]));
    expect(rows[1]).toEqual([110, 111, 112, 113, 114, 115]);
    const x = rows.map((r) => r.slice(0, 5));
    const y = rows.map((r) => r.slice(1));
    x.forEach((row, r) => expect(y[r].slice(0, -1)).toEqual(row.slice(1)));
    expect(x[0]).toEqual([100, 101, 102, 103, 104]);
    expect(y[0]).toEqual([101, 102, 103, 104, 105]);
    expect(y[2]).toEqual([145, 146, 147, 148, 149]);
  });

  it('validation windows are spread over the validation part and stay inside it', () => {
    const starts = evenStarts(900, 1000, 11, 4);
    expect(starts).toEqual([900, 929, 959, 989]);
    expect(starts.at(-1)! + 11).toBeLessThanOrEqual(1000);
    expect(evenStarts(900, 1000, 11, 1000)).toHaveLength(9);
    expect(evenStarts(900, 905, 11, 4)).toEqual([]);
  });
});
