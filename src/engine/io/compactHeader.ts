/**
 * The schema of a .nnq file's JSON header (docs/compact-format.md): its weight table and the topology, checked field
 * by field, and the topology sized and matched against the table, before any weight is read or tfjs allocates.
 */
import * as v from 'valibot';
import { parseOr, plainObject, wholeNumber } from '../config/schema';
import { ModelFileError } from './modelFiles';
import { parseTopology } from './modelJson';
import { checkTopology } from './topologySize';

const record = v.pipe(
  v.object({
    name: v.string(),
    shape: v.array(wholeNumber(0)),
    encoding: v.picklist(['float32', 'float16', 'int']),
    bits: v.optional(v.picklist([4, 8, 16])),
    scheme: v.optional(v.picklist(['affine', 'symmetric'])),
    granularity: v.optional(v.picklist(['tensor', 'channel'])),
    channels: v.optional(wholeNumber(1)),
    offset: wholeNumber(0),
    length: wholeNumber(0),
  }),
  v.check(
    (r) => r.encoding !== 'int' || ((r.bits === 4 || r.bits === 8) && (r.channels === 1 || r.channels === r.shape.at(-1))),
    'integer codes of 4 or 8 bits with one scale per tensor or per last-axis channel',
  ),
);

const header = v.looseObject({
  format: v.literal('nn-playground-compact'),
  version: v.literal(1),
  modelTopology: plainObject,
  userDefinedMetadata: v.optional(plainObject),
  weights: v.array(record),
});

type CompactHeader = v.InferOutput<typeof header>;

/** The parsed header checked, or a ModelFileError naming the field: `fileName: weights[3].scheme: expected ...`. */
function parseCompactHeader(raw: unknown, fileName: string): CompactHeader {
  // the topology's checks speak of model.json; here they are about this file's header
  const fail = (m: string) => new ModelFileError(m.replace(/^model\.json/, fileName).replace('the weights manifest', 'the weight table'));
  const parsed = parseOr(header, raw, fileName, fail);
  checkTopology(parseTopology(parsed.modelTopology, fileName, fail), parsed.weights, fail);
  return parsed;
}

/**
 * A .nnq file's header, once nnq-loader (compactLoader.ts) has read the file with its own checks and messages: every
 * field against the schema, and the topology sized and matched against the weight table, before tfjs builds it.
 */
export function checkCompactFile(bytes: Uint8Array, fileName: string): CompactHeader {
  const length = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0, true);
  return parseCompactHeader(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))), fileName);
}
