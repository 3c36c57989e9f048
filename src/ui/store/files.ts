import type { ExportFile, ModelFiles } from '../../engine/config/results';

/** Bundled data lives beside index.html, so it resolves against the page, whatever sub-path hosts it. */
export const dataUrl = (file: string) => new URL(`data/${file}`, document.baseURI).href;

/** The chosen files' bytes, for the worker. */
export const readFiles = (files: File[]) => Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));

/** Saves one file in the browser's downloads. */
function save(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** Saves files from the worker (a run, a compressed variant): .json as JSON, the rest as bytes. */
export function downloadFiles(files: ExportFile[]): void {
  for (const f of files) {
    const type = f.name.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    save(new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type }), f.name);
  }
}

/** Saves a model: model.json and its weights. */
export function downloadModelFiles(files: ModelFiles): void {
  const stem = files.weightsName.replace(/\.weights\.bin$/, '');
  save(new Blob([files.modelJson], { type: 'application/json' }), `${stem}.json`);
  save(new Blob([files.weights as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), files.weightsName);
}
