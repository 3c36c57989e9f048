import { describe, expect, it } from 'vitest';
import { initialAssets, timeToInteractive } from '../../../scripts/pageMetrics';

describe('page metrics', () => {
  it('ends time to interactive at the last long task before a 5 s quiet window', () => {
    expect(timeToInteractive(300, [])).toBe(300);
    // tasks at 400-500 and 1000-1200 count; the one at 7000 comes after 5.8 s of quiet and does not
    expect(
      timeToInteractive(300, [
        { start: 7000, duration: 90 },
        { start: 1000, duration: 200 },
        { start: 400, duration: 100 },
      ]),
    ).toBe(1200);
    expect(timeToInteractive(300, [{ start: 100, duration: 60 }])).toBe(300); // over before the first paint
  });

  it('finds the module script, preloads and stylesheets of a built index.html', () => {
    const html = `<script type="module" crossorigin src="./assets/index-a.js"></script>
    <link rel="modulepreload" crossorigin href="./assets/vendor-b.js">
    <link rel="stylesheet" crossorigin href="./assets/index-c.css"><link rel="icon" href="data:," />`;
    expect(initialAssets(html)).toEqual({ scripts: ['./assets/index-a.js', './assets/vendor-b.js'], styles: ['./assets/index-c.css'] });
  });
});
