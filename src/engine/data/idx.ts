// IDX format (LeCun's MNIST files): big-endian magic 0x00 0x00 <type> <ndims>, then ndims uint32 sizes,
// then the data. We accept unsigned-byte data (type 0x08) only, which is what MNIST-style sets use.
import * as v from 'valibot';

export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gunzips with the platform's DecompressionStream (browsers, workers and Node 18+). */
export async function gunzip(bytes: Uint8Array, name = 'file'): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new DataError(`${name}: the gzip data is damaged or truncated (${(e as Error).message}). Download the file again.`);
  }
}

/** Returns the raw bytes, gunzipping when the file starts with the gzip magic. */
export async function maybeGunzip(bytes: Uint8Array, name = 'file'): Promise<Uint8Array> {
  return isGzip(bytes) ? gunzip(bytes, name) : bytes;
}

/** What the first bytes of an IDX file say, read before any check (as many sizes as the bytes hold). */
interface IdxHeader {
  length: number;
  magic: number[];
  type: number;
  ndims: number;
  dims: number[];
}

const thousands = (n: number) => n.toLocaleString('en-US');
const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

/** The IDX header's schema: each check, in file order, with the sentence the user sees. */
const idxHeader = v.pipe(
  v.object({ length: v.number(), magic: v.array(v.number()), type: v.number(), ndims: v.number(), dims: v.array(v.number()) }),
  v.check(
    (h) => h.length >= 4,
    (i) => `only ${(i.input as IdxHeader).length} bytes, too short to be an IDX file.`,
  ),
  v.check(
    (h) => h.magic[0] === 0 && h.magic[1] === 0,
    (i) =>
      `wrong magic number 0x${(i.input as IdxHeader).magic.map((b) => b.toString(16).padStart(2, '0')).join('')}; an IDX file starts with 0x0000080N. Choose an IDX file (raw or .gz), e.g. train-images-idx3-ubyte.`,
  ),
  v.check(
    (h) => h.type === UBYTE,
    (i) => `IDX data type 0x${(i.input as IdxHeader).type.toString(16)} is not supported; only unsigned bytes (0x08) are.`,
  ),
  v.check(
    (h) => h.ndims >= 1 && h.ndims <= 4,
    (i) => `IDX header claims ${(i.input as IdxHeader).ndims} dimensions; expected 1 to 4.`,
  ),
  v.check((h) => h.dims.length === h.ndims, 'truncated IDX header.'),
  v.check(
    (h) => h.length - 4 - 4 * h.ndims >= product(h.dims),
    (i) => {
      const h = i.input as IdxHeader;
      return `truncated: the header promises ${thousands(product(h.dims))} bytes of data (${h.dims.join('x')}) but the file holds ${thousands(h.length - 4 - 4 * h.ndims)}. Download the file again.`;
    },
  ),
);

/** The header fields as the bytes give them; every check is the schema's. */
function readHeader(bytes: Uint8Array): IdxHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ndims = bytes[3] ?? 0;
  const dims: number[] = [];
  for (let i = 0; i < ndims && 8 + 4 * i <= bytes.length; i++) dims.push(view.getUint32(4 + 4 * i, false));
  return { length: bytes.length, magic: [...bytes.subarray(0, 4)], type: bytes[2] ?? 0, ndims, dims };
}

export function parseIdx(bytes: Uint8Array, name = 'file'): IdxArray {
  const header = v.safeParse(idxHeader, readHeader(bytes), { abortPipeEarly: true });
  if (!header.success) throw new DataError(`${name}: ${header.issues[0].message}`);
  const { dims, ndims } = header.output;
  const headerLength = 4 + 4 * ndims;
  return { dims, data: bytes.subarray(headerLength, headerLength + product(dims)) };
}

export interface LabelledImages {
  images: Uint8Array; // n * height * width, row-major, 0..255
  labels: Uint8Array; // n, 0..numClasses-1
  count: number;
  height: number;
  width: number;
}

const MNIST_SIDE = 28;
const NUM_CLASSES = 10;

/** Checks an image/label IDX pair for the shapes the playground's models need: n x 28 x 28 and n labels 0-9. */
export function pairIdx(images: IdxArray, labels: IdxArray, imageName = 'images', labelName = 'labels'): LabelledImages {
  if (images.dims.length !== 3) {
    throw new DataError(
      `${imageName}: expected an image file with 3 dimensions (count x 28 x 28), got ${images.dims.length} (${images.dims.join('x')}). Did you swap the image and label files?`,
    );
  }
  if (labels.dims.length !== 1) {
    throw new DataError(
      `${labelName}: expected a label file with 1 dimension, got ${labels.dims.length} (${labels.dims.join('x')}). Did you swap the image and label files?`,
    );
  }
  const [count, height, width] = images.dims;
  if (height !== MNIST_SIDE || width !== MNIST_SIDE) {
    throw new DataError(`${imageName}: images are ${height}x${width}; the playground's models take 28x28 images.`);
  }
  if (labels.dims[0] !== count) {
    throw new DataError(
      `${imageName} has ${count.toLocaleString('en-US')} images but ${labelName} has ${labels.dims[0].toLocaleString('en-US')} labels; choose a matching pair.`,
    );
  }
  if (count === 0) throw new DataError(`${imageName}: the file holds no images.`);
  for (let i = 0; i < labels.data.length; i++) {
    if (labels.data[i] >= NUM_CLASSES) {
      throw new DataError(`${labelName}: label ${labels.data[i]} at index ${i} is outside 0-9; the playground trains 10-class models.`);
    }
  }
  return { images: images.data, labels: labels.data, count, height, width };
}

/** Parses an uploaded image/label pair, raw or gzipped. Throws DataError with a user-facing message. */
export async function readIdxPair(
  imageBytes: Uint8Array,
  labelBytes: Uint8Array,
  imageName = 'images',
  labelName = 'labels',
): Promise<LabelledImages> {
  const images = parseIdx(await maybeGunzip(imageBytes, imageName), imageName);
  const labels = parseIdx(await maybeGunzip(labelBytes, labelName), labelName);
  return pairIdx(images, labels, imageName, labelName);
}
