import { useStore, type AppState } from '../store/store';
import { DigitImage } from '../common/DigitImage';
import { ErrorText, Panel } from '../common/Field';
import { DrawPad } from './DrawPad';
import { inspectTestDigit } from '../store/imagesActions';

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

type EvalResult = NonNullable<AppState['evaluation']['result']>;

/** The confusion matrix and the per-class precision / recall / F1 table. */
function ResultTables({ result }: { result: EvalResult }) {
  const max = Math.max(...result.confusion.flat());
  return (
    <div className="row wrap">
      <table className="confusion" data-testid="confusion-matrix">
        <caption>Confusion matrix (rows: true class, columns: predicted)</caption>
        <thead>
          <tr>
            <th scope="col">true \ pred</th>
            {result.confusion.map((_, c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {/* shading stops at alpha 0.6 so the dark numbers keep a 4.5:1 contrast (WCAG AA) */}
          {result.confusion.map((row, t) => (
            <tr key={t}>
              <th scope="row">{t}</th>
              {row.map((v, p) => (
                <td
                  key={p}
                  className={p === t ? 'diag' : undefined}
                  style={{ background: `rgba(${p === t ? '37,99,235' : '220,38,38'},${v ? 0.08 + (0.52 * v) / max : 0})` }}
                >
                  {v}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <table className="per-class" data-testid="per-class">
        <caption>Per class</caption>
        <thead>
          <tr>
            <th scope="col">class</th>
            <th scope="col">precision</th>
            <th scope="col">recall</th>
            <th scope="col">F1</th>
            <th scope="col">n</th>
          </tr>
        </thead>
        <tbody>
          {result.perClass.map((c, i) => (
            <tr key={i}>
              <th scope="row">{i}</th>
              <td className="num">{c.precision.toFixed(3)}</td>
              <td className="num">{c.recall.toFixed(3)}</td>
              <td className="num">{c.f1.toFixed(3)}</td>
              <td className="num">{c.support}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function EvaluatePanel() {
  const { result, running, error } = useStore((s) => s.evaluation);
  return (
    <Panel title="4. Evaluate" testId="evaluate-panel">
      {running && <p className="muted">Evaluating on the test set…</p>}
      <ErrorText text={error} />
      {!result && !running && <p className="muted">Test results appear here when training ends.</p>}
      {result && (
        <>
          <p>
            Test accuracy <strong data-testid="test-accuracy">{pct(result.accuracy)}</strong>, loss{' '}
            <span data-testid="test-loss">{result.loss.toFixed(4)}</span> on {result.count.toLocaleString('en-US')} test images.
          </p>
          <ResultTables result={result} />
          <h3>Misclassified test digits (first {result.misclassified.length})</h3>
          <p className="help muted">Pick one to see its guess and saliency below, under the draw pad.</p>
          <div className="preview" data-testid="misclassified">
            {result.misclassified.map((m) => (
              <figure key={m.index}>
                <button
                  type="button"
                  className="digit-button"
                  data-testid="misclassified-inspect"
                  aria-label={`Inspect test digit #${m.index}: true ${m.label}, predicted ${m.predicted}`}
                  onClick={() => void inspectTestDigit(m)}
                >
                  <DigitImage pixels={m.pixels} size={40} title={`test #${m.index}: true ${m.label}, predicted ${m.predicted}`} />
                </button>
                <figcaption>
                  {m.label}→{m.predicted}
                </figcaption>
              </figure>
            ))}
          </div>
        </>
      )}
      <DrawPad />
    </Panel>
  );
}
