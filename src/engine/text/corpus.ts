import { MAX_TEXT_BYTES, type CorpusInfo, type CorpusOptions, validateCorpusOptions } from '../config/corpus';
/**
 * Text corpora for the char-LSTM: UTF-8 bytes -> Unicode code points -> vocabulary ids.
 * A "character" is a code point, so an emoji (a surrogate pair in UTF-16) is one character.
 */

/** Fewer characters than this cannot fill a few training windows plus a validation part. */
export const MIN_TEXT_CHARS = 500;
/** Id 0 of every vocabulary: characters outside it (capped away, or unseen in a seed) map here. */
export const UNKNOWN = '\uFFFD';

export class TextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TextError';
  }
}

export interface Corpus {
  info: CorpusInfo;
  /** vocab[id] is the character; vocab[0] is UNKNOWN. */
  vocab: string[];
  ids: Int32Array;
}

/** UTF-8 bytes to text; refuses empty, oversized and binary input with a message that says what to do. */
export function decodeText(bytes: Uint8Array, name: string): string {
  if (bytes.length === 0) throw new TextError(`${name} is empty. Choose a plain-text file with some text in it.`);
  if (bytes.length > MAX_TEXT_BYTES) {
    throw new TextError(
      `${name} is ${(bytes.length / 1e6).toFixed(1)} MB; the limit is ${MAX_TEXT_BYTES / 1024 / 1024} MB. Use a smaller part of it.`,
    );
  }
  if (bytes.includes(0)) throw new TextError(`${name} looks binary (it contains NUL bytes). Choose a UTF-8 plain-text file.`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new TextError(`${name} is not valid UTF-8 text. Save it as UTF-8 plain text and try again.`);
  }
}

export interface Vocabulary {
  chars: string[];
  index: Map<string, number>;
}

export function vocabularyFrom(chars: string[]): Vocabulary {
  return { chars, index: new Map(chars.map((c, i) => [c, i])) };
}

/** Code points of text, lowercased first when asked (lowercasing can change lengths, so it comes first). */
function normalize(text: string, options: CorpusOptions): string {
  return options.lowercase ? text.toLowerCase() : text;
}

/** Vocabulary: UNKNOWN, then characters by falling frequency (ties by code point), capped at maxVocab. */
export function buildVocabulary(counts: Map<string, number>, maxVocab: number): string[] {
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].codePointAt(0)! - b[0].codePointAt(0)!);
  const kept = maxVocab > 0 ? sorted.slice(0, maxVocab) : sorted;
  return [UNKNOWN, ...kept.map(([c]) => c).filter((c) => c !== UNKNOWN)];
}

/** Ids of text's code points; anything outside the vocabulary becomes 0 (UNKNOWN). */
export function encode(text: string, vocab: Vocabulary): Int32Array {
  const out = new Int32Array(countCodePoints(text));
  let i = 0;
  for (const ch of text) out[i++] = vocab.index.get(ch) ?? 0;
  return out;
}

export function decode(ids: ArrayLike<number>, vocab: string[]): string {
  let s = '';
  for (let i = 0; i < ids.length; i++) s += vocab[ids[i]] ?? UNKNOWN;
  return s;
}

function countCodePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // a high surrogate followed by a low one is one code point
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Text -> corpus, or a TextError saying why this text cannot be trained on. */
export function buildCorpus(rawText: string, name: string, bytes: number, options: CorpusOptions): Corpus {
  const problems = validateCorpusOptions(options);
  if (problems.length) throw new TextError(problems.join(' '));
  const text = normalize(rawText, options);
  const counts = new Map<string, number>();
  let chars = 0;
  for (const ch of text) {
    counts.set(ch, (counts.get(ch) ?? 0) + 1);
    chars++;
  }
  if (counts.size < 2) {
    throw new TextError(
      `${name} has ${counts.size} distinct character${counts.size === 1 ? '' : 's'}; a model needs at least 2 to learn anything. Choose a richer text.`,
    );
  }
  if (chars < MIN_TEXT_CHARS) {
    throw new TextError(
      `${name} has only ${chars} characters; at least ${MIN_TEXT_CHARS} are needed for training and validation windows. Choose a longer text.`,
    );
  }
  const vocabChars = buildVocabulary(counts, options.maxVocab);
  const vocab = vocabularyFrom(vocabChars);
  const ids = encode(text, vocab);
  let unknownCount = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i] === 0) unknownCount++;
  const top = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].codePointAt(0)! - b[0].codePointAt(0)!)
    .slice(0, 20)
    .map(([char, count]) => ({ char, count }));
  return { info: { name, bytes, chars, vocabSize: vocabChars.length, unknownCount, top, options }, vocab: vocabChars, ids };
}
