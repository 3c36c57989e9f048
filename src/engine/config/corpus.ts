/** Text corpus options and what the engine tells the page about a loaded text. */
/** The largest file the page accepts (bytes). 50 MB must load; this leaves room. */
export const MAX_TEXT_BYTES = 64 * 1024 * 1024;

export interface CorpusOptions {
  lowercase: boolean;
  /** Keep only the N most frequent characters (0 = keep all); the rest become UNKNOWN. */
  maxVocab: number;
}

export const DEFAULT_CORPUS_OPTIONS: CorpusOptions = { lowercase: false, maxVocab: 0 };

export interface CorpusInfo {
  name: string;
  bytes: number;
  chars: number;
  /** Including the unknown symbol at id 0. */
  vocabSize: number;
  /** Characters mapped to the unknown symbol because of the cap. */
  unknownCount: number;
  top: { char: string; count: number }[];
  options: CorpusOptions;
}

export function validateCorpusOptions(o: CorpusOptions): string[] {
  const errors: string[] = [];
  if (!(Number.isInteger(o.maxVocab) && o.maxVocab >= 0 && o.maxVocab <= 65535)) {
    errors.push(`Vocabulary cap must be 0 (no cap) or a whole number up to 65535, got ${o.maxVocab}.`);
  } else if (o.maxVocab === 1) errors.push('A vocabulary cap of 1 leaves one character; use 2 or more (or 0 for no cap).');
  return errors;
}
