import { BackendPanel } from './Backend/BackendPanel';
import { ChartsPanel } from './Charts/ChartsPanel';
import { DataPanel } from './Data/DataPanel';
import { EvaluatePanel } from './Evaluate/EvaluatePanel';
import { ModelPanel } from './Model/ModelPanel';
import { TrainPanel } from './Train/TrainPanel';
import { dismissNotice, setMode } from './store/actions';
import { CorpusPanel } from './Text/CorpusPanel';
import { CharModelPanel } from './Text/CharModelPanel';
import { TextTrainPanel } from './Text/TextTrainPanel';
import { GeneratePanel } from './Text/GeneratePanel';
import { TextChartsPanel } from './Charts/TextChartsPanel';
import type { Mode } from './store/store';
import { CompressPanel } from './Compress/CompressPanel';
import { RunsPanel } from './Runs/RunsPanel';

const TABS: { mode: Mode; label: string }[] = [
  { mode: 'images', label: 'Images: MLP / CNN on MNIST' },
  { mode: 'text', label: 'Text: char-LSTM' },
];

function Tabs() {
  const mode = useStore((s) => s.mode);
  return (
    <nav className="tabs" role="tablist" aria-label="What to train">
      {TABS.map((t) => (
        <button key={t.mode} type="button" role="tab" aria-selected={mode === t.mode} data-testid={`tab-${t.mode}`} onClick={() => setMode(t.mode)}>
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
    <div className="notices" aria-live="polite" data-testid="notices">
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.level}`} role={n.level === 'error' ? 'alert' : 'status'}>
          <span>{n.message}</span>
          <button type="button" aria-label="Dismiss" onClick={() => dismissNotice(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

export function App() {
  const mode = useStore((s) => s.mode);
  return (
    <>
      <header>
        <h1>Neural-network playground</h1>
        <BackendPanel />
      </header>
      <Notices />
      <Tabs />
      {mode === 'images' ? (
        <main className="layout" role="tabpanel" aria-label="Images">
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
        </main>
      ) : (
        <main className="layout" role="tabpanel" aria-label="Text">
          <div className="column">
            <CorpusPanel />
            <CharModelPanel />
          </div>
          <div className="column wide">
            <TextTrainPanel />
            <TextChartsPanel />
            <GeneratePanel />
            <CompressPanel which="text" />
          </div>
        </main>
      )}
      <section className="layout-full">
        <RunsPanel />
      </section>
    </>
  );
}
