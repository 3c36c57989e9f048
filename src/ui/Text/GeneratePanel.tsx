import { exportCharModel, generate, importCharModel, setGenerateOptions, stopGenerating } from '../store/textActions';
import { useStore } from '../store/store';
import { ErrorText, NumberField, Panel } from '../common/Field';

export function GeneratePanel() {
  const text = useStore((s) => s.text);
  const training = useStore((s) => s.train.state === 'running' || s.train.state === 'paused');
  const g = text.generate;
  const canGenerate = text.ready !== null && !training && !text.generating;
  return (
    <Panel title="4. Generate" testId="generate-panel">
      <p className="muted" data-testid="char-model-ready">
        {text.ready
          ? `Model: trained on ${text.ready.source}, vocabulary ${text.ready.vocabSize}.`
          : 'Train a char model (or load one below) to generate text.'}
      </p>
      <div className="grid-fields">
        <label className="field wide">
          <span>Seed text</span>
          <input type="text" value={g.seedText} data-testid="seed-text" onChange={(e) => setGenerateOptions({ seedText: e.target.value })} />
        </label>
        <NumberField
          label="Length (characters)"
          value={g.length}
          step={100}
          testId="gen-length"
          onChange={(length) => setGenerateOptions({ length })}
        />
        <NumberField
          label="Temperature (0 = greedy)"
          value={g.temperature}
          step={0.1}
          testId="temperature"
          onChange={(temperature) => setGenerateOptions({ temperature })}
        />
        <NumberField label="Top-k (0 = all)" value={g.topK} testId="top-k" onChange={(topK) => setGenerateOptions({ topK })} />
        <NumberField label="Sampling seed" value={g.seed} testId="gen-seed" onChange={(seed) => setGenerateOptions({ seed })} />
      </div>
      <div className="row buttons">
        <button type="button" data-testid="generate" disabled={!canGenerate} onClick={() => void generate()}>
          Generate
        </button>
        <button type="button" data-testid="stop-generate" disabled={!text.generating} onClick={() => void stopGenerating()}>
          Stop
        </button>
        <span className="state" data-testid="generate-state">
          {text.generating ? 'generating' : 'idle'}
        </span>
      </div>
      <pre className="generated" data-testid="generated" aria-live="polite">
        {text.output}
      </pre>
      <ErrorText text={text.generateError} testId="generate-error" />
      <div className="row buttons">
        <button type="button" data-testid="export-char-model" disabled={!text.ready || training} onClick={() => void exportCharModel()}>
          Save model (model.json + weights)
        </button>
        <label className="field">
          <span>Load a saved char model (LSTM or Transformer): choose its .json and .weights.bin together</span>
          <input
            type="file"
            multiple
            accept=".json,.bin"
            disabled={training}
            data-testid="import-char-model"
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = '';
              if (files.length) void importCharModel(files);
            }}
          />
        </label>
      </div>
      {text.fileMessage && (
        <p className="muted" data-testid="char-file-message">
          {text.fileMessage}
        </p>
      )}
      <ErrorText text={text.fileError} testId="char-file-error" />
    </Panel>
  );
}
