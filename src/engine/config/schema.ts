/**
 * What every reader of a file or a link shares: valibot schemas turn a malformed field into one sentence that names
 * the field and what was expected ('model.json: weightsManifest[0].paths: expected an array, got null.'), thrown as
 * the reader's own error class. Pure (no tfjs, no DOM), so the page's link reader uses it too.
 */
import * as v from 'valibot';

type AnySchema = v.GenericSchema<unknown, unknown>;

/** `weightsManifest[0].paths`, `modelTopology.config.layers[2].config.units`, after `prefix`; '' for the value itself. */
function issuePath(issue: v.BaseIssue<unknown>, prefix = ''): string {
  let out = prefix;
  for (const item of issue.path ?? []) {
    const key = item.key;
    out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  }
  return out;
}

const TYPE_WORDS: Record<string, string> = {
  Object: 'an object',
  Array: 'an array',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  null: 'null',
};

/** valibot's `expected` ('Array', '("a" | "b")', 'number') in words. */
function expectedWords(expected: string): string {
  const inner = /^\((.*)\)$/.exec(expected)?.[1] ?? expected;
  const options = inner.split(' | ').map((o) => TYPE_WORDS[o] ?? o);
  return options.length > 1 ? `one of ${options.join(', ')}` : options[0];
}

/** The value as the message shows it: short, so a huge string in a damaged file does not flood the page. */
const shown = (received: string) => (received.length > 60 ? `${received.slice(0, 57)}...` : received);

/** One issue as 'PATH: expected WHAT, got VALUE.'; a check with its own words says them ('must be a whole number'). */
function issueText(issue: v.BaseIssue<unknown>, prefix = ''): string {
  const path = issuePath(issue, prefix);
  const at = path ? `${path}: ` : '';
  if (issue.kind === 'schema' && issue.type.endsWith('object') && issue.received === 'undefined' && issue.expected?.startsWith('"')) {
    return `${path || issue.expected} is missing.`;
  }
  // a check written with its own words (the action's message), else valibot's expected value
  const custom = !/^Invalid \w+: /.test(issue.message);
  const expected = custom ? issue.message : issue.expected ? expectedWords(issue.expected) : issue.type;
  return `${at}expected ${expected}, got ${shown(issue.received)}.`;
}

/** The input as the schema's output, or `fail` called with '<where>: <path>: <the first problem>'; `at`: the input's own path. */
export function parseOr<S extends AnySchema>(schema: S, input: unknown, where: string, fail: (message: string) => Error, at = ''): v.InferOutput<S> {
  const result = v.safeParse(schema, input, { abortEarly: true });
  if (result.success) return result.output;
  throw fail(`${where}: ${issueText(result.issues[0], at)}`);
}

/** A whole number from min to max (inclusive), with the words every reader shows. */
export const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  v.pipe(
    v.number(),
    v.integer('a whole number'),
    v.minValue(min, `a whole number of at least ${min}`),
    v.maxValue(max, `a whole number of at most ${max.toLocaleString('en-US')}`),
  );

/** Any finite number (JSON has no NaN or Infinity, but a value built in code may). */
export const finiteNumber = v.pipe(v.number(), v.finite('a finite number'));

/** A JSON object (not an array, not null) of any keys. */
export const plainObject = v.custom<Record<string, unknown>>((o) => typeof o === 'object' && o !== null && !Array.isArray(o), 'an object');
