/** Text generation settings (sampling from a trained char model). */
export interface GenerateOptions {
  seedText: string;
  length: number;
  /** 0 = greedy */
  temperature: number;
  /** 0 = no limit */
  topK: number;
  seed: number;
}

export const DEFAULT_GENERATE: GenerateOptions = { seedText: 'The ', length: 300, temperature: 0.8, topK: 0, seed: 1 };

export function validateGenerateOptions(o: GenerateOptions): string[] {
  const errors: string[] = [];
  if (!(Number.isInteger(o.length) && o.length >= 1 && o.length <= 100_000))
    errors.push(`Length must be a whole number from 1 to 100000, got ${o.length}.`);
  if (!(o.temperature >= 0 && o.temperature <= 10)) errors.push(`Temperature must be from 0 (greedy) to 10, got ${o.temperature}.`);
  if (!(Number.isInteger(o.topK) && o.topK >= 0)) errors.push(`Top-k must be 0 (no limit) or a positive whole number, got ${o.topK}.`);
  if (!(Number.isInteger(o.seed) && o.seed >= 0 && o.seed <= 2 ** 31 - 1))
    errors.push(`Sampling seed must be a whole number from 0 to 2147483647, got ${o.seed}.`);
  return errors;
}
