import { BackendPanel } from './Backend/BackendPanel';
import { ChartsPanel } from './Charts/ChartsPanel';
import { TextChartsPanel } from './Charts/TextChartsPanel';
import { DataPanel } from './Data/DataPanel';
import { EvaluatePanel } from './Evaluate/EvaluatePanel';
import { ArchitecturePanel, ModelPanel } from './Model/ModelPanel';
import { TrainPanel, TrainSettingsPanel } from './Train/TrainPanel';
import { setMode } from './store/boot';
import { dismissNotice } from './store/notices';
import { CorpusPanel } from './Text/CorpusPanel';
import { CharArchitecturePanel, CharModelPanel } from './Text/CharModelPanel';
import { TextSamples, TextSettingsPanel, TextTrainPanel } from './Text/TextTrainPanel';
import { GeneratePanel } from './Text/GeneratePanel';
import { AttentionPanel } from './Text/AttentionPanel';
import type { Mode } from './store/store';
import { CompressPanel } from './Compress/CompressPanel';
import { ImagesInspect } from './Inspect/ImagesInspect';
import { TextInspect } from './Inspect/TextInspect';
import { useEffect, useState, type KeyboardEvent } from 'react';
import { flushSync } from 'react-dom';
import { FirstVisitGuide } from './Guide/FirstVisitGuide';
import { ResumeOffer, RunsPanel } from './Runs/RunsPanel';
import { loadChartsSoon } from './common/lazyCharts';
import { Drawers } from './common/Drawers';
import { Shortcuts } from './Shortcuts/Shortcuts';
import { ThemeToggle } from './Shortcuts/ThemeToggle';

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

/**
 * On a phone the frame's pieces stack: these links step through them (hidden from 900 px up, where all are on screen).
 * Settings and the result are views of the third column: their links show that view as well as scroll to it.
 */
function Steps({ mode, onOpen }: { mode: Mode; onOpen: (tool: string) => void }) {
  const steps: [string, string, string?][] =
    mode === 'images'
      ? [
          ['data-panel', 'Data'],
          ['model-panel', 'Model'],
          ['settings', 'Settings', 'settings'],
          ['train-panel', 'Train'],
          ['charts-panel', 'Charts'],
          ['tools', 'Result', 'result'],
        ]
      : [
          ['corpus-panel', 'Data'],
          ['char-model-panel', 'Model'],
          ['settings', 'Settings', 'settings'],
          ['text-train-panel', 'Train'],
          ['text-charts-panel', 'Charts'],
          ['tools', 'Generate', 'result'],
        ];
  return (
    <nav className="steps" aria-label="Steps" data-testid="steps">
      {steps.map(([id, label, tool]) => (
        <a key={id} href={`#${tool ? 'tools' : id}`} data-testid={`step-${id}`} onClick={tool ? () => onOpen(tool) : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
}

export function App() {
  const mode = useStore((s) => s.mode);
  // the third column's view: the newest result, or the settings or a tool (Runs, Compress, Inspect) in its place
  const [tool, setTool] = useState('result');
  useEffect(loadChartsSoon, []);
  /** Shows the Settings view and puts focus on the first field of one of its panels (so the keyboard lands in the form). */
  const openSettings = (panel: string) => () => {
    flushSync(() => setTool('settings'));
    // while a run locks the form, its fields are disabled: the view's tab takes focus instead
    const field = document.querySelector<HTMLElement>(`#${panel} :is(input, select):not(:disabled)`);
    (field ?? document.getElementById('drawer-tab-settings'))?.focus();
  };
  const tools = (which: Mode) => [
    { id: 'result', label: which === 'images' ? 'Result' : 'Generate', render: () => (which === 'images' ? <EvaluatePanel /> : <TextResult />) },
    { id: 'settings', label: 'Settings', render: () => (which === 'images' ? <ImagesSettings /> : <TextSettings />) },
    { id: 'runs', label: 'Runs', render: () => <RunsPanel /> },
    { id: 'compress', label: 'Compress', render: () => <CompressPanel which={which} /> },
    { id: 'inspect', label: 'Inspect', render: () => (which === 'images' ? <ImagesInspect /> : <TextInspect />) },
  ];
  return (
    <>
      <header>
        <h1>Neural-network playground</h1>
        <BackendPanel />
        <ThemeToggle />
      </header>
      <main>
        <Notices />
        <FirstVisitGuide />
        <Shortcuts />
        <Tabs />
        <Steps mode={mode} onOpen={setTool} />
        <div className="layout" id="tabpanel" role="tabpanel" aria-labelledby={`tab-${mode}`} data-tool={tool}>
          {mode === 'images' ? (
            <>
              <div className="column">
                <DataPanel />
                <ModelPanel onSettings={openSettings('architecture-panel')} />
              </div>
              <div className="column wide">
                <ResumeOffer />
                <TrainPanel onSettings={openSettings('hyperparameters-panel')} />
                <ChartsPanel />
              </div>
            </>
          ) : (
            <>
              <div className="column">
                <CorpusPanel />
                <CharModelPanel onSettings={openSettings('char-architecture-panel')} />
              </div>
              <div className="column wide">
                <ResumeOffer />
                <TextTrainPanel onSettings={openSettings('text-hyperparameters-panel')} />
                <TextChartsPanel />
              </div>
            </>
          )}
          <Drawers key={mode} panels={tools(mode)} open={tool} onOpen={setTool} />
        </div>
      </main>
    </>
  );
}

/** The image model's full form, a view of the third column: training hyperparameters, then the layers. */
function ImagesSettings() {
  return (
    <>
      <TrainSettingsPanel />
      <ArchitecturePanel />
    </>
  );
}

/** The char model's full form, a view of the third column: training hyperparameters, then the model's sizes. */
function TextSettings() {
  return (
    <>
      <TextSettingsPanel />
      <CharArchitecturePanel />
    </>
  );
}

/** The Text tab's newest result: the samples of the run, then generation from the trained model. */
function TextResult() {
  return (
    <>
      <TextSamples />
      <GeneratePanel />
      <AttentionPanel />
    </>
  );
}
