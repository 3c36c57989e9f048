import { useEffect } from 'react';
import { store, useStore, type Theme } from '../store/store';

const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };

/** Cycles system → light → dark; "system" leaves the choice to prefers-color-scheme (styles.css). The choice is in the link (`theme`). */
export function ThemeToggle() {
  const theme = useStore((s) => s.theme);
  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);
  return (
    <button type="button" className="theme-toggle" data-testid="theme-toggle" onClick={() => store.set('theme', NEXT[theme])}>
      Theme: {theme}
    </button>
  );
}
