import type { ModelSummary } from '../../engine/config/results';

export function ModelSummaryTable({ summary }: { summary: ModelSummary }) {
  return (
    <table className="summary" data-testid="model-summary">
      <caption>Model summary</caption>
      <thead>
        <tr>
          <th>Layer</th>
          <th>Output shape</th>
          <th>Parameters</th>
        </tr>
      </thead>
      <tbody>
        {summary.layers.map((l) => (
          <tr key={l.name}>
            <td>{l.type}</td>
            <td>[{l.outputShape.map((d, i) => d ?? (i === 0 ? 'batch' : 'time')).join(', ')}]</td>
            <td className="num">{l.params.toLocaleString('en-US')}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td colSpan={2}>Total</td>
          <td className="num" data-testid="total-params">
            {summary.totalParams.toLocaleString('en-US')}
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
