import { BackendPanel } from './Backend/BackendPanel';
import { ChartsPanel } from './Charts/ChartsPanel';
import { TextChartsPanel } from './Charts/TextChartsPanel';
import { DataPanel } from './Data/DataPanel';
import { EvaluatePanel } from './Evaluate/EvaluatePanel';
import { ModelPanel } from './Model/ModelPanel';
import { TrainPanel } from './Train/TrainPanel';
import { setMode } from './store/boot';
import { dismissNotice } from './store/notices';
import { CorpusPanel } from './Text/CorpusPanel';
import { CharModelPanel } from './Text/CharModelPanel';
import { TextTrainPanel } from './Text/TextTrainPanel';
import { GeneratePanel } from './Text/GeneratePanel';
import { AttentionPanel } from './Text/AttentionPanel';
import type { Mode } from './store/store';
import { CompressPanel } from './Compress/CompressPanel';
import { useEffect, type KeyboardEvent } from 'react';
import { FirstVisitGuide } from './Guide/FirstVisitGuide';
import { RunsPanel } from './Runs/RunsPanel';
import { loadChartsSoon } from './common/lazyCharts';

const TABS: { mode: Mode; label: string }[] = [
  { mode: 'images', label: 'Images: MLP / CNN on MNIST' },
  { mode: 'text', label: 'Text: char-LSTM / Transformer' },
];

function Tabs() {
  const mode = useStore((s) => s.mode);
  // WAI-ARIA tabs: one tab stop for the list, arrow keys (and Home/End) move between tabs and select them
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>, i: number) => {
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const tab = TABS[(next + TABS.length) % TABS.length];
    setMode(tab.mode);
    document.getElementById(`tab-${tab.mode}`)?.focus();
  };
  return (
    <nav className="tabs" role="tablist" aria-label="What to train">
      {TABS.map((t, i) => (
        <button
          key={t.mode}
          id={`tab-${t.mode}`}
          type="button"
          role="tab"
          aria-selected={mode === t.mode}
          aria-controls="tabpanel"
          tabIndex={mode === t.mode ? 0 : -1}
          data-testid={`tab-${t.mode}`}
          onClick={() => setMode(t.mode)}
          onKeyDown={(e) => onKeyDown(e, i)}
        >
          {t.label}
        </button>
      ))}
    </nav>
  );
}
import { useStore } from './store/store';

function Notices() {
  const notices = useStore((s) => s.notices);
  return (
    // a region in the page's flow (never over the controls): new notices push the panels down
    <section className="notices" aria-label="Notices" aria-live="polite" data-testid="notices">
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.level}`} role={n.level === 'error' ? 'alert' : 'status'} data-count={n.count}>
          <span>
            {n.message}
            {n.count > 1 && <strong className="notice-count"> ×{n.count}</strong>}
          </span>
          <button type="button" aria-label="Dismiss" onClick={() => dismissNotice(n.id)}>
            ×
          </button>
        </div>
      ))}
    </section>
  );
}

export function App() {
  const mode = useStore((s) => s.mode);
  useEffect(loadChartsSoon, []);
  return (
    <>
      <header>
        <h1>Neural-network playground</h1>
        <BackendPanel />
      </header>
      <main>
        <Notices />
        <FirstVisitGuide />
        <Tabs />
        {mode === 'images' ? (
          <div className="layout" id="tabpanel" role="tabpanel" aria-labelledby="tab-images">
            <div className="column">
              <DataPanel />
              <ModelPanel />
            </div>
            <div className="column wide">
              <TrainPanel />
              <ChartsPanel />
              <EvaluatePanel />
              <CompressPanel which="images" />
            </div>
          </div>
        ) : (
          <div className="layout" id="tabpanel" role="tabpanel" aria-labelledby="tab-text">
            <div className="column">
              <CorpusPanel />
              <CharModelPanel />
            </div>
            <div className="column wide">
              <TextTrainPanel />
              <TextChartsPanel />
              <GeneratePanel />
              <AttentionPanel />
              <CompressPanel which="text" />
            </div>
          </div>
        )}
        <section className="layout-full">
          <RunsPanel />
        </section>
      </main>
    </>
  );
}
