import { DataError } from './idx';

/** The bytes at a URL of our own origin, reporting progress as they arrive (total: 0 when the server sends no length). */
export async function fetchBytes(url: string, onBytes: (n: number, total: number) => void): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok || !res.body)
    throw new DataError(
      `Could not load ${url} (HTTP ${res.status}). Reload the page; if it persists, rebuild the bundled data with npm run prepare-data.`,
    );
  const total = Number(res.headers.get('content-length') ?? 0);
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onBytes(loaded, total);
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
