import { type DependencyList, type RefObject, useEffect, useSyncExternalStore } from 'react';
import { useStore } from '../store/store';

/**
 * Canvas drawing off React's commit: each canvas's newest drawing waits in a queue, and the queue is drawn in tasks
 * of at most PAINT_SLICE_MS, so a view of many canvases (64 unit images, feature maps, histograms, a PCA plot)
 * redrawn together never adds up to one long main-thread task while a model trains.
 */
const PAINT_SLICE_MS = 8;
const pending = new Map<HTMLCanvasElement, () => void>();
let scheduled = false;

function schedule(): void {
  if (scheduled || pending.size === 0) return;
  scheduled = true;
  setTimeout(drain, 0);
}

function drain(): void {
  scheduled = false;
  const until = performance.now() + PAINT_SLICE_MS;
  for (const [canvas, draw] of pending) {
    pending.delete(canvas);
    if (canvas.isConnected) draw();
    if (performance.now() > until) break;
  }
  schedule();
}

/** Draws `draw` on `canvas` in a later task (replacing a drawing of it still waiting). */
export function paintLater(canvas: HTMLCanvasElement, draw: () => void): void {
  pending.set(canvas, draw);
  schedule();
}

/** Drawings still waiting (tests: wait for them, or check none is left behind). */
export const paintsPending = (): number => pending.size;

/** Like useEffect, for drawing on a canvas: the drawing runs later, in a short task of its own (see paintLater). */
export function usePaint(ref: RefObject<HTMLCanvasElement | null>, draw: (canvas: HTMLCanvasElement) => void, deps: DependencyList): void {
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    paintLater(canvas, () => draw(canvas));
    return () => void pending.delete(canvas);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller lists what the drawing depends on
  }, deps);
}

/** The theme's colours as a canvas needs them (CSS custom properties of the page, light or dark). */
export interface CanvasTheme {
  surface: string;
  fg: string;
  muted: string;
  grid: string;
}

export function canvasTheme(el: Element): CanvasTheme {
  const style = getComputedStyle(el);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return { surface: read('--surface', '#fff'), fg: read('--fg', '#111827'), muted: read('--muted', '#6b7280'), grid: read('--border', '#e5e7eb') };
}

const DARK_QUERY = '(prefers-color-scheme: dark)';

function onSchemeChange(notify: () => void): () => void {
  const query = globalThis.matchMedia?.(DARK_QUERY);
  query?.addEventListener('change', notify);
  return () => query?.removeEventListener('change', notify);
}

/**
 * The colours the page shows now, 'light' or 'dark': the chosen theme, or with "system" the operating system's
 * scheme, followed live. A themed canvas lists it among its drawing's dependencies, so it redraws when the page does.
 */
export function useColourScheme(): 'light' | 'dark' {
  const theme = useStore((s) => s.theme);
  const systemDark = useSyncExternalStore(
    onSchemeChange,
    () => globalThis.matchMedia?.(DARK_QUERY).matches ?? false,
    () => false,
  );
  return theme === 'system' ? (systemDark ? 'dark' : 'light') : theme;
}
