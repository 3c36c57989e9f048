// Mutations for the readers' property tests: bytes flipped, cut and extended; JSON values replaced by values of
// other types and keys dropped. Every test seeds fast-check, so a failure repeats with the seed it prints.
import * as fc from 'fast-check';

/** The seed every property test runs with (fast-check prints it, with the failing case, on a failure). */
export const SEED = 19;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside `doc` (the root excluded), depth first. */
function jsonPaths(doc: Json): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (v: Json, at: (string | number)[]) => {
    if (v === null || typeof v !== 'object') return;
    const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
    for (const k of keys) {
      out.push([...at, k]);
      walk((v as Record<string | number, Json>)[k], [...at, k]);
    }
  };
  walk(doc, []);
  return out;
}

/** Values of every JSON type, the awkward ones often: null, huge and fractional numbers, empty containers. */
const otherValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(0, -1, 1, 1.5, 3, 28, 1e9, 1e300, -1e300, 2 ** 53, 0.1),
  fc.integer({ min: -5, max: 64 }),
  fc.string({ maxLength: 8 }),
  fc.constantFrom('float32', 'int32', 'Dense', 'same', 'relu', 'charLstm', 'images', '../x.bin'),
  fc.constant([] as Json[]),
  fc.constant({} as Json),
  fc.array(fc.integer({ min: -2, max: 30 }), { maxLength: 4 }),
  fc.dictionary(fc.constantFrom('name', 'shape', 'units', 'paths', 'weights'), fc.constant(null), { maxKeys: 2 }),
);

/** One edit of a JSON document: a value replaced, a key or element dropped, or a value copied over another. */
export type JsonEdit = { at: number; op: 'replace'; value: Json } | { at: number; op: 'drop' } | { at: number; op: 'copy'; from: number };

export const jsonEdits: fc.Arbitrary<JsonEdit[]> = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ at: fc.nat(), op: fc.constant('replace' as const), value: otherValue }) },
    { weight: 2, arbitrary: fc.record({ at: fc.nat(), op: fc.constant('drop' as const) }) },
    { weight: 1, arbitrary: fc.record({ at: fc.nat(), op: fc.constant('copy' as const), from: fc.nat() }) },
  ),
  { minLength: 1, maxLength: 3 },
);

/** A copy of `doc` with the edits applied (each path picked modulo the paths there are then). */
export function applyJsonEdits(doc: Json, edits: JsonEdit[]): Json {
  let out = structuredClone(doc);
  for (const e of edits) {
    const paths = jsonPaths(out);
    if (!paths.length) {
      out = e.op === 'replace' ? e.value : out;
      continue;
    }
    const path = paths[e.at % paths.length];
    const parent = path.slice(0, -1).reduce<Json>((v, k) => (v as Record<string | number, Json>)[k], out) as Record<string | number, Json> | Json[];
    const key = path.at(-1)!;
    if (e.op === 'drop') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (e.op === 'replace') {
      (parent as Record<string | number, Json>)[key] = structuredClone(e.value);
    } else {
      const source = paths[e.from % paths.length].reduce<Json>((v, k) => (v as Record<string | number, Json>)[k], out);
      (parent as Record<string | number, Json>)[key] = structuredClone(source);
    }
  }
  return out;
}

/** One edit of a byte string: bytes flipped, the end cut off, bytes appended, or a run of bytes overwritten. */
export type ByteEdit =
  | { op: 'flip'; at: number; xor: number }
  | { op: 'cut'; at: number }
  | { op: 'extend'; bytes: Uint8Array }
  | { op: 'overwrite'; at: number; bytes: Uint8Array };

export const byteEdits: fc.Arbitrary<ByteEdit[]> = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
    fc.record({ op: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  ),
  { minLength: 1, maxLength: 4 },
);

/** Edits near the start are where headers live: `head` bytes get half of the positions. */
export function applyByteEdits(bytes: Uint8Array, edits: ByteEdit[], head = 64): Uint8Array {
  let out = bytes.slice();
  const pick = (at: number) => (out.length === 0 ? 0 : at % 2 === 0 ? (at >> 1) % Math.min(head, out.length) : (at >> 1) % out.length);
  for (const e of edits) {
    if (e.op === 'flip' && out.length) out[pick(e.at)] ^= e.xor;
    else if (e.op === 'cut') out = out.slice(0, pick(e.at));
    else if (e.op === 'extend') {
      const longer = new Uint8Array(out.length + e.bytes.length);
      longer.set(out);
      longer.set(e.bytes, out.length);
      out = longer;
    } else if (e.op === 'overwrite' && out.length) {
      const at = pick(e.at);
      out.set(e.bytes.subarray(0, out.length - at), at);
    }
  }
  return out;
}

/** Resolves to what `work` gave or the error it threw; fails the property on an error of any class but `allowed`. */
export async function loadsOrRefuses<T>(work: () => Promise<T> | T, allowed: new (...a: never[]) => Error): Promise<T | Error> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof allowed) return e;
    throw new Error(`expected a ${allowed.name} or a load, got ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
  }
}
