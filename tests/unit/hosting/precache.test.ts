import { describe, expect, it } from 'vitest';
import { precacheManifest } from '../../../vite/precache';

const file = (path: string, text: string) => ({ path, bytes: new TextEncoder().encode(text) });
const build = [file('index.html', '<html>'), file('assets/index-abc.js', 'js'), file('data/sotu.txt.gz', 'gz'), file('sw.js', 'old worker')];

describe('precacheManifest', () => {
  it('lists every built file but the service worker itself, with the page also as its folder', () => {
    expect(precacheManifest(build).files).toEqual(['./', 'assets/index-abc.js', 'data/sotu.txt.gz', 'index.html']);
  });

  it('gives the same version for the same files in any order, a new one when one byte or one name changes', () => {
    const { version } = precacheManifest(build);
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    expect(precacheManifest([...build].reverse()).version).toBe(version);
    expect(precacheManifest([file('sw.js', 'another worker'), ...build.slice(0, 3)]).version).toBe(version);
    expect(precacheManifest([file('index.html', '<html> '), ...build.slice(1)]).version).not.toBe(version);
    expect(precacheManifest([file('index.html', '<html>'), file('assets/index-abd.js', 'js'), ...build.slice(2)]).version).not.toBe(version);
  });
});
