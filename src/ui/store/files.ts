import type { ExportFile, ModelFiles } from '../../engine/config/results';

/** Bundled data lives beside index.html, so it resolves against the page, whatever sub-path hosts it. */
export const dataUrl = (file: string) => new URL(`data/${file}`, document.baseURI).href;

/** The compact-format loader the build writes beside index.html (vite/compactLoader.ts). */
export const LOADER_FILE = 'nnq-loader.js';
export const loaderUrl = () => new URL(LOADER_FILE, document.baseURI).href;

async function fetchLoader(): Promise<Uint8Array> {
  const response = await fetch(loaderUrl());
  if (!response.ok) throw new Error(`${LOADER_FILE} could not be fetched (HTTP ${response.status}); download the files one by one.`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The loader's size in bytes (the export dialog lists it beside the .nnq). */
export const loaderSize = async () => (await fetchLoader()).length;

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

/**
 * Saves the files as one .zip named after the first one, with nnq-loader.js added when a .nnq is among them; the zip
 * as saved. fflate's zip code loads only now, in a chunk of its own.
 */
export async function downloadZip(files: ExportFile[]): Promise<ExportFile> {
  const { zipSync } = await import('fflate');
  const entries: Record<string, Uint8Array> = Object.fromEntries(files.map((f) => [f.name, f.bytes]));
  if (files.some((f) => f.name.endsWith('.nnq'))) {
    entries[LOADER_FILE] = await fetchLoader();
  }
  const zip: ExportFile = { name: `${files[0].name.replace(/(\.weights)?\.[a-z]+$/, '')}.zip`, bytes: zipSync(entries, { level: 6 }) };
  save(new Blob([zip.bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), zip.name);
  return zip;
}

/** Saves a model: model.json and its weights. */
export function downloadModelFiles(files: ModelFiles): void {
  const stem = files.weightsName.replace(/\.weights\.bin$/, '');
  save(new Blob([files.modelJson], { type: 'application/json' }), `${stem}.json`);
  save(new Blob([files.weights as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), files.weightsName);
}
