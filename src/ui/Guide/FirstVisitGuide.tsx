import { useState } from 'react';
import { useStore, type Mode } from '../store/store';

const SEEN_KEY = 'nn-playground.guide-seen.v1';

function seen(): boolean {
  try {
    return localStorage.getItem(SEEN_KEY) === '1';
  } catch {
    return false; // no storage (private window): the guide shows each visit
  }
}

/** Each step links to its panel on the current tab. */
const STEPS: Record<Mode, { panel: string; title: string; text: string }[]> = {
  images: [
    { panel: 'data-panel', title: 'Pick data', text: 'MNIST (70,000 handwritten digits) loads by itself; or choose your own IDX files.' },
    { panel: 'model-panel', title: 'Pick a model', text: 'An MLP (fast) or a CNN (more accurate); the defaults are good starting points.' },
    { panel: 'train-panel', title: 'Train', text: 'Press Start and watch loss and accuracy move; then draw a digit to test the model.' },
  ],
  text: [
    { panel: 'corpus-panel', title: 'Pick data', text: 'State of the Union addresses load by itself; or choose or drop any UTF-8 text file.' },
    { panel: 'char-model-panel', title: 'Pick a model', text: 'A character-level LSTM; the small preset trains in minutes.' },
    { panel: 'text-train-panel', title: 'Train', text: 'Press Start; every round shows a generated sample, then generate your own.' },
  ],
};

/** The first visit's three-step path: pick data, pick a model, train. Dismissed once, it stays away. */
export function FirstVisitGuide() {
  const mode = useStore((s) => s.mode);
  const [open, setOpen] = useState(() => !seen());
  if (!open) return null;
  const dismiss = () => {
    try {
      localStorage.setItem(SEEN_KEY, '1');
    } catch {
      // no storage: it is dismissed for this visit only
    }
    setOpen(false);
  };
  return (
    <section className="guide" aria-labelledby="guide-title" data-testid="guide">
      <h2 id="guide-title">Start here: three steps</h2>
      <ol>
        {STEPS[mode].map((s) => (
          <li key={s.panel}>
            <a href={`#${s.panel}`}>
              <strong>{s.title}</strong>
            </a>
            : {s.text}
          </li>
        ))}
      </ol>
      <button type="button" data-testid="guide-dismiss" onClick={dismiss}>
        Got it, hide this guide
      </button>
    </section>
  );
}
