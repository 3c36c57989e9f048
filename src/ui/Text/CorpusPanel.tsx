import { useState } from 'react';
import { MAX_TEXT_BYTES } from '../../engine/config/corpus';
import { loadTextFile, setCorpusOptions } from '../store/textActions';
import { useStore, type AppState } from '../store/store';
import { ErrorText, NumberField, Panel } from '../common/Field';

/** Shows whitespace and control characters visibly in the frequency list. */
const visible = (c: string) => ({ ' ': 'space', '\n': 'newline', '\t': 'tab', '\r': 'CR' })[c] ?? c;

/** Size, vocabulary and the most frequent characters of the loaded corpus. */
function CorpusInfoView({ info }: { info: NonNullable<AppState['text']['info']> }) {
  return (
    <div data-testid="corpus-info">
      <p>
        <strong data-testid="corpus-name">{info.name}</strong>: {(info.bytes / 1e6).toFixed(2)} MB,{' '}
        <span data-testid="corpus-chars">{info.chars.toLocaleString('en-US')}</span> characters, vocabulary{' '}
        <span data-testid="corpus-vocab">{info.vocabSize}</span> (including the unknown symbol �)
        {info.unknownCount > 0 && `; ${info.unknownCount.toLocaleString('en-US')} characters mapped to unknown`}
      </p>
      <p className="muted" data-testid="corpus-top">
        Most frequent:{' '}
        {info.top.slice(0, 12).map((t) => (
          <span key={t.char} className="chip" title={`U+${t.char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`}>
            {visible(t.char)} {((t.count / info.chars) * 100).toFixed(1)}%
          </span>
        ))}
      </p>
    </div>
  );
}

export function CorpusPanel() {
  const text = useStore((s) => s.text);
  const busy = useStore((s) => s.train.state === 'running' || s.train.state === 'paused');
  const [dragging, setDragging] = useState(false);
  const { info } = text;
  const pick = (files: FileList | null | undefined) => {
    const f = files?.[0];
    if (f) void loadTextFile(f);
  };
  return (
    <Panel title="1. Text" testId="corpus-panel">
      {text.loading && <p className="muted">Loading the default corpus…</p>}
      {info && <CorpusInfoView info={info} />}
      <div
        className={`dropzone${dragging ? ' over' : ''}`}
        data-testid="text-dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          if (!busy) pick(e.dataTransfer.files);
        }}
      >
        <label className="field">
          <span>Your own text file (UTF-8, up to {MAX_TEXT_BYTES / 1024 / 1024} MB): choose it or drop it here</span>
          <input
            type="file"
            accept=".txt,.md,.csv,.json,.html,.xml,text/*"
            disabled={busy}
            data-testid="text-input"
            onChange={(e) => {
              pick(e.target.files);
              e.target.value = '';
            }}
          />
        </label>
      </div>
      <fieldset disabled={busy} className="grid-fields">
        <legend>Preprocessing</legend>
        <label className="field checkbox">
          <input
            type="checkbox"
            checked={text.options.lowercase}
            data-testid="lowercase"
            onChange={(e) => void setCorpusOptions({ lowercase: e.target.checked })}
          />
          <span>Lowercase</span>
        </label>
        <NumberField
          label="Vocabulary cap (0 = none)"
          value={text.options.maxVocab}
          testId="max-vocab"
          hint="Keep the N most frequent characters; the rest become one unknown symbol."
          onChange={(maxVocab) => void setCorpusOptions({ maxVocab })}
        />
      </fieldset>
      <ErrorText text={text.error} testId="text-error" />
    </Panel>
  );
}
