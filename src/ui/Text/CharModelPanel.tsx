import { CHAR_PRESETS, CharPresetName } from '../../engine/config/charModel';
import { applyCharPreset, setCharFamily, setCharModel } from '../store/textActions';
import { useStore } from '../store/store';
import { ErrorText, NumberField, Panel, SelectField } from '../common/Field';
import { ModelSummaryTable } from '../Model/ModelSummaryTable';
import { TEXT_HELP as HELP } from '../help/hyperparameters';
import { TransformerFields, TransformerPreset } from './TransformerFields';

const PRESET_NAMES = Object.keys(CHAR_PRESETS) as CharPresetName[];

/** The char model's choice, compact beside the corpus: family, preset, problems and summary; its numbers are set in Settings. */
export function CharModelPanel({ onSettings }: { onSettings: () => void }) {
  const text = useStore((s) => s.text);
  const busy = useStore((s) => s.train.state === 'running' || s.train.state === 'paused');
  return (
    <Panel title="2. Char model" testId="char-model-panel">
      <fieldset disabled={busy} className="grid-fields">
        <legend>
          {text.family === 'charTransformer'
            ? 'Architecture: token + position embedding → pre-norm blocks (causal attention, MLP) → layer norm → softmax'
            : 'Architecture: embedding → LSTM × layers → softmax over the vocabulary'}
        </legend>
        <SelectField
          label="Model"
          value={text.family}
          options={['charLstm', 'charTransformer'] as const}
          labels={{ charLstm: 'char-LSTM', charTransformer: 'Transformer (tiny GPT)' }}
          testId="char-family"
          onChange={setCharFamily}
        />
        {text.family === 'charTransformer' ? <TransformerPreset /> : <LstmPreset />}
      </fieldset>
      <p className="row">
        <button type="button" data-testid="edit-architecture" onClick={onSettings}>
          Edit layers and sizes…
        </button>
      </p>
      {text.problems.length > 0 && <ErrorText text={text.problems.join(' ')} testId="char-model-problems" />}
      {text.summary && <ModelSummaryTable summary={text.summary} />}
    </Panel>
  );
}

/** The char model's numbers (the char-LSTM's or the Transformer's), in the Settings view with the training hyperparameters. */
export function CharArchitecturePanel() {
  const family = useStore((s) => s.text.family);
  const busy = useStore((s) => s.train.state === 'running' || s.train.state === 'paused');
  return (
    <Panel title={`Architecture (${family === 'charTransformer' ? 'Transformer' : 'char-LSTM'})`} testId="char-architecture-panel">
      <fieldset disabled={busy} className="grid-fields">
        <legend>Sizes (a change makes the preset Custom)</legend>
        {family === 'charTransformer' ? <TransformerFields /> : <LstmFields />}
      </fieldset>
    </Panel>
  );
}

function LstmPreset() {
  const preset = useStore((s) => s.text.preset);
  return (
    <SelectField
      label="Preset"
      value={preset}
      options={[...PRESET_NAMES, 'custom'] as const}
      labels={{ ...Object.fromEntries(PRESET_NAMES.map((n) => [n, CHAR_PRESETS[n].label])), custom: 'Custom' }}
      testId="char-preset"
      onChange={(v) => v !== 'custom' && applyCharPreset(v)}
    />
  );
}

function LstmFields() {
  const m = useStore((s) => s.text.model);
  return (
    <>
      <NumberField
        label="Embedding size"
        value={m.embedding}
        testId="char-embedding"
        hint={HELP.embedding}
        onChange={(embedding) => setCharModel({ embedding })}
      />
      <NumberField
        label="LSTM layers (1-3)"
        value={m.layers}
        testId="char-layers"
        hint={HELP.layers}
        onChange={(layers) => setCharModel({ layers })}
      />
      <NumberField label="Units per layer" value={m.units} testId="char-units" hint={HELP.units} onChange={(units) => setCharModel({ units })} />
      <NumberField
        label="Dropout between layers"
        value={m.dropout}
        step={0.05}
        testId="char-dropout"
        hint={HELP.dropout}
        onChange={(dropout) => setCharModel({ dropout })}
      />
      <NumberField
        label="Window (characters)"
        value={m.window}
        testId="char-window"
        hint={HELP.window}
        onChange={(window) => setCharModel({ window })}
      />
    </>
  );
}
