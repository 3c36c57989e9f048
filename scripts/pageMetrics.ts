// Pure helpers of npm run bench:page (scripts/pageWeight.ts), unit-tested in tests/unit/hosting/pageMetrics.test.ts.

export interface LongTask {
  start: number;
  duration: number;
}

/**
 * Time to interactive, after Lighthouse's definition without the network condition: the end of the last main-thread
 * long task (over 50 ms) before the first window of `quietMs` with none, searched from first contentful paint.
 */
export function timeToInteractive(fcp: number, tasks: LongTask[], quietMs = 5000): number {
  let interactive = fcp;
  for (const t of [...tasks].sort((a, b) => a.start - b.start)) {
    if (t.start + t.duration <= interactive) continue;
    if (t.start - interactive >= quietMs) break; // a quiet window came first
    interactive = t.start + t.duration;
  }
  return interactive;
}

/** The files index.html makes the browser fetch before the page runs: its module script, preloads and styles. */
export function initialAssets(indexHtml: string): { scripts: string[]; styles: string[] } {
  const attr = (tag: string, name: string) => new RegExp(`${name}="([^"]+)"`).exec(tag)?.[1];
  const tags = indexHtml.match(/<(script|link)\b[^>]*>/g) ?? [];
  const scripts = tags.filter((t) => /type="module"/.test(t) || /rel="modulepreload"/.test(t)).map((t) => attr(t, 'src') ?? attr(t, 'href')!);
  const styles = tags.filter((t) => /rel="stylesheet"/.test(t)).map((t) => attr(t, 'href')!);
  return { scripts, styles };
}
