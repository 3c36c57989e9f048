import { useState } from 'react';

type Theme = 'system' | 'light' | 'dark';
const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };

/** Cycles system → light → dark; "system" leaves the choice to prefers-color-scheme (styles.css). */
export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(() => (document.documentElement.dataset.theme as Theme | undefined) ?? 'system');
  const choose = () => {
    const next = NEXT[theme];
    if (next === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = next;
    setTheme(next);
  };
  return (
    <button type="button" className="theme-toggle" data-testid="theme-toggle" onClick={choose}>
      Theme: {theme}
    </button>
  );
}
