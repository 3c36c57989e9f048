import { loadIdxFiles } from '../store/imagesActions';
import { useStore } from '../store/store';
import { DigitImage } from '../common/DigitImage';
import { ErrorText, Panel } from '../common/Field';

const mb = (n: number) => (n / 1e6).toFixed(1);

export function DataPanel() {
  const data = useStore((s) => s.data);
  const busy = useStore((s) => s.train.state === 'running' || s.train.state === 'paused');
  const { info, loading } = data;
  return (
    <Panel title="1. Data" testId="data-panel">
      {loading && (
        <div>
          <progress value={loading.loaded} max={loading.total || undefined} aria-label="Loading MNIST" />{' '}
          <span className="muted">
            Loading MNIST… {mb(loading.loaded)}
            {loading.total ? ` of ${mb(loading.total)}` : ''} MB
          </span>
        </div>
      )}
      {info && (
        <p data-testid="dataset-info">
          <strong>{info.name}</strong>: {info.trainCount.toLocaleString('en-US')} train, {info.validationCount.toLocaleString('en-US')} validation,{' '}
          {info.testCount.toLocaleString('en-US')} test
        </p>
      )}
      <div className="preview" data-testid="preview-grid">
        {data.preview.map((d, i) => (
          <figure key={i}>
            <DigitImage pixels={d.pixels} size={32} title={`digit labelled ${d.label}`} />
            <figcaption>{d.label}</figcaption>
          </figure>
        ))}
      </div>
      <label className="field">
        <span>Your own IDX files: images + labels (2 files) or train and test pairs (4 files), raw or .gz</span>
        <input
          type="file"
          multiple
          disabled={busy}
          data-testid="idx-input"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            if (files.length) void loadIdxFiles(files);
          }}
        />
      </label>
      <ErrorText text={data.error} testId="data-error" />
    </Panel>
  );
}
