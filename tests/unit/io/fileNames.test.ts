import { describe, expect, it } from 'vitest';
import { safeFileName } from '../../../src/engine/io/modelFiles';
import { runFileStem } from '../../../src/engine/runs/exportRun';

describe('exported file names', () => {
  it('keep letters, digits, dash and underscore; everything else becomes one dash', () => {
    expect(safeFileName('../../etc/passwd')).toBe('etc-passwd');
    expect(safeFileName('C:\\Windows\\System32\\x.dll')).toBe('C-Windows-System32-x-dll');
    expect(safeFileName('<script>alert(1)</script>')).toBe('script-alert-1-script');
    expect(safeFileName('my run: 97.5% "best"')).toBe('my-run-97-5-best');
    expect(safeFileName('name\u0000with\nnul and newline')).toBe('name-with-nul-and-newline');
  });

  it('turn accented letters into their ASCII base and drop what has none', () => {
    expect(safeFileName('Modèle über café')).toBe('Modele-uber-cafe');
    expect(safeFileName('模型 😀')).toBe('model');
    expect(safeFileName('模型 😀', 'run')).toBe('run');
  });

  it('never give a hidden, empty, over-long or device name', () => {
    expect(safeFileName('.hidden')).toBe('hidden');
    expect(safeFileName('...')).toBe('model');
    expect(safeFileName('')).toBe('model');
    expect(safeFileName('a'.repeat(500))).toHaveLength(80);
    expect(safeFileName('CON')).toBe('CON_');
    expect(safeFileName('nul')).toBe('nul_');
    expect(safeFileName('com1')).toBe('com1_');
    expect(safeFileName('console')).toBe('console');
  });

  it("a run's exports are named from its user-given name and version", () => {
    expect(runFileStem({ name: '<img src=x onerror=alert(1)> ../v2', version: 7 })).toBe('img-src-x-onerror-alert-1-v2-v7');
    expect(runFileStem({ name: '   ', version: 3 })).toBe('run-v3');
  });
});
