import { BackendPanel } from './Backend/BackendPanel';
import { ChartsPanel } from './Charts/ChartsPanel';
import { DataPanel } from './Data/DataPanel';
import { EvaluatePanel } from './Evaluate/EvaluatePanel';
import { ModelPanel } from './Model/ModelPanel';
import { TrainPanel } from './Train/TrainPanel';
import { dismissNotice } from './store/actions';
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
  return (
    <>
      <header>
        <h1>Neural-network playground</h1>
        <BackendPanel />
      </header>
      <Notices />
      <main className="layout">
        <div className="column">
          <DataPanel />
          <ModelPanel />
        </div>
        <div className="column wide">
          <TrainPanel />
          <ChartsPanel />
          <EvaluatePanel />
        </div>
      </main>
    </>
  );
}
